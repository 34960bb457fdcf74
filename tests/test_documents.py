"""Documents a French accountant would sign: what each email, letter, statement and invoice says.

Each test reads the rendered text (the email's HTML, the text of the printed PDF) of several customers,
and the SEPA QR codes are decoded from the printed pages, as a banking app would read them.
"""

import re
import subprocess
import tempfile
from pathlib import Path
from xml.etree import ElementTree

import polib
from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import html2plaintext

from .common import D, LadderCommon
from .test_emails import IBAN, fr_eur, penalty

DAY = D("2026-03-16")
FR_PO = Path(__file__).resolve().parent.parent / "odoo_relance_fr" / "i18n" / "fr.po"


def text_of(html):
    """The text as read, every space (non-breaking ones included) kept as it is, runs of blanks as one; without
    the images, whose data URIs html2plaintext would list with the links."""
    return re.sub(r"[ \t\r\n]+", " ", html2plaintext(re.sub(r"<img[^>]*>", "", html)))


def flat(text):
    """The text on one line, every kind of space as a plain one: for reading words and amounts."""
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def eur(amount):
    return flat(fr_eur(amount))


def pdf_text(pdf):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, check=True, text=True).stdout


def decode_qr_codes(pdf, dpi=200):
    """Every QR code printed in the PDF, decoded from its pages rendered at dpi (as a phone would see them)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", path, Path(tmp) / "page"], check=True)
        found = []
        for page in sorted(Path(tmp).glob("page*.png")):
            run = subprocess.run(
                ["zbarimg", "--xml", "-q", "-Sdisable", "-Sqrcode.enable", page], check=False, capture_output=True
            )
            if run.returncode not in (0, 4):  # 4: no code on this page
                raise AssertionError(run.stderr)
            found += [
                symbol.findtext("{*}data") for symbol in ElementTree.fromstring(run.stdout).findall(".//{*}symbol")
            ]
        return found


def assert_typography(case, text, where):
    """French typography: a non-breaking space before : ; ? ! and inside « », never a plain one."""
    for bad in re.findall(r"\S{0,20} [:;?!»]|« \S{0,20}", text):
        case.fail(f"{where}: plain space in « {bad} »")


@tagged("post_install", "-at_install")
class DocumentsCommon(LadderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.company.company_registry = "RCS Paris B 334 175 221"
        for partner in (cls.customer, cls.customer_2, cls.private_person):
            partner.write({"street": "3 place du Marché", "zip": "69001", "city": "Lyon"})
        cls.english = cls.env["res.partner"].create(
            {
                "name": "Brightside Trading Ltd",
                "is_company": True,
                "lang": "en_US",
                "email": "accounts@brightside.example",
                "street": "1 High Street",
                "zip": "SW1A 1AA",
                "city": "London",
                "country_id": cls.env.ref("base.uk").id,
            }
        )

    def render_pdf(self, report, records, **context):
        """The printed PDF, as wkhtmltopdf makes it (tests otherwise get the HTML)."""
        reports = self.env["ir.actions.report"].with_context(force_report_rendering=True, **context)
        return reports._render_qweb_pdf(report, records.ids)[0]

    def formal_notice(self, partner, dues=("2026-01-15",), lrar=None):
        """A formal notice planned by the ladder for these invoices (each at the last reminder), then
        validated: (log, its email)."""
        moves = self.env["account.move"]
        for i, due in enumerate(dues):
            move = self._invoice(partner, due, price=1000.0 + 120 * i)
            self.remind(move, self.level_3, "2026-02-20")
            moves |= move
        self.env["relance.log"].create(
            {
                "date": "2026-02-20",
                "partner_id": partner.id,
                "level_id": self.level_3.id,
                "channel": "email",
                "move_ids": [(6, 0, moves.ids)],
                "state": "sent",
            }
        )
        logs, _mails = self.run_ladder(DAY)
        self.assertEqual((logs.level_id, logs.state), (self.mise_en_demeure, "planned"))
        if lrar:
            logs.lrar_number = lrar
        with freeze_time(DAY), self.mock_mail_gateway():
            logs.action_relance_validate()
            mails = self._new_mails
        self.assertEqual(len(mails), 1)
        return logs, mails, moves


@tagged("post_install", "-at_install")
class TestFormalNotice(DocumentsCommon):
    def test_claims_principal_penalties_indemnities_and_total(self):
        """Two business customers: each formal notice (email and letter) states its own principal,
        penalties to date, indemnities and the total claimed, and its QR code pays that total."""
        for partner, dues in ((self.customer, ("2026-01-15", "2026-01-20")), (self.customer_2, ("2026-01-10",))):
            log, mails, moves = self.formal_notice(partner, dues)
            principal = sum(moves.mapped("amount_residual"))
            penalties = sum(penalty(m.amount_residual, m.invoice_date_due) for m in moves)
            indemnities = 40.0 * len(moves)
            total = round(principal + penalties + indemnities, 2)
            letter = flat(pdf_text(log.letter_attachment_id.raw))
            for where, text in (("email", flat(text_of(mails.body_html))), ("letter", letter)):
                with self.subTest(customer=partner.name, document=where):
                    self.assertIn(f"la somme de {eur(total)}", text)
                    for label, amount in (
                        ("Principal restant dû", principal),
                        ("Pénalités de retard au 16/03/2026", penalties),
                        (
                            "Indemnités forfaitaires pour frais de recouvrement"
                            if len(moves) > 1
                            else "Indemnité forfaitaire pour frais de recouvrement (art. D441-5 du Code de commerce)",
                            indemnities,
                        ),
                        ("Total exigible", total),
                    ):
                        self.assertRegex(text, re.escape(label) + r".{0,200}?" + re.escape(eur(amount)))
            qr = decode_qr_codes(log.letter_attachment_id.raw)
            self.assertEqual(len(qr), 1, partner.name)
            self.assertEqual(qr[0].split("\n")[7], f"EUR{total}", "the QR code pays the total claimed")
            self.assertIn("QR code avec votre application bancaire pour payer " + eur(total), letter)

    def test_never_asks_to_disregard_it(self):
        log, mails, _moves = self.formal_notice(self.customer)
        for where, text in (("email", text_of(mails.body_html)), ("letter", pdf_text(log.letter_attachment_id.raw))):
            with self.subTest(document=where):
                self.assertNotIn("ne pas tenir compte", " ".join(text.split()))
                self.assertIn("MISE EN DEMEURE", text)

    def test_email_is_the_copy_of_the_registered_letter_attached(self):
        """With the LRAR number when it is known; the letter's PDF goes with the email, beside the invoice."""
        for partner, lrar in ((self.customer, "1A 123 456 7890 1"), (self.customer_2, None)):
            log, mails, moves = self.formal_notice(partner, lrar=lrar)
            text = text_of(mails.body_html)
            with self.subTest(customer=partner.name):
                self.assertIn("copie de la mise en demeure", text)
                self.assertIn("lettre recommandée avec accusé de réception", text)
                if lrar:
                    self.assertIn(f"n°\xa0{lrar}", text)
                else:
                    self.assertNotIn("n°", text)
                self.assertIn(log.letter_attachment_id, mails.attachment_ids)
                self.assertEqual(mails.attachment_ids.mapped("raw")[0][:5], b"%PDF-")
                self.assertIn(partner.name, pdf_text(log.letter_attachment_id.raw))
                self.assertEqual(len(mails.attachment_ids), 1 + len(moves))

    def test_private_person_legal_interest_not_commercial_penalties(self):
        log, mails, moves = self.formal_notice(self.private_person)
        for where, text in (("email", text_of(mails.body_html)), ("letter", pdf_text(log.letter_attachment_id.raw))):
            text = flat(text)
            with self.subTest(document=where):
                self.assertIn("intérêts au taux légal", text)
                self.assertIn("1344-1 du Code civil", text)
                for business_only in ("L441-10", "D441-5", "40 €", "Pénalités de retard"):
                    self.assertNotIn(business_only, text)
                self.assertIn(f"la somme de {eur(moves.amount_residual)}", text)


