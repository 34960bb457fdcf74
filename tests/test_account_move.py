from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import D, RelanceCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-16")
class TestInvoiceSchedule(RelanceCommon):
    def test_not_yet_due_gets_pre_due_notice(self):
        move = self._invoice(self.customer, "2026-03-30")
        self.assertEqual(move.relance_next_level_id, self.pre_due)
        self.assertEqual(move.relance_next_date, D("2026-03-23"))

    def test_overdue_never_reminded_starts_at_level_1(self):
        move = self._invoice(self.customer, "2026-01-15")
        self.assertFalse(move.relance_level_id)
        self.assertEqual(move.relance_next_level_id, self.level_1)
        self.assertEqual(move.relance_next_date, D("2026-01-22"))

    def test_next_level_waits_for_delay_and_gap(self):
        move = self._invoice(self.customer, "2026-02-20")
        move.write({"relance_level_id": self.level_1.id, "relance_last_date": "2026-03-10"})
        # delay: 2026-02-20 + 22 = 2026-03-14; gap: 2026-03-10 + 15 = 2026-03-25
        self.assertEqual(move.relance_next_level_id, self.level_2)
        self.assertEqual(move.relance_next_date, D("2026-03-25"))

    def test_manual_last_date_pushes_next_reminder(self):
        move = self._invoice(self.customer, "2026-01-15")
        move.write({"relance_level_id": self.level_2.id, "relance_last_date": "2026-02-10"})
        self.assertEqual(move.relance_next_date, D("2026-02-25"))
        move.relance_last_date = "2026-03-12"
        self.assertEqual(move.relance_next_level_id, self.level_3)
        self.assertEqual(move.relance_next_date, D("2026-03-27"))

    def test_end_of_ladder_has_no_next(self):
        move = self._invoice(self.customer, "2025-12-01")
        move.write({"relance_level_id": self.mise_en_demeure.id, "relance_last_date": "2026-03-01"})
        self.assertFalse(move.relance_next_level_id)
        self.assertFalse(move.relance_next_date)

    def test_paid_invoice_not_scheduled(self):
        move = self._invoice(self.customer, "2026-01-15")
        self._pay(move, 1200.0, "2026-03-10")
        self.assertEqual(move.payment_state, "paid")
        self.assertFalse(move.relance_next_date)
        self.assertFalse(move.relance_next_level_id)

    def test_partially_paid_invoice_stays_scheduled(self):
        move = self._invoice(self.customer, "2026-01-15")
        self._pay(move, 500.0, "2026-03-10")
        self.assertEqual((move.payment_state, move.amount_residual), ("partial", 700.0))
        self.assertEqual(move.relance_next_level_id, self.level_1)

    def test_excluded_invoice_and_partner_not_scheduled(self):
        move = self._invoice(self.customer, "2026-01-15")
        other = self._invoice(self.customer_2, "2026-01-15")
        move.relance_excluded = True
        self.customer_2.relance_excluded = True
        self.assertFalse(move.relance_next_date)
        self.assertFalse(other.relance_next_date)
        self.customer_2.relance_excluded = False
        self.assertEqual(other.relance_next_date, D("2026-01-22"))

    def test_draft_invoice_not_scheduled_nor_dated(self):
        move = self._invoice(self.customer, "2026-01-15", post=False)
        self.assertFalse(move.relance_next_date)
        with self.assertRaisesMessage(ValidationError, "n'est pas une facture client validée"):
            move.with_context(lang="fr_FR").relance_last_date = "2026-03-01"

    def test_future_last_date_refused(self):
        move = self._invoice(self.customer, "2026-01-15")
        with self.assertRaisesMessage(ValidationError, r"\(17/03/2026\) est dans le futur"):
            move.with_context(lang="fr_FR").relance_last_date = "2026-03-17"
        move.invalidate_recordset()
        self.assertFalse(move.relance_last_date)

    def test_residual_below_minimum_not_scheduled(self):
        move = self._invoice(self.customer, "2026-01-15", price=3.0)
        self.assertEqual(move.amount_residual, 3.6)
        self.assertFalse(move.relance_next_date)
        self.company.relance_min_amount = 3.0
        self.assertEqual(move.relance_next_date, D("2026-01-22"))

    def test_ladder_change_reschedules_open_invoices(self):
        move = self._invoice(self.customer, "2026-01-15")
        move.write({"relance_level_id": self.level_1.id, "relance_last_date": "2026-01-22"})
        self.assertEqual(move.relance_next_date, D("2026-02-06"))
        self.level_2.delay = 30
        self.assertEqual(move.relance_next_date, D("2026-02-14"))

    def test_instalments_follow_earliest_open_due_date(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "50 % à 30 jours, 50 % à 60 jours",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 30}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 60}),
                ],
            }
        )
        move = self._invoice(self.customer, "2026-01-31", invoice_date="2026-01-01", invoice_payment_term_id=term.id)
        self.assertEqual(move.relance_due_date, D("2026-01-31"))
        self.assertEqual(move.relance_next_date, D("2026-02-07"))
        self._pay(move, 600.0, "2026-02-15")
        self.assertEqual(move.relance_due_date, D("2026-03-02"))
        self.assertEqual(move.relance_next_date, D("2026-03-09"))


