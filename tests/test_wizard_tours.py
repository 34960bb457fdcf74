from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestReminderTours(RelanceCommon, HttpCase):
    """Tours send real reminders; the invoices' PDFs are stored beforehand, as after Odoo's "Send", because
    wkhtmltopdf fetching assets from the test server would wait for the test cursor the tour holds."""

    browser_size = "1440x900"  # the accountant's screen the columns are sized for

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.user_admin").lang = "fr_FR"
        cls.customer_2.name = "Garage Leroy SA"

    def _invoice_with_pdf(self, partner, due):
        move = self._invoice(partner, due)
        self.env["ir.attachment"].create(
            {
                "name": f"{move.name}.pdf",
                "raw": b"%PDF-1.4 stored",
                "res_model": "account.move",
                "res_id": move.id,
                "res_field": "invoice_pdf_report_file",
                "mimetype": "application/pdf",
            }
        )
        return move

    def test_remind_from_invoice_form(self):
        move = self._invoice_with_pdf(self.customer, "2026-01-15")
        self.start_tour(
            f"/odoo/action-account.action_move_out_invoice_type/{move.id}", "relance_remind_from_invoice", login="admin"
        )
        self.assertEqual(move.relance_level_id, self.level_1)
        self.assertEqual(move.relance_log_ids.state, "sent")
        self.assertTrue(move.relance_log_ids.mail_mail_id)

    def test_morning_batch_with_one_skipped_customer(self):
        reminded = self._invoice_with_pdf(self.customer, "2026-01-15")
        skipped = self._invoice_with_pdf(self.customer_2, "2026-01-15")
        self.start_tour("/odoo", "relance_morning_batch", login="admin")
        self.assertEqual(reminded.relance_level_id, self.level_1)
        self.assertFalse(skipped.relance_level_id)
        self.assertFalse(skipped.relance_log_ids)

    def test_log_phone_outcome(self):
        move = self._invoice(self.customer, "2026-01-15")
        log = self.env["relance.ladder"]._relance_send_chosen(
            self.customer, move.relance_next_date.today(), move, self.level_1, "phone"
        )
        self.assertEqual((log.state, len(log.activity_ids)), ("planned", 1))
        self.start_tour(
            f"/odoo/action-odoo_relance_fr.relance_log_action/{log.id}", "relance_call_outcome", login="admin"
        )
        self.assertEqual(log.state, "done")
        self.assertTrue(move.relance_dispute)
        self.assertIn("Livraison incomplète", log.note)

    def billing_user(self):
        user = self._user("sophie.compta", "account.group_account_invoice")
        user.lang = "fr_FR"
        return user

    def test_preview_and_edit_from_the_wizard_as_billing_user(self):
        """The wizard opens saved: « Prévisualiser et modifier l'e-mail » opens the email of the line at once,
        for a billing user, and the edited email is the one sent."""
        edited = self._invoice_with_pdf(self.customer, "2026-01-15")
        other = self._invoice_with_pdf(self.customer_2, "2026-01-15")
        self.start_tour("/odoo", "relance_preview_and_edit", login=self.billing_user().login)
        self.assertEqual(edited.relance_log_ids.mail_mail_id.subject, "Relance – suite à notre appel de ce matin")
        self.assertIn(edited.name, edited.relance_log_ids.mail_mail_id.body_html)
        self.assertNotIn("suite à notre appel", other.relance_log_ids.mail_mail_id.subject)
        self.assertEqual((edited | other).mapped("relance_level_id"), self.level_1)

    def test_only_due_levels_and_reasons_before_sending(self):
        self.private_person.write({"street": "8 rue des Lilas", "city": "Lyon"})
        reminded = self._invoice_with_pdf(self.private_person, "2026-01-23")
        reminded.write({"relance_level_id": self.level_2.id, "relance_last_date": fields.Date.context_today(reminded)})
        due = self._invoice_with_pdf(self.customer, "2026-01-15")
        self.start_tour(
            "/odoo/action-account.action_move_out_invoice_type",
            "relance_due_levels_and_reasons",
            login=self.billing_user().login,
        )
        self.assertEqual(due.relance_level_id, self.level_1)
        self.assertFalse(reminded.relance_log_ids, "nothing sent, no empty failed reminder")

    def test_settings_ladder_shows_whole_names(self):
        self.start_tour("/odoo/settings#account", "relance_settings_ladder_whole", login="admin")

    def test_reminder_invoice_list_has_totals(self):
        moves = self._invoice_with_pdf(self.customer, "2026-01-15") | self._invoice_with_pdf(
            self.customer, "2026-01-20"
        )
        log = self.env["relance.ladder"]._relance_send_chosen(
            self.customer, fields.Date.context_today(moves), moves, self.level_1
        )
        self.assertEqual(log.state, "sent")
        self.start_tour(
            f"/odoo/action-odoo_relance_fr.relance_log_action/{log.id}", "relance_history_invoice_totals", login="admin"
        )