@tagged("post_install", "-at_install")
class TestGroupedByStage(DocumentsCommon):
    def three_stages(self, partner):
        """Three invoices of one customer due the same day at three different stages."""
        last = self._invoice(partner, "2026-01-20", price=1100.0)  # reminded twice: last reminder now
        self.remind(last, self.level_2, "2026-03-01")
        second = self._invoice(partner, "2026-02-10", price=1200.0)  # reminded once: second reminder
        self.remind(second, self.level_1, "2026-02-28")
        first = self._invoice(partner, "2026-03-09", price=1300.0)  # never reminded, 7 days late
        return last, second, first

    def test_each_invoice_for_what_it_is(self):
        """Two customers at three stages each: one email each, split by stage, each sentence true of the
        invoices under it, customer-facing labels, the stage in the subject."""
        stages = {partner: self.three_stages(partner) for partner in (self.customer, self.customer_2)}
        _logs, mails = self.run_ladder(DAY)
        self.assertEqual(len(mails), 2)
        for partner, (last, second, first) in stages.items():
            mail = mails.filtered(lambda m, partner=partner: m.recipient_ids == partner)
            text = text_of(mail.body_html)
            with self.subTest(customer=partner.name):
                self.assertEqual(
                    mail.subject,
                    "Ateliers Dupont SAS – 3\xa0factures impayées, dont 1 en dernière relance avant mise en demeure",
                )
                # the sections, most advanced first, each naming only its own invoice
                heads = [text.index(label) for label in ("Dernière relance", "2e relance", "1re relance")]
                self.assertEqual(heads, sorted(heads))
                sections = [text[a:b] for a, b in zip(heads, heads[1:] + [len(text)], strict=True)]
                for section, own, sentence in zip(
                    sections,
                    (last, second, first),
                    (
                        "En dépit de nos relances, la facture ci-dessous demeure impayée",
                        "Malgré notre précédente relance, la facture ci-dessous reste impayée",
                        "Sauf erreur ou omission de notre part, le règlement de la facture ci-dessous",
                    ),
                    strict=True,
                ):
                    self.assertIn(sentence, section)
                    self.assertIn(own.name, section.split("Total restant dû")[0])
                    for other in {last, second, first} - {own}:
                        self.assertNotIn(other.name, section.split("Total restant dû")[0])
                self.assertEqual(text.count("En dépit de nos relances"), 1)
                for internal in ("(courtoise)", "(ferme)", "(dernière)", "Relance 1", "Relance 2", "Relance 3"):
                    self.assertNotIn(internal, text)
                self.assertIn(f"une mise en demeure pour la facture {last.name}", flat(text))

    def test_formal_notice_apart_from_the_reminder(self):
        """An invoice due for the formal notice waits for validation alone; the customer's other invoice
        is reminded the same day, in its own words."""
        formal = self._invoice(self.customer, "2026-01-15")
        self.remind(formal, self.level_3, "2026-02-20")
        first = self._invoice(self.customer, "2026-03-09")
        logs, mails = self.run_ladder(DAY)
        notice = logs.filtered(lambda log: log.level_id == self.mise_en_demeure)
        self.assertEqual((notice.move_ids, notice.state), (formal, "planned"))
        reminder = logs - notice
        self.assertEqual((reminder.move_ids, reminder.level_id, reminder.state), (first, self.level_1, "sent"))
        self.assertEqual(len(mails), 1)
        self.assertNotIn(formal.name, mails.body_html)

    def test_customer_labels_and_internal_names(self):
        """The level's label is what customers read; the internal name stays inside."""
        self.assertEqual(
            [
                lvl.with_context(lang="fr_FR")._relance_customer_label()
                for lvl in (self.level_1, self.level_2, self.level_3)
            ],
            ["1re relance", "2e relance", "Dernière relance"],
        )
        self.level_2.with_context(lang="fr_FR").label = "Second rappel"
        self.three_stages(self.customer)
        _logs, mails = self.run_ladder(DAY)
        text = text_of(mails.body_html)
        self.assertIn("Second rappel", text)
        self.assertNotIn("2e relance", text)

    def test_grouped_letter_by_stage_and_singular(self):
        """The letter of a grouped last reminder is split by stage too; a letter for one invoice speaks of
        one invoice."""
        self.three_stages(self.customer)
        single = self._invoice(self.customer_2, "2026-01-20")
        self.remind(single, self.level_2, "2026-03-01")
        logs, _mails = self.run_ladder(DAY)
        letter = {
            log.partner_id: flat(pdf_text(self.render_pdf("odoo_relance_fr.action_report_relance_letter", log)))
            for log in logs
        }
        grouped, alone = letter[self.customer], letter[self.customer_2]
        self.assertIn("Objet : 3 factures impayées, dont 1 en dernière relance avant mise en demeure", grouped)
        for sentence in ("En dépit de nos relances", "Malgré notre précédente relance", "Sauf erreur ou omission"):
            self.assertIn(sentence, grouped)
        self.assertIn(f"Objet : Dernière relance avant mise en demeure – facture {single.name} impayée", alone)
        self.assertIn("la facture ci-dessous demeure impayée", alone)
        self.assertNotIn("factures", alone.split("Total restant dû")[0])