@tagged("post_install", "-at_install")
@freeze_time("2026-03-16")
class TestScheduleForAnyUser(RelanceCommon):
    """The stored reminder schedule is computed whoever triggers it: Odoo's own flows never fail for it.
    Each flow starts from an empty cache and is flushed in the user's own environment, as a request does."""

    def pay_as(self, user, move, amount):
        """Pay move as a sudo'ed user does (online payment, website order)."""
        self.env.invalidate_all()
        register = (
            self.env["account.payment.register"]
            .with_user(user)
            .sudo()
            .with_context(
                active_model="account.move",
                active_ids=move.ids,
            )
            .create({"amount": amount, "payment_date": "2026-03-16"})
        )
        register._create_payments()
        register.env.flush_all()

    def test_sudo_portal_user_posts_invoice(self):
        portal = self._user("relance_portal_poster", "base.group_portal")
        move = self._invoice(self.customer, "2026-03-30", post=False)
        self.env.invalidate_all()
        posted = move.with_user(portal).sudo()
        posted.action_post()
        posted.env.flush_all()
        self.assertEqual(
            (move.state, move.relance_next_level_id, move.relance_next_date), ("posted", self.pre_due, D("2026-03-23"))
        )

    def test_sudo_public_user_pays_invoice(self):
        public = self.env.ref("base.public_user")
        move = self._invoice(self.customer, "2026-01-15")
        self.assertEqual(move.relance_next_level_id, self.level_1)
        self.pay_as(public, move, 1200.0)
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertFalse(move.relance_next_level_id)
        self.assertFalse(move.relance_next_date)

    def test_sudo_public_user_partial_payment_keeps_schedule(self):
        public = self.env.ref("base.public_user")
        move = self._invoice(self.customer, "2026-01-15")
        self.pay_as(public, move, 200.0)
        self.assertEqual((move.payment_state, move.relance_next_level_id), ("partial", self.level_1))

    def test_other_company_user_edits_shared_customer(self):
        other = self.env["res.company"].create({"name": "Filiale Sud SARL"})
        user = self._user("relance_other_editor", "account.group_account_invoice,base.group_partner_manager", other)
        move = self._invoice(self.customer, "2026-01-15")
        self.assertFalse(self.customer.company_id, "a customer shared by every company")
        self.env.invalidate_all()
        customer = self.customer.with_user(user).with_company(other)
        customer.write({"relance_excluded": True, "phone": "+33 4 78 00 00 00"})
        customer.env.flush_all()
        self.assertEqual(move.relance_next_level_id, self.level_1, "excluded by the other company only")
        self.assertTrue(self.customer.with_company(other).relance_excluded)
        self.env.invalidate_all()
        self.customer.with_company(self.company).relance_excluded = True
        self.env.flush_all()
        self.assertFalse(move.relance_next_level_id, "excluded by ours")
        self.env.invalidate_all()
        customer.write({"relance_excluded": False})
        customer.env.flush_all()
        self.assertFalse(move.relance_next_level_id, "still excluded by ours")
