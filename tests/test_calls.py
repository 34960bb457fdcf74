from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .test_ladder import LadderCommon

D = fields.Date.to_date


@tagged("post_install", "-at_install")
@freeze_time("2026-03-16")
class TestCallOutcomes(LadderCommon):
    def planned_call(self):
        move = self._invoice(self.customer, "2026-01-15")
        wizard = Form(self.env["relance.wizard"].with_context(active_model="account.move", active_ids=move.ids)).save()
        wizard.line_ids.channel = "phone"
        wizard.action_send()
        log = move.relance_log_ids
        self.assertEqual((log.state, len(log.activity_ids)), ("planned", 1))
        return log, move

    def record(self, log, outcome, promise_date=None, note=None):
        form = Form(
            self.env["relance.call.wizard"].with_context(lang="fr_FR", **log.action_relance_call_outcome()["context"])
        )
        form.outcome = outcome
        if promise_date:
            form.promise_date = promise_date
        if note:
            form.note = note
        return form.save()

    def test_promise_pauses_the_ladder(self):
        log, move = self.planned_call()
        self.record(log, "promise", "2026-03-30", "Virement prévu fin de mois").action_confirm()
        self.assertEqual(log.state, "done")
        self.assertFalse(log.activity_ids)
        self.assertIn("Promesse de paiement", log.note)
        self.assertEqual(
            (move.relance_last_date, move.relance_level_id, move.relance_promise_date),
            (D("2026-03-16"), self.level_1, D("2026-03-30")),
        )
        self.assertEqual(move.relance_next_date, D("2026-03-31"))

    def test_dispute_stops_the_ladder(self):
        log, move = self.planned_call()
        self.record(log, "dispute", note="Livraison incomplète").action_confirm()
        self.assertTrue(move.relance_dispute)
        self.assertFalse(move.relance_next_date)

    def test_no_answer_still_counts_as_reminded(self):
        log, move = self.planned_call()
        self.record(log, "no_answer").action_confirm()
        self.assertEqual((move.relance_last_date, move.relance_next_level_id), (D("2026-03-16"), self.level_2))
        self.assertFalse(move.relance_promise_date)

    def test_promise_without_date_refused(self):
        log, move = self.planned_call()
        wizard = self.record(log, "promise", "2026-03-10")
        with self.assertRaisesMessage(UserError, "date de paiement"):
            wizard.with_context(lang="fr_FR").action_confirm()
        self.assertEqual((log.state, move.relance_last_date), ("planned", False))

    def test_call_activity_needs_an_outcome(self):
        log, move = self.planned_call()
        with self.assertRaisesMessage(UserError, "Résultat de l'appel"):
            log.activity_ids.with_context(lang="fr_FR").action_feedback(feedback="fait")
        self.assertEqual((log.state, len(log.activity_ids), move.relance_last_date), ("planned", 1, False))

    def test_history_pivot_and_graph(self):
        views = self.env["relance.log"].get_views([(False, "pivot"), (False, "graph")])["views"]
        self.assertEqual(set(views), {"pivot", "graph"})