@tagged("post_install", "-at_install")
class TestQrCodes(DocumentsCommon):
    def assert_epc(self, payload, amount, references):
        lines = payload.split("\n")
        self.assertEqual(lines[:4], ["BCD", "002", "1", "SCT"])
        self.assertEqual(lines[4], "AGRIFRPP882")
        self.assertEqual(lines[5], "Ateliers Dupont SAS")
        self.assertEqual(lines[6], IBAN.replace(" ", ""))
        self.assertEqual(lines[7], f"EUR{amount}")
        self.assertLessEqual(amount, 999999999.99)
        self.assertLessEqual(len(lines[10]), 140)
        self.assertEqual(lines[10], ", ".join(references)[:140])
        self.assertEqual(sorted(lines[10].split(", ")), sorted(references))

    def test_three_invoice_letter_decodes(self):
        """The QR code of a letter for three invoices (long remittance text) decodes from the printed page at
        200 dpi to the letter's own amount and references, for two customers in one run."""
        for partner in (self.customer, self.customer_2):
            for due in ("2026-01-20", "2026-01-22", "2026-01-25"):
                self.remind(self._invoice(partner, due), self.level_2, "2026-03-01")
        logs, _mails = self.run_ladder(DAY)
        self.assertEqual(len(logs), 2)
        for log in logs:
            pdf = self.render_pdf("odoo_relance_fr.action_report_relance_letter", log)
            codes = decode_qr_codes(pdf)
            self.assertEqual(len(codes), 1, log.partner_id.name)
            self.assert_epc(
                codes[0],
                sum(log.move_ids.mapped("amount_residual")),
                log.move_ids.sorted("invoice_date_due").mapped(lambda m: m.payment_reference or m.name),
            )

    def test_statement_pays_the_overdue_amount(self):
        """The statement's QR code asks for the overdue amount, the one its reference names, not the balance
        with invoices not yet due."""
        overdue = self._invoice(self.customer, "2026-02-01", price=1000.0) | self._invoice(
            self.customer, "2026-02-10", price=950.0
        )
        self._invoice(self.customer, "2026-04-10", price=2500.0)  # not yet due
        with freeze_time(DAY):
            pdf = self.render_pdf("odoo_relance_fr.action_report_relance_statement", self.customer, relance_date=DAY)
        codes = decode_qr_codes(pdf)
        self.assertEqual(len(codes), 1)
        amount = sum(overdue.mapped("amount_residual"))
        self.assert_epc(codes[0], amount, overdue.mapped("payment_reference"))
        text = flat(pdf_text(pdf))
        self.assertIn(f"payer le montant échu, {eur(amount)}", text)
        self.assertIn("40 € par facture en retard", text)
        self.assertNotIn("payée en retard", text)

    def test_letters_print_the_customer_page_not_invoice_links(self):
        """On paper: the transfer details and the customer's page, its address printed in full to be typed; the
        invoices' own portal links, long and one per invoice, are for the emails."""
        self.remind(self._invoice(self.customer, "2026-01-20"), self.level_2, "2026-03-01")
        logs, mails = self.run_ladder(DAY)
        text = pdf_text(self.render_pdf("odoo_relance_fr.action_report_relance_letter", logs))
        self.assertNotIn("/my/invoices", text)
        self.assertNotIn("Consulter et régler", text)
        self.assertIn(IBAN, text)
        self.assertIn(logs.access_id.url, text)
        self.assertIn("Consulter et régler la facture en ligne", text_of(mails.body_html))


