from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import D, RelanceCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-16")
class TestMarkAsReminded(RelanceCommon):
    def wizard(self, moves):
        return Form(
            self.env["relance.manual.wizard"].with_context(
                active_model="account.move", active_ids=moves.ids, lang="fr_FR"
            )
        )

    def test_phone_call_pushes_next_reminder(self):
        move = self._invoice(self.customer, "2026-02-22")
        self.assertEqual(move.relance_next_date, D("2026-03-01"))
        form = self.wizard(move)
        form.date = "2026-03-10"
        form.channel = "phone"
        form.note = "Le comptable promet un virement"
        action = form.save().action_confirm()
        log = self.env["relance.log"].browse(action["res_id"])
        self.assertEqual((log.channel, log.state, log.date, log.move_ids), ("phone", "done", D("2026-03-10"), move))
        self.assertEqual((move.relance_last_date, move.relance_level_id), (D("2026-03-10"), self.env["relance.level"]))
        # the next level (Relance 1, gap 7 days) now waits 7 days after the call
        self.assertEqual((move.relance_next_level_id, move.relance_next_date), (self.level_1, D("2026-03-17")))
        self.assertTrue(
            any("Le comptable promet un virement" in body for body in self.customer.message_ids.mapped("body"))
        )

    def test_with_level_one_log_per_customer(self):
        first = self._invoice(self.customer, "2026-01-15")
        second = self._invoice(self.customer, "2026-01-20")
        other = self._invoice(self.customer_2, "2026-01-15")
        form = self.wizard(first | second | other)
        form.channel = "letter"
        form.level_id = self.level_2
        action = form.save().action_confirm()
        logs = self.env["relance.log"].search(action["domain"])
        self.assertEqual(sorted(len(log.move_ids) for log in logs), [1, 2])
        self.assertEqual((first | second | other).relance_level_id, self.level_2)
        self.assertEqual(set((first | second | other).mapped("relance_last_date")), {D("2026-03-16")})

    def test_earlier_event_never_moves_the_last_reminder_back(self):
        """Marked as reminded on 10/03 when the last reminder (Relance 2) was on 12/03: the event enters the
        history, the invoice keeps its later date and its level; another invoice of the same customer, last
        reminded before, takes the new date."""
        late = self._invoice(self.customer, "2026-01-15")
        late.write({"relance_level_id": self.level_2.id, "relance_last_date": "2026-03-12"})
        earlier = self._invoice(self.customer, "2026-01-20")
        earlier.write({"relance_level_id": self.level_1.id, "relance_last_date": "2026-03-01"})
        form = self.wizard(late | earlier)
        form.date = "2026-03-10"
        form.level_id = self.level_1
        action = form.save().action_confirm()
        log = self.env["relance.log"].browse(action["res_id"])
        self.assertEqual((log.date, log.state, log.move_ids), (D("2026-03-10"), "done", late | earlier))
        self.assertEqual((late.relance_last_date, late.relance_level_id), (D("2026-03-12"), self.level_2))
        self.assertEqual((earlier.relance_last_date, earlier.relance_level_id), (D("2026-03-10"), self.level_1))

    def test_future_date_refused(self):
        move = self._invoice(self.customer, "2026-01-15")
        form = self.wizard(move)
        form.date = "2026-03-20"
        wizard = form.save()
        with self.assertRaisesMessage(UserError, "ne peut pas être enregistrée dans le futur"):
            wizard.action_confirm()
        self.assertFalse(move.relance_last_date)
        self.assertFalse(move.relance_log_ids)

    def test_draft_invoice_refused(self):
        move = self._invoice(self.customer, "2026-01-15", post=False)
        wizard = self.wizard(move).save()
        with self.assertRaisesMessage(UserError, "factures clients validées"):
            wizard.action_confirm()


@tagged("post_install", "-at_install")
@freeze_time("2026-03-16")
class TestCustomerReminderTab(RelanceCommon):
    def test_overdue_penalties_and_history_count(self):
        self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        self._invoice(self.customer, "2026-04-15", invoice_date="2026-03-15")
        self.env["relance.log"].create({"partner_id": self.customer.id, "channel": "phone", "state": "done"})
        self.customer.invalidate_recordset()
        self.assertEqual(
            (
                self.customer.relance_overdue_amount,
                self.customer.relance_penalty_amount,
                self.customer.relance_log_count,
            ),
            (1200.0, 23.97, 1),
        )
        action = self.customer.action_relance_open_history()
        self.assertEqual(action["domain"], [("partner_id", "=", self.customer.id)])
