"""Every email of a run carries its own content: several customers, French and English, one process.

Production renders hundreds of emails of the same template in one process: each test here runs one
template over seven customers (four French companies, a French private person, two English
companies) and reads every body, asserting its own invoices, due dates, amounts, penalties, bank
details and signature, and none of another customer's invoices.
"""

import html
import re

from freezegun import freeze_time

from odoo import fields
from odoo.tests import Form, tagged
from odoo.tools import html2plaintext

from .common import D, LadderCommon

DAY = D("2026-03-16")
IBAN = "FR76 3000 6000 0112 3456 7890 189"
RATE_2026_H1 = 0.1215  # ECB refinancing rate of 2026-H1 (2.15 %) + 10 points


def fr_eur(amount):
    return f"{amount:,.2f}".replace(",", "\xa0").replace(".", ",") + "\xa0€"


def en_eur(amount):
    return f"{amount:,.2f}\xa0€"


def penalty(residual, due, date=DAY):
    """Late penalty to date, computed here by hand: residual x 12.15 % x days late / 365."""
    return round(residual * RATE_2026_H1 * (date - D(due)).days / 365, 2)


def text_of(html):
    """The words as read: without the images, whose data URIs html2plaintext would list with the links (a QR
    code's base64 may spell any word)."""
    return " ".join(html2plaintext(re.sub(r"<img[^>]*>", "", html)).split())