@tagged("post_install", "-at_install")
class TestTypography(DocumentsCommon):
    def test_translations_follow_french_typography(self):
        """Every French text of the addon: non-breaking space before : ; ? ! and inside « »."""
        for entry in polib.pofile(str(FR_PO)):
            text = re.sub(r"<[^>]*>|\{\{.*?\}\}|%\([a-z_]+\)s", "", entry.msgstr)  # the text, not code around it
            with self.subTest(msgid=entry.msgid[:60]):
                assert_typography(self, text, "fr.po")

    def test_rendered_french_texts(self):
        """Emails, letters, statement and call script as printed, for several customers."""
        self.remind(self._invoice(self.customer, "2026-01-20"), self.level_2, "2026-03-01")
        self.remind(self._invoice(self.customer_2, "2026-01-20"), self.level_1, "2026-03-01")
        with freeze_time("2026-03-10"):
            self._invoice(self.customer_2, "2026-03-23")  # pre-due notice, joining the day's reminder
        logs, mails = self.run_ladder(DAY)
        self.assertEqual(len(mails), 2)
        for mail in mails:
            assert_typography(self, text_of(mail.body_html), mail.subject)
            assert_typography(self, mail.subject, mail.subject)
        # the HTML wkhtmltopdf prints (the text extracted from a PDF turns every space into a plain one)
        letters = logs.filtered(lambda log: log.state == "to_print")
        reports = self.env["ir.actions.report"].with_context(relance_date=DAY)
        letter = reports._render_qweb_html("odoo_relance_fr.action_report_relance_letter", letters.ids)[0]
        assert_typography(self, text_of(letter.decode()), "letter")
        with freeze_time(DAY):
            statement = reports._render_qweb_html(
                "odoo_relance_fr.action_report_relance_statement", self.customer_2.ids
            )
        assert_typography(self, text_of(statement[0].decode()), "statement")

    def test_one_register_per_text(self):
        """« Bonjour » goes with « Cordialement », « Madame, Monsieur » with « salutations distinguées »."""
        with freeze_time("2026-03-10"):
            self._invoice(self.customer, "2026-03-23")
        self.remind(self._invoice(self.customer_2, "2026-01-20"), self.level_1, "2026-03-01")
        _logs, mails = self.run_ladder("2026-03-16")
        for mail in mails:
            text = text_of(mail.body_html)
            with self.subTest(subject=mail.subject):
                if text.lstrip().startswith("Bonjour"):
                    self.assertIn("Cordialement", text)
                    self.assertNotIn("agréer", text)
                else:
                    self.assertTrue(text.lstrip().startswith("Madame, Monsieur,"), text[:40])
                    self.assertIn("salutations distinguées", text)
                    self.assertNotIn("Cordialement", text)
        self.assertEqual(len(mails), 2)
        self.assertEqual(sorted(text_of(m.body_html).split(",")[0].strip() for m in mails), ["Bonjour", "Madame"])

    def test_statement_greeting_on_its_own_line(self):
        self._invoice(self.customer, "2026-02-01")
        html = (
            self.env["ir.actions.report"]
            .with_context(relance_date=DAY)
            ._render_qweb_html("odoo_relance_fr.action_report_relance_statement", self.customer.ids)[0]
            .decode()
        )
        self.assertRegex(html, r"<p>\s*Madame, Monsieur,\s*</p>")

    def test_first_of_the_month_and_no_city(self):
        """« Paris, le 1er décembre 2026 »; without a city on the company, « Le 1er décembre 2026 »."""
        move = self._invoice(self.customer, "2026-10-20")
        self.remind(move, self.level_2, "2026-11-16")
        logs, _mails = self.run_ladder("2026-12-01")
        text = " ".join(pdf_text(self.render_pdf("odoo_relance_fr.action_report_relance_letter", logs)).split())
        self.assertIn("Paris, le 1er décembre 2026", text)
        self.company.city = False
        text = " ".join(pdf_text(self.render_pdf("odoo_relance_fr.action_report_relance_letter", logs)).split())
        self.assertIn("Le 1er décembre 2026", text)
        self.assertNotIn(", le 1er", text)

    def test_call_script_for_each_stage(self):
        """An invoice not yet due is never said to be overdue; a late one is."""
        self.pre_due.channel = "phone"
        self.level_1.channel = "phone"
        with freeze_time("2026-03-10"):
            soon = self._invoice(self.customer, "2026-03-23")
        late = self._invoice(self.customer_2, "2026-03-09")
        logs, _mails = self.run_ladder(DAY)
        self.assertEqual(len(logs), 2)
        for log, move in (
            (logs.filtered(lambda l: l.move_ids == soon), soon),
            (logs.filtered(lambda l: l.move_ids == late), late),
        ):
            note = text_of(log.activity_ids.note)
            with self.subTest(invoice=move.name):
                if move == soon:
                    self.assertIn("arrive à échéance le 23/03/2026", note)
                    self.assertNotIn("échue", note)
                    self.assertNotIn("impayée", note)
                else:
                    self.assertIn("est échue depuis le 09/03/2026 (7\xa0jours)", note)
                    self.assertIn("reste impayée", note)
                assert_typography(self, note, "call script")


