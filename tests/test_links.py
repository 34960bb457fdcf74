"""Every reminder email, statement and letter carries its own customer's personal link (never another's), and
a payment date announced and missed is said once in the next reminder. Several customers in one run each
time: the second and third documents are read, not only the first."""

import re
import subprocess
import tempfile

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import D, LadderCommon
from .test_emails import text_of

LINK = re.compile(r"https?://[^/\s\"<]+/relance/([a-z0-9]{16})")


def pdf_text(raw):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(raw)
        file.flush()
        return subprocess.run(
            ["pdftotext", "-layout", file.name, "-"], capture_output=True, text=True, check=True
        ).stdout


@tagged("post_install", "-at_install")
class TestLinksInDocuments(LadderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.english = cls.env["res.partner"].create(
            {"name": "Brightside Trading Ltd", "is_company": True, "lang": "en_US", "email": "ap@brightside.example"}
        )
        cls.customers = cls.customer | cls.customer_2 | cls.private_person | cls.english
        for number, partner in enumerate(cls.customers):
            partner.write({"street": f"{number + 1} place du Marché", "zip": "69001", "city": "Lyon"})

    def owner(self, token):
        return self.env["relance.access"]._relance_find(token).partner_id

    def assert_own_link(self, text, customer):
        """text carries exactly one link, the customer's, working from the document's day for 60 days."""
        tokens = set(LINK.findall(text))
        self.assertEqual(len(tokens), 1, text)
        access = self.env["relance.access"]._relance_find(tokens.pop())
        self.assertEqual((access.partner_id, access.company_id), (customer, self.company))
        return access

    def test_each_reminder_email_carries_its_customer_link(self):
        moves = {
            partner: self._invoice(partner, "2026-03-09", price=100.0 * (i + 1))
            for i, partner in enumerate(self.customers)
        }
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(len(mails), 4)
        seen = set()
        for partner, move in moves.items():
            log = logs.filtered(lambda log, move=move: move in log.move_ids)
            mail = mails.filtered(lambda mail, log=log: mail.res_id == log.id)
            access = self.assert_own_link(mail.body_html, partner)
            self.assertEqual(log.access_id, access)
            self.assertEqual((access.date, access.expiry_date), (D("2026-03-16"), D("2026-05-15")))
            text = text_of(mail.body_html)
            if partner.lang == "fr_FR":
                self.assertIn(
                    "Votre espace client : consultez et téléchargez vos factures et votre relevé, indiquez-nous votre "
                    "date de règlement ou signalez un problème :",
                    text,
                )
                self.assertIn("(lien personnel, valable jusqu'au 15/05/2026)", text)
            else:
                self.assertIn(
                    "Your online account: view and download your invoices and your statement, tell us your payment "
                    "date or report a problem:",
                    text,
                )
                self.assertIn("(personal link, valid until 05/15/2026)", text)
            seen.add(access)
        self.assertEqual(len(seen), 4)

    def test_each_statement_carries_its_customer_link(self):
        self.company.relance_auto_send = False
        self.company.relance_statement_min_overdue = 1
        for partner in self.customers:
            self._invoice(partner, "2026-02-01")
        before = self.env["relance.log"].search([])
        with freeze_time("2026-03-01"), self.mock_mail_gateway():
            self.env.ref("odoo_relance_fr.ir_cron_relance_statement").method_direct_trigger()
            mails = self._new_mails
        logs = self.env["relance.log"].search([]) - before
        self.assertEqual(len(logs), 4)
        for partner in self.customers:
            log = logs.filtered(lambda log, partner=partner: log.partner_id == partner)
            mail = mails.filtered(lambda mail, log=log: mail.res_id == log.id)
            access = self.assert_own_link(mail.body_html, partner)
            self.assertEqual(log.access_id, access)
            # the statement PDF (rendered for the whole batch before the emails) prints the same link
            self.assertEqual(self.assert_own_link(pdf_text(log.letter_attachment_id.raw), partner), access)

    def test_each_letter_prints_its_customer_link(self):
        moves = self.env["account.move"]
        for partner in self.customers[:3]:
            move = self._invoice(partner, "2026-01-15", invoice_date="2026-01-01")
            self.remind(move, self.level_2, "2026-03-01")
            moves |= move
        logs, _mails = self.run_ladder("2026-03-16")
        self.assertEqual(logs.mapped("state"), ["to_print"] * 3)
        action = logs.action_relance_print_letters()
        self.assertTrue(action)
        for log in logs:
            text = " ".join(pdf_text(log.letter_attachment_id.raw).split())
            access = self.assert_own_link(text, log.partner_id)
            self.assertIn(
                f"Votre espace client (factures, relevé, date de règlement, problème à signaler) : {access.url}, "
                "adresse personnelle valable jusqu'au 15/05/2026.",
                text,
            )

    def test_missed_payment_date_is_said_once_in_the_next_reminder(self):
        martin = self._invoice(self.customer, "2026-03-09")
        self._invoice(self.customer_2, "2026-03-09", price=400.0)
        self.run_ladder("2026-03-16")  # Reminder 1 for both
        access = self.env["relance.access"]._relance_links(self.customer, D("2026-03-20"))[self.customer.id]
        access._relance_announce_payment(martin.ids, "2026-03-25", D("2026-03-20"))
        self.assertEqual(martin.relance_next_date, D("2026-03-31"))
        logs, mails = self.run_ladder("2026-03-31")  # Reminder 2 for both, the promise missed
        self.assertEqual(len(mails), 2)
        said = (
            "Vous nous aviez annoncé un règlement au 25/03/2026 pour la facture %s. Nous ne l'avons pas reçu à ce jour."
        )
        martin_mail = mails.filtered(lambda mail: mail.res_id == logs.filtered(lambda log: martin in log.move_ids).id)
        leroy_mail = mails - martin_mail
        self.assertIn(said % martin.name, text_of(martin_mail.body_html))
        self.assertNotIn("Vous nous aviez annoncé", text_of(leroy_mail.body_html))
        _logs, mails = self.run_ladder("2026-04-15")  # Reminder 3: said once only
        self.assertEqual(len(mails), 2)
        for mail in mails:
            self.assertNotIn("Vous nous aviez annoncé", text_of(mail.body_html))

    def test_payment_date_promised_on_the_phone_is_said_too(self):
        martin = self._invoice(self.customer, "2026-03-09")
        self.run_ladder("2026-03-16")
        martin.write({"relance_promise_date": "2026-03-20", "relance_last_date": "2026-03-18"})
        _logs, mails = self.run_ladder("2026-04-02")
        self.assertIn("Vous nous aviez annoncé un règlement au 20/03/2026", text_of(mails.body_html))

    def test_a_reminder_cannot_carry_another_customer_link(self):
        billing = self._user("links_billing", "account.group_account_invoice")
        theirs = self.env["relance.access"]._relance_links(self.customer_2, D("2026-03-16"))[self.customer_2.id]
        Log = self.env["relance.log"].with_user(billing).with_context(lang="fr_FR")
        vals = {"partner_id": self.customer.id, "level_id": self.level_1.id, "channel": "email", "date": "2026-03-16"}
        with self.assertRaisesMessage(ValidationError, "Une relance ne peut porter que le lien de son propre client"):
            Log.create(dict(vals, access_id=theirs.id))
        log = Log.create(vals)  # its own customer's link of the day, given on creation
        self.assertEqual(log.access_id.partner_id, self.customer)
        with self.assertRaisesMessage(UserError, "Lien client"):
            log.write({"access_id": theirs.id})