class EmailsCommon(LadderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        specs = [
            ("Boulangerie Martin SARL", True, "fr_FR"),
            ("Garage Leroy SA", True, "fr_FR"),
            ("Menuiserie Bernard EURL", True, "fr_FR"),
            ("Pharmacie Girard", True, "fr_FR"),
            ("Mme Claire Petit", False, "fr_FR"),
            ("Brightside Trading Ltd", True, "en_US"),
            ("Northwind Supplies Ltd", True, "en_US"),
        ]
        cls.partners = cls.env["res.partner"].create(
            [
                {
                    "name": name,
                    "is_company": is_company,
                    "lang": lang,
                    "email": f"compta{i}@client{i}.example",
                    "street": f"{i + 1} rue des Clients",
                    "zip": "69001",
                    "city": "Lyon",
                    "country_id": cls.env.ref("base.fr").id,
                }
                for i, (name, is_company, lang) in enumerate(specs)
            ]
        )

    def invoices(self, due, level=None, last_date=None, step=1, price=1000.0):
        """One invoice per customer, each its own amount, the due date moved back step days per customer.
        Each has its PDF stored, as after Odoo's "Send", whose bytes name the invoice."""
        moves = self.env["account.move"]
        for i, partner in enumerate(self.partners):
            move = self._invoice(partner, fields.Date.subtract(D(due), days=step * i), price=price + 37 * i)
            if level:
                self.remind(move, level, last_date)
            moves |= move
        self.env["ir.attachment"].create(
            [
                {
                    "name": f"{move.name}.pdf",
                    "raw": f"%PDF-1.4 {move.name}".encode(),
                    "res_model": "account.move",
                    "res_id": move.id,
                    "res_field": "invoice_pdf_report_file",
                    "mimetype": "application/pdf",
                }
                for move in moves
            ]
        )
        return moves

    def mail_of(self, mails, partner):
        mail = mails.filtered(lambda m: m.recipient_ids == partner)
        self.assertEqual(len(mail), 1, f"one email to {partner.name}")
        return mail

    def assert_own(self, mail, moves, penalties, others, date=DAY):
        """The email names these invoices with their own due dates and amounts (and penalties), the bank
        details and the signature, and no invoice of another customer."""
        partner = moves.commercial_partner_id
        english = partner.lang == "en_US"
        money = en_eur if english else fr_eur
        body = html.unescape(mail.body_html)  # an edited body is sanitised: its no-break spaces become &nbsp;
        for move in moves:
            due = move.relance_due_date
            with self.subTest(customer=partner.name, invoice=move.name):
                self.assertIn(move.name, body)
                self.assertIn(due.strftime("%m/%d/%Y" if english else "%d/%m/%Y"), body)
                self.assertIn(money(move.amount_residual), body)
                if penalties:
                    self.assertIn(money(penalty(move.amount_residual, due, date)), body)
        if penalties:
            self.assertIn(money(40.0 * len(moves)), body)
            self.assertIn("L441-10", body)
        else:
            self.assertNotIn("L441-10", body)
            self.assertNotIn("D441-5", body)
        for expected in (IBAN, "AGRIFRPP882", "Ateliers Dupont SAS", "compta@ateliers-dupont.fr", "+33 1 23 45 67 89"):
            self.assertIn(expected, body)
        for other in others - moves:
            self.assertNotIn(other.name, body, f"{partner.name} reads an invoice of {other.partner_id.name}")
        self.assertEqual(
            sorted(att.raw.decode() for att in mail.attachment_ids if att.res_model == "account.move"),
            sorted(f"%PDF-1.4 {move.name}" for move in moves),
            "each invoice's own PDF",
        )

    def assert_each_own(self, mails, moves, penalties):
        """One email per customer, each with its own content."""
        self.assertEqual(len(mails), len(self.partners))
        for partner in self.partners:
            business = partner.is_company
            self.assert_own(
                self.mail_of(mails, partner),
                moves.filtered(lambda m, partner=partner: m.partner_id == partner),
                penalties and business,
                moves,
            )


@tagged("post_install", "-at_install")
class TestLadderEmails(EmailsCommon):
    def test_pre_due_notices(self):
        with freeze_time("2026-03-10"):
            moves = self.invoices("2026-03-23")
        _logs, mails = self.run_ladder(DAY)
        self.assert_each_own(mails, moves, penalties=False)
        first = moves.filtered(lambda m: m.partner_id == self.partners[0])
        self.assertIn(
            f"votre facture {first.name} arrive à échéance le 23/03/2026",
            text_of(self.mail_of(mails, self.partners[0]).body_html),
        )
        self.assertIn("will fall due on", text_of(self.mail_of(mails, self.partners[5]).body_html))

    def test_reminder_1(self):
        moves = self.invoices("2026-03-09")
        _logs, mails = self.run_ladder(DAY)
        self.assert_each_own(mails, moves, penalties=False)
        for mail, move in (
            (self.mail_of(mails, p), moves.filtered(lambda m, p=p: m.partner_id == p)) for p in self.partners[:4]
        ):
            self.assertIn(
                f"le règlement de la facture {move.name}, échue le "
                f"{move.invoice_date_due.strftime('%d/%m/%Y')}, ne nous est pas encore parvenu",
                text_of(mail.body_html),
            )

    def test_reminder_2(self):
        moves = self.invoices("2026-02-22", self.level_1, "2026-03-01")
        _logs, mails = self.run_ladder(DAY)
        self.assert_each_own(mails, moves, penalties=True)
        for partner in self.partners[:4]:
            move = moves.filtered(lambda m, p=partner: m.partner_id == p)
            self.assertIn(
                f"reste impayée à ce jour, soit {(DAY - move.invoice_date_due).days} jours de retard",
                text_of(self.mail_of(mails, partner).body_html),
            )

    def test_reminder_3_emails_and_letters(self):
        moves = self.invoices("2026-02-07", self.level_2, "2026-03-01")
        logs, mails = self.run_ladder(DAY)
        self.assert_each_own(mails, moves, penalties=True)
        self.assertEqual(set(logs.mapped("state")), {"to_print"})
        for log in logs:
            html = (
                self.env["ir.actions.report"]
                ._render_qweb_html("odoo_relance_fr.action_report_relance_letter", log.ids)[0]
                .decode()
            )
            self.assertIn(log.partner_id.name, html)
            self.assertIn(log.move_ids.name, html)
            for other in moves - log.move_ids:
                self.assertNotIn(other.name, html)

    def test_formal_notices_validated(self):
        moves = self.invoices("2026-01-23", self.level_3, "2026-02-20")
        logs, mails = self.run_ladder(DAY)
        self.assertEqual((set(logs.mapped("state")), len(mails)), ({"planned"}, 0))
        with freeze_time(DAY), self.mock_mail_gateway():
            logs.action_relance_validate()
            mails = self._new_mails
        self.assert_each_own(mails, moves, penalties=True)
        for partner in self.partners:
            body = self.mail_of(mails, partner).body_html
            self.assertIn("FORMAL NOTICE" if partner.lang == "en_US" else "MISE EN DEMEURE", body)

    def test_grouped_reminders(self):
        first = self.invoices("2026-03-05", price=400.0)
        second = self.invoices("2026-02-20", self.level_1, "2026-03-01", price=700.0)
        third = self.invoices("2026-02-05", self.level_2, "2026-03-01", price=300.0)
        moves = first | second | third
        logs, mails = self.run_ladder(DAY)
        self.assertEqual(len(logs), len(self.partners))
        self.assert_each_own(mails, moves, penalties=True)
        for partner in self.partners:
            mail = self.mail_of(mails, partner)
            total = sum(moves.filtered(lambda m, p=partner: m.partner_id == p).mapped("amount_residual"))
            self.assertIn((en_eur if partner.lang == "en_US" else fr_eur)(total), mail.body_html)


@tagged("post_install", "-at_install")
class TestStatementEmails(EmailsCommon):
    def statement_moves(self):
        late = self.invoices("2026-02-15", price=500.0)
        later = self.invoices("2026-01-31", price=800.0)
        not_due = self.invoices("2026-04-15", price=200.0)
        return late | later, not_due

    def assert_statements(self, mails, overdue, not_due):
        self.assertEqual(len(mails), len(self.partners))
        for partner in self.partners:
            money = en_eur if partner.lang == "en_US" else fr_eur
            mine = overdue.filtered(lambda m, p=partner: m.partner_id == p)
            balance = sum((mine | not_due.filtered(lambda m, p=partner: m.partner_id == p)).mapped("amount_residual"))
            mail = self.mail_of(mails, partner)
            with self.subTest(customer=partner.name):
                self.assertIn(money(balance), mail.body_html)
                self.assertIn(money(sum(mine.mapped("amount_residual"))), mail.body_html)
                self.assertIn("compta@ateliers-dupont.fr", mail.body_html)
                self.assertEqual(len(mail.attachment_ids), 1)
                self.assertTrue(mail.attachment_ids.raw.startswith(b"%PDF"))
                self.assertIn(partner.name, mail.attachment_ids.name)

    def test_monthly_statements(self):
        overdue, not_due = self.statement_moves()
        self.company.relance_statement_day = "16"
        self.company.relance_auto_send = False  # the statement run alone (else it goes with the day's reminder)
        with freeze_time(DAY), self.mock_mail_gateway():
            self.env.ref("odoo_relance_fr.ir_cron_relance_statement").method_direct_trigger()
            mails = self._new_mails
        self.assert_statements(mails, overdue, not_due)

    def test_statements_from_the_customers(self):
        overdue, not_due = self.statement_moves()
        with freeze_time(DAY), self.mock_mail_gateway():
            self.partners.action_relance_send_statement()
            mails = self._new_mails
        self.assert_statements(mails, overdue, not_due)


@tagged("post_install", "-at_install")
class TestWizardEmails(EmailsCommon):
    def test_preview_then_send_each_customer(self):
        moves = self.invoices("2026-02-22", self.level_1, "2026-03-01")
        with freeze_time(DAY):
            wizard = Form(self.env["relance.wizard"].with_context(lang="fr_FR")).save()
            self.assertEqual(wizard.line_ids.partner_id, self.partners)
            for line in wizard.line_ids:
                line.action_preview()
            for line in wizard.line_ids:
                own = moves.filtered(lambda m, p=line.partner_id: m.partner_id == p)
                body = html.unescape(line.body)
                self.assertIn(own.name, body)
                self.assertIn((en_eur if line.partner_id.lang == "en_US" else fr_eur)(own.amount_residual), body)
                for other in moves - own:
                    self.assertNotIn(other.name, body)
            with self.mock_mail_gateway():
                wizard.action_send()
                mails = self._new_mails
        self.assert_each_own(mails, moves, penalties=True)

    def test_billing_user_previews_and_sends_each_customer(self):
        billing = self._user("relance_emails_billing", "account.group_account_invoice")
        moves = self.invoices("2026-02-05", self.level_2, "2026-03-01")
        with freeze_time(DAY):
            wizard = Form(self.env["relance.wizard"].with_user(billing).with_context(lang="fr_FR")).save()
            for line in wizard.line_ids:
                line.action_preview()
                own = moves.filtered(lambda m, p=line.partner_id: m.partner_id == p)
                self.assertIn(own.name, line.body)
            self.assertFalse(
                self.env["relance.log"].search([("partner_id", "in", self.partners.ids)]),
                "a preview leaves no reminder behind",
            )
            with self.mock_mail_gateway():
                wizard.action_send()
                mails = self._new_mails
        self.assert_each_own(mails, moves, penalties=True)

    def test_send_without_preview_each_customer(self):
        moves = self.invoices("2026-03-09")
        with freeze_time(DAY):
            wizard = Form(
                self.env["relance.wizard"].with_context(lang="fr_FR", active_model="account.move", active_ids=moves.ids)
            ).save()
            with self.mock_mail_gateway():
                wizard.action_send()
                mails = self._new_mails
        self.assert_each_own(mails, moves, penalties=False)


@tagged("post_install", "-at_install")
class TestTextsFollowSettings(EmailsCommon):
    """The payment deadline of Settings is the one every text gives: emails and letters."""

    def setUp(self):
        super().setUp()
        self.company.relance_med_deadline = 15
        self.partners = self.partners[3:6]  # a French company, a French private person, an English company

    def assert_deadline(self, html, partner):
        text = text_of(html)  # with every space, non-breaking ones included, as one space
        self.assertIn("15 days" if partner.lang == "en_US" else "15\xa0jours", html)
        self.assertIn("15 days" if partner.lang == "en_US" else "15 jours", text)
        for eight in ("huit", "eight", "8 jours", "8 days"):
            self.assertNotIn(eight, text)

    def letter_html(self, log):
        return self.env["ir.actions.report"]._render_qweb_html(log._relance_letter_report(), log.ids)[0].decode()

    def test_reminders_2_and_3_emails_and_letter(self):
        self.invoices("2026-02-22", self.level_1, "2026-03-01")
        self.invoices("2026-02-05", self.level_2, "2026-03-01")
        self.company.relance_grouping = False
        logs, mails = self.run_ladder(DAY)
        self.assertEqual(sorted(logs.level_id.mapped("name")), sorted([self.level_2.name, self.level_3.name]))
        self.assertEqual(len(mails), 6)
        for mail in mails:
            self.assert_deadline(mail.body_html, mail.recipient_ids)
        for log in logs.filtered(lambda log: log.level_id == self.level_3):
            self.assert_deadline(self.letter_html(log), log.partner_id)

    def test_grouped_emails(self):
        self.invoices("2026-02-22", self.level_1, "2026-03-01")
        self.invoices("2026-02-05", self.level_2, "2026-03-01")
        _logs, mails = self.run_ladder(DAY)
        self.assertEqual(len(mails), 3)
        for mail in mails:
            self.assert_deadline(mail.body_html, mail.recipient_ids)

    def formal_notices(self, grouping):
        self.company.relance_grouping = grouping
        self.invoices("2026-01-23", self.level_3, "2026-02-20")
        self.invoices("2026-01-20", self.level_3, "2026-02-20")
        logs, _mails = self.run_ladder(DAY)
        with freeze_time(DAY), self.mock_mail_gateway():
            logs.action_relance_validate()
            mails = self._new_mails
        self.assertEqual(len(mails), len(logs))
        for mail in mails:
            self.assert_deadline(mail.body_html, mail.recipient_ids)
        for log in logs:
            self.assert_deadline(self.letter_html(log), log.partner_id)
        return logs

    def test_formal_notice_per_invoice(self):
        self.assertEqual(len(self.formal_notices(grouping=False)), 6)

    def test_formal_notice_grouped(self):
        self.assertEqual(len(self.formal_notices(grouping=True)), 3)