@tagged("post_install", "-at_install")
class TestInvoiceMentions(DocumentsCommon):
    def invoice_text(self, move):
        return flat(pdf_text(self.render_pdf("account.account_invoices", move, report_pdf_no_attachment=True)))

    def test_business_invoices_carry_the_late_payment_terms(self):
        """Art. L441-9: penalty rate, 40 € indemnity, early payment terms, SIREN, RCS and VAT of the seller;
        two business customers in one run, each invoice its own, none for a private person."""
        business = self._invoice(self.customer, "2026-03-31") | self._invoice(self.customer_2, "2026-04-30")
        private = self._invoice(self.private_person, "2026-03-31")
        pdf_texts = {move: self.invoice_text(move) for move in business | private}
        for move in business:
            text = pdf_texts[move]
            with self.subTest(invoice=move.name):
                self.assertIn(move.name, text)
                self.assertIn("au taux annuel de 12,15 %", text)
                self.assertIn("taux de refinancement de la Banque centrale européenne majoré de 10 points", text)
                self.assertIn("indemnité forfaitaire de 40 € pour frais de recouvrement", text)
                self.assertIn("L441-10 et D441-5 du Code de commerce", text)
                self.assertIn("Pas d'escompte pour paiement anticipé.", text)
                self.assertIn("SIREN 334 175 221", text)
                self.assertIn("RCS Paris B 334 175 221", text)
                self.assertIn("N° TVA intracommunautaire FR23334175221", text)
        for absent in ("L441-10", "40 €", "escompte"):
            self.assertNotIn(absent, pdf_texts[private])

    def test_terms_are_settings(self):
        move = self._invoice(self.customer, "2026-03-31")
        self.company.with_context(lang="fr_FR").write(
            {
                "relance_invoice_penalty_text": "Pénalités : trois fois le taux d'intérêt légal.",
                "relance_early_payment_text": "Escompte de 1 % pour paiement sous 8 jours.",
            }
        )
        text = self.invoice_text(move)
        self.assertIn("Pénalités : trois fois le taux d'intérêt légal.", text)
        self.assertIn("Escompte de 1 % pour paiement sous 8 jours.", text)
        self.assertNotIn("12,15", text)
        self.company.relance_invoice_mentions = False
        self.assertNotIn("Pénalités", self.invoice_text(move))

    def test_english_customer_reads_english(self):
        move = self._invoice(self.english, "2026-03-31")
        text = self.invoice_text(move)
        self.assertIn("No discount for early payment.", text)
        self.assertIn("fixed indemnity of 40 € for recovery costs", text)
