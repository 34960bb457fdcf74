"""The customer's page: what it shows (each customer its own invoices, in its language), what the customer does
there (a payment date, a problem), and what it refuses (other customers' invoices, other companies, expired
or made-up links, forms without their CSRF token, too many tries), as an anonymous visitor over HTTP."""

import re
import subprocess
import tempfile
from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.odoo_relance_fr.controllers import portal

from .common import LadderCommon
from .test_emails import text_of

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def shown_ids(response):
    """The invoices a page offers (the ids of its checkboxes)."""
    return {int(move_id) for move_id in re.findall(r'name="move_ids" id="relance_move_(\d+)"', response.text)}


class PortalCommon(LadderCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.accountant = cls._user("relance_accountant", "account.group_account_invoice")
        cls.company.relance_responsible_id = cls.accountant
        cls.english = cls.env["res.partner"].create(
            {"name": "Brightside Trading Ltd", "is_company": True, "lang": "en_US", "email": "ap@brightside.example"}
        )
        cls.today = cls.env["relance.access"].new({"company_id": cls.company.id})._relance_today()
        due = cls.days
        cls.martin_late = cls._invoice(cls.customer, due(-40), price=1000.0)
        cls.martin_recent = cls._invoice(cls.customer, due(-10), price=500.0)
        cls.martin_soon = cls._invoice(cls.customer, due(12), price=200.0)
        cls.leroy_late = cls._invoice(cls.customer_2, due(-25), price=800.0)
        cls.petit_late = cls._invoice(cls.private_person, due(-30), price=300.0)
        cls.bright_late = cls._invoice(cls.english, due(-20), price=700.0)
        cls.other_company = cls._other_company()

    @classmethod
    def days(cls, offset):
        return cls.today + timedelta(days=offset)

    def setUp(self):
        super().setUp()
        for limit in (portal.VISITS, portal.BAD_LINKS, portal.ANSWERS):
            limit.clear()
        self.addCleanup(lambda: [limit.clear() for limit in (portal.VISITS, portal.BAD_LINKS, portal.ANSWERS)])

    def link(self, partner, company=None):
        Access = self.env["relance.access"].with_company(company or self.company)
        return Access._relance_links(partner, self.today)[partner.id]

    def page(self, access, path=""):
        return self.url_open(access._relance_path() + path)

    def csrf(self, access):
        """The CSRF token of the visitor's session, as its page's forms carry it."""
        response = self.page(access)
        self.assertEqual(response.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)

    def post(self, access, what, data, files=None, csrf=True):
        data = dict(data)
        if csrf:
            data["csrf_token"] = self.csrf(access)
        return self.url_open(f"{access._relance_path()}/{what}", data=data, files=files, allow_redirects=False)

    def answers(self):
        return self.env["relance.log"].search([("kind", "=", "answer")])

    def assert_unchanged(self, moves):
        """Nothing was recorded: no answer, no promise, no dispute, no activity."""
        moves.invalidate_recordset()
        self.assertFalse(self.answers())
        self.assertEqual(moves.mapped("relance_promise_date"), [False] * len(moves))
        self.assertEqual(moves.mapped("relance_dispute"), [False] * len(moves))


@tagged("post_install", "-at_install")
class TestCustomerPage(PortalCommon):
    def test_each_customer_sees_its_own_invoices_in_its_language(self):
        own = {
            self.customer: self.martin_late | self.martin_recent | self.martin_soon,
            self.customer_2: self.leroy_late,
            self.private_person: self.petit_late,
            self.english: self.bright_late,
        }
        every = self.env["account.move"].union(*own.values())
        for partner, moves in own.items():
            with self.subTest(customer=partner.name):
                response = self.page(self.link(partner))
                self.assertEqual(response.status_code, 200)
                text = text_of(response.text)
                shown = set(re.findall(r'data-invoice="([^"]+)"', response.text))
                self.assertEqual(shown, set(moves.mapped("name")))
                for other in (every - moves).mapped("name"):
                    self.assertNotIn(other, text)
                self.assertIn(partner.name, text)
                if partner.lang == "fr_FR":
                    self.assertIn("Vos factures restant à régler", text)
                    self.assertIn("Indiquez-nous votre date de règlement", text)
                else:
                    self.assertIn("Your invoices still to be paid", text)
                    self.assertNotIn("Indiquez-nous", text)

    def test_amounts_days_late_and_penalties_of_a_business_customer(self):
        text = text_of(self.page(self.link(self.customer)).text)
        # 1 000 HT + 20 % VAT, 40 days late, penalties and indemnity to date
        details = self.martin_late._relance_penalty_details(self.today)
        self.assertEqual(details["indemnity"], 40.0)
        penalty = f"{details['penalty']:.2f}".replace(".", ",")
        self.assertRegex(
            text,
            re.escape(self.martin_late.name)
            + rf" 40 jours de retard [^€]*? 1 200,00 € 1 200,00 € 40 {penalty} € 40,00 €",
        )
        self.assertIn("Total restant dû 2 040,00 €", text)  # 1 200 + 600 + 240
        self.assertIn("Dont échu 1 800,00 €", text)
        self.assertIn("art. L441-10", text)
        self.assertIn("Pour régler* Virement sur l'IBAN FR76 3000 6000 0112 3456 7890 189* (BIC AGRIFRPP882)", text)
        self.assertIn(
            f"Références de paiement : {self.martin_late.name}, {self.martin_recent.name}, {self.martin_soon.name}",
            text,
        )

    def test_private_person_sees_no_penalty(self):
        text = text_of(self.page(self.link(self.private_person)).text)
        self.assertIn(self.petit_late.name, text)
        self.assertNotIn("Pénalités", text)
        self.assertNotIn("L441-10", text)

    def test_another_company_invoices_are_not_shown_by_this_company_link(self):
        other = self._other_company_invoice(self.other_company, self.customer, self.days(-15), price=900.0)
        ours = self.page(self.link(self.customer))
        self.assertEqual(shown_ids(ours), set((self.martin_late | self.martin_recent | self.martin_soon).ids))
        theirs = self.page(self.link(self.customer, self.other_company))
        self.assertEqual(shown_ids(theirs), set(other.ids))
        self.assertIn("Filiale Sud SARL", text_of(theirs.text))
        self.assertNotIn("Ateliers Dupont SAS", text_of(theirs.text))

    def test_made_up_malformed_and_tampered_links_are_not_found(self):
        access = self.link(self.customer)
        tampered = access.token[:-1] + ("a" if access.token[-1] != "a" else "b")
        for token in ("abcdefghjkmnpqrs", tampered, access.token.upper(), access.token[:8], "x" * 300):
            with self.subTest(token=token):
                response = self.url_open(f"/relance/{token}", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"})
                self.assertEqual(response.status_code, 404)
                self.assertIn("Ce lien n'est pas valable", text_of(response.text))
                self.assertNotIn(self.martin_late.name, response.text)
                self.assertNotIn("Ateliers Dupont", response.text)

    def test_expired_link_shows_no_invoice(self):
        access = self.link(self.customer)
        access.sudo().write({"expiry_date": self.days(-1)})
        response = self.page(access)
        self.assertEqual(response.status_code, 410)
        self.assertIn("Ce lien a expiré", text_of(response.text))
        self.assertNotIn(self.martin_late.name, response.text)
        self.assertEqual(self.page(access, "/statement").status_code, 410)
        self.assertEqual(
            self.url_open(f"{access._relance_path()}/promise", data={"date": str(self.today)}).status_code, 400
        )  # no CSRF token: refused before anything

    def test_link_works_its_last_day(self):
        access = self.link(self.customer)
        access.sudo().write({"expiry_date": self.today})
        self.assertEqual(self.page(access).status_code, 200)

    def test_link_expiry_follows_settings(self):
        self.company.relance_portal_days = 15
        access = self.link(self.customer_2)
        self.assertEqual((access.date, access.expiry_date), (self.today, self.days(15)))
        self.assertEqual(self.link(self.customer_2), access)  # the same link all day

    def test_guessing_links_is_stopped(self):
        for _ in range(10):
            self.assertEqual(self.url_open("/relance/abcdefghjkmnpqrs").status_code, 404)
        self.assertEqual(self.url_open("/relance/abcdefghjkmnpqrs").status_code, 429)
        # the address that guessed is stopped, even with a real link
        self.assertEqual(self.page(self.link(self.customer)).status_code, 429)

    def test_statement_download(self):
        access = self.link(self.customer)
        response = self.page(access, "/statement")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn("Relev", response.headers["Content-Disposition"])
        # over HTTP in tests Odoo serves a report's HTML (no wkhtmltopdf run inside a test request): its words
        served = text_of(response.content.decode())
        self.assertIn("Boulangerie Martin SARL", served)
        self.assertNotIn(self.leroy_late.name, served)
        # the PDF itself, as the route renders it outside tests
        pdf, name = access.with_context(force_report_rendering=True)._relance_statement_pdf(self.today)
        self.assertEqual(name, f"Relevé de compte - Boulangerie Martin SARL - {self.today}.pdf")
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(pdf)
            file.flush()
            text = subprocess.run(
                ["pdftotext", "-layout", file.name, "-"], capture_output=True, text=True, check=True
            ).stdout
        self.assertIn("Boulangerie Martin SARL", text)
        for move in self.martin_late | self.martin_recent | self.martin_soon:
            self.assertIn(move.name, text)
        self.assertNotIn(self.leroy_late.name, text)
        self.assertIn(access.url, text)

    def test_invoice_pdf_links_use_the_invoice_portal_token(self):
        response = self.page(self.link(self.customer_2))
        href = re.search(
            r'href="([^"]+)"[^>]*o_relance_pdf|class="[^"]*o_relance_pdf[^"]*" href="([^"]+)"', response.text
        )
        url = next(group for group in href.groups() if group).replace("&amp;", "&")
        self.assertIn(f"/my/invoices/{self.leroy_late.id}?access_token={self.leroy_late.access_token}", url)
        pdf = self.url_open(url)
        self.assertEqual(pdf.headers["Content-Type"], "application/pdf")

    def test_pay_online_where_a_payment_provider_is_enabled(self):
        access = self.link(self.customer_2)
        self.env["ir.config_parameter"].sudo().set_param("account_payment.enable_portal_payment", True)
        self.assertNotIn("Payer en ligne", text_of(self.page(access).text))
        self.env["payment.provider"].create(
            {"name": "Banque test", "code": "none", "state": "test", "company_id": self.company.id}
        )
        text = self.page(access).text
        self.assertIn("Payer en ligne", text_of(text))
        self.assertIn(f'href="/my/invoices/{self.leroy_late.id}?access_token={self.leroy_late.access_token}"', text)


@tagged("post_install", "-at_install")
class TestCustomerAnswers(PortalCommon):
    def test_payment_date_announced_pauses_these_invoices(self):
        access = self.link(self.customer)
        promised = self.days(10)
        moves = self.martin_late | self.martin_recent
        response = self.post(access, "promise", {"move_ids": moves.ids, "date": str(promised)})
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith(f"/relance/{access.token}"))
        moves.invalidate_recordset()
        self.assertEqual(moves.mapped("relance_promise_date"), [promised, promised])
        self.assertEqual(moves.mapped("relance_next_date"), [self.days(11), self.days(11)])
        self.assertFalse(self.martin_soon.relance_promise_date)
        answer = self.answers()
        self.assertEqual(
            (answer.answer, answer.partner_id, answer.move_ids, answer.promise_date, answer.channel, answer.access_id),
            ("promise", self.customer, moves, promised, "portal", access),
        )
        activity = answer.activity_ids
        self.assertEqual((len(activity), activity.user_id), (1, self.accountant))
        self.assertEqual(activity.summary, f"Vérifier l'encaissement annoncé pour le {promised:%d/%m/%Y}")
        self.assertEqual(activity.date_deadline, self.days(11))
        for record in (*moves, self.customer):
            note = record.message_ids[0]
            self.assertEqual(note.author_id, self.customer)
            self.assertIn("Règlement annoncé par le client", note.body)
        page = text_of(self.url_open(response.headers["Location"]).text)
        self.assertIn(
            f"Merci : votre règlement de {self.martin_late.name} et {self.martin_recent.name} est noté pour le "
            f"{promised:%d/%m/%Y}. Nous ne vous relancerons pas d'ici là. Les pénalités de retard continuent toutefois "
            "de courir jusqu'au règlement.",
            page,
        )
        self.assertIn(f"Règlement annoncé pour le {promised:%d/%m/%Y}", page)
        # said once: the page opened again, or by anyone else, thanks nobody
        self.assertNotIn("Merci", text_of(self.page(access).text))
        # the next runs skip them until the day after the date, then remind them
        logs, _mails = self.run_ladder(self.today)
        self.assertFalse(logs.move_ids & moves)

    def test_payment_date_refused_when_wrong_and_nothing_changes(self):
        access = self.link(self.customer)
        moves = self.martin_late | self.martin_recent | self.martin_soon | self.leroy_late
        cases = [
            ({"move_ids": self.martin_late.ids, "date": str(self.days(-1))}, "ne peut pas être dans le passé"),
            ({"move_ids": self.martin_late.ids, "date": str(self.days(31))}, "Cette date est trop éloignée"),
            ({"move_ids": self.martin_late.ids, "date": "demain"}, "Saisissez une date valide"),
            ({"move_ids": [], "date": str(self.days(5))}, "Choisissez au moins une facture"),
            ({"move_ids": self.leroy_late.ids, "date": str(self.days(5))}, "pas une de vos factures"),
            (
                {"move_ids": [self.martin_late.id, self.leroy_late.id], "date": str(self.days(5))},
                "pas une de vos factures",
            ),
            ({"move_ids": ["abc"], "date": str(self.days(5))}, "pas une de vos factures"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                response = self.post(access, "promise", data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, text_of(response.text))
                self.assert_unchanged(moves)

    def test_another_company_invoice_is_refused(self):
        other = self._other_company_invoice(self.other_company, self.customer, self.days(-15))
        response = self.post(self.link(self.customer), "promise", {"move_ids": other.ids, "date": str(self.days(3))})
        self.assertEqual(response.status_code, 400)
        self.assert_unchanged(other | self.martin_late)

    def test_formal_notice_invoice_takes_no_payment_date(self):
        self.remind(self.martin_late, self.mise_en_demeure, self.days(-2))
        access = self.link(self.customer)
        page = self.page(access).text
        self.assertIn(f"Mise en demeure du {self.days(-2):%d/%m/%Y}", text_of(page))
        self.assertRegex(page, rf'id="relance_move_{self.martin_late.id}"[^>]*disabled')
        response = self.post(access, "promise", {"move_ids": self.martin_late.ids, "date": str(self.days(3))})
        self.assertEqual(response.status_code, 400)
        self.assertIn("fait l'objet d'une mise en demeure", text_of(response.text))
        self.assert_unchanged(self.martin_late)

    def test_thanks_cannot_be_faked(self):
        access = self.link(self.customer)
        self.assertNotIn("Merci", text_of(self.url_open(f"{access._relance_path()}?done=promise").text))

    def test_paid_invoice_is_refused(self):
        self._pay(self.martin_recent, 600.0, self.today)
        response = self.post(
            self.link(self.customer), "promise", {"move_ids": self.martin_recent.ids, "date": str(self.days(3))}
        )
        self.assertEqual(response.status_code, 400)
        self.assert_unchanged(self.martin_recent)

    def test_form_without_csrf_token_is_refused(self):
        access = self.link(self.customer)
        self.page(access)  # a session exists, the token is missing
        response = self.post(
            access, "promise", {"move_ids": self.martin_late.ids, "date": str(self.days(3))}, csrf=False
        )
        self.assertEqual(response.status_code, 400)
        response = self.post(
            access,
            "promise",
            {"move_ids": self.martin_late.ids, "date": str(self.days(3)), "csrf_token": "forged"},
            csrf=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assert_unchanged(self.martin_late)

    def test_problem_reported_takes_the_invoice_out_of_the_ladder(self):
        access = self.link(self.customer)
        response = self.post(
            access,
            "problem",
            {"move_id": self.martin_recent.id, "reason": "amount", "description": "La remise de 10 % n'apparaît pas."},
            files={"attachment": ("bon-de-commande.pdf", PDF, "application/pdf")},
        )
        self.assertEqual(response.status_code, 303)
        self.martin_recent.invalidate_recordset()
        self.assertEqual(
            (self.martin_recent.relance_dispute, self.martin_recent.relance_dispute_reason), (True, "amount")
        )
        self.assertFalse(self.martin_recent.relance_next_date)
        self.assertFalse(self.martin_late.relance_dispute)
        answer = self.answers()
        self.assertEqual(
            (answer.answer, answer.dispute_reason, answer.move_ids), ("dispute", "amount", self.martin_recent)
        )
        self.assertIn("La remise de 10 % n'apparaît pas.", answer.note)
        self.assertEqual(answer.activity_ids.user_id, self.accountant)
        self.assertEqual(answer.activity_ids.summary, "Problème signalé\xa0: Montant contesté")
        note = self.martin_recent.message_ids[0]
        self.assertEqual(note.author_id, self.customer)
        self.assertIn("Montant contesté", note.body)
        self.assertIn("La remise de 10 % n'apparaît pas.", note.body)
        self.assertEqual(note.attachment_ids.mapped("name"), ["bon-de-commande.pdf"])
        self.assertEqual(note.attachment_ids.raw, PDF)
        page = text_of(self.url_open(response.headers["Location"]).text)
        self.assertIn(
            f"Merci : votre signalement sur la facture {self.martin_recent.name} est bien parvenu à notre service "
            "comptable, qui reviendra vers vous.",
            page,
        )
        self.assertIn("En cours d'examen Montant contesté", page)
        self.assertNotIn(f'<option value="{self.martin_recent.id}"', self.page(access).text)  # reported once
        # the accountant closes the dispute: the invoice is reminded again
        answer.with_user(self.accountant).action_relance_close_dispute()
        self.assertEqual(
            (self.martin_recent.relance_dispute, self.martin_recent.relance_dispute_reason), (False, False)
        )
        self.assertTrue(self.martin_recent.relance_next_date)
        self.assertFalse(answer.activity_ids)

    def test_letter_waiting_is_not_printed_for_an_invoice_disputed_since(self):
        self.remind(self.martin_late, self.level_2, self.days(-16))  # Reminder 3 due today: email and letter
        logs, _mails = self.run_ladder(self.today)
        letter = logs.filtered(lambda log: log.state == "to_print")
        self.assertEqual(letter.move_ids, self.martin_late | self.martin_recent)
        response = self.post(self.link(self.customer), "problem", {"move_id": self.martin_late.id, "reason": "goods"})
        self.assertEqual(response.status_code, 303)
        with self.assertRaisesMessage(
            UserError, f"litige ou avec une date de règlement annoncée depuis \\({self.martin_late.name}\\)"
        ):
            letter.with_context(lang="fr_FR").action_relance_print_letters()
        self.assertEqual((letter.state, letter.letter_attachment_id), ("to_print", self.env["ir.attachment"]))

    def test_already_paid_needs_its_date_and_reference(self):
        access = self.link(self.customer)
        base = {"move_id": self.martin_late.id, "reason": "paid"}
        cases = [
            (base, "la date et la référence de votre règlement"),
            (dict(base, paid_date=str(self.days(-2))), "la date et la référence de votre règlement"),
            (dict(base, paid_date=str(self.days(2)), paid_reference="VIR 123"), "ne peut pas être dans le futur"),
            ({"move_id": self.martin_late.id, "reason": ""}, "Choisissez le problème"),
            ({"move_id": self.martin_late.id, "reason": "whatever"}, "Choisissez le problème"),
            ({"move_id": self.martin_late.id, "reason": "other", "description": "   "}, "Décrivez le problème"),
            ({"move_id": self.leroy_late.id, "reason": "amount"}, "pas une de vos factures"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                response = self.post(access, "problem", data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, text_of(response.text))
                self.assert_unchanged(self.martin_late | self.leroy_late)
        response = self.post(access, "problem", dict(base, paid_date=str(self.days(-2)), paid_reference="VIR 123"))
        self.assertEqual(response.status_code, 303)
        self.assertIn("référence VIR 123", self.answers().note)

    def test_problem_file_must_be_a_document(self):
        access = self.link(self.customer)
        for name, content, message in [
            ("virus.exe", b"MZ\x90\x00" + b"\x00" * 100, "Envoyez un PDF"),
            ("huge.pdf", PDF + b"0" * (10 * 1024 * 1024), "trop volumineux"),
        ]:
            with self.subTest(name=name):
                response = self.post(
                    access,
                    "problem",
                    {"move_id": self.martin_late.id, "reason": "goods"},
                    files={"attachment": (name, content)},
                )
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, text_of(response.text))
                self.assert_unchanged(self.martin_late)
        self.assertFalse(self.env["ir.attachment"].search([("name", "in", ("virus.exe", "huge.pdf"))]))

    def test_answers_of_one_link_are_limited(self):
        access = self.link(self.customer)
        for _ in range(10):
            self.assertEqual(
                self.post(access, "promise", {"move_ids": self.martin_late.ids, "date": str(self.days(3))}).status_code,
                303,
            )
        response = self.post(access, "promise", {"move_ids": self.martin_late.ids, "date": str(self.days(3))})
        self.assertEqual(response.status_code, 429)
        self.assertEqual(len(self.answers()), 10)

    def test_english_customer_reads_english_errors(self):
        response = self.post(
            self.link(self.english), "promise", {"move_ids": self.bright_late.ids, "date": str(self.days(-3))}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("The payment date cannot be in the past.", text_of(response.text))
