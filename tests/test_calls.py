from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import D, LadderCommon


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


@tagged("post_install", "-at_install")
class TestCourtesyCall(LadderCommon):
    """« Un premier rappel une semaine avant l'échéance et un suivi par téléphone trois jours avant », for the
    customers one knows well and the large invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.courtesy = cls.env.ref("odoo_relance_fr.relance_level_courtesy_call")
        cls.nathalie = cls._user("nathalie.appels", "account.group_account_invoice")
        cls.company.relance_responsible_id = cls.nathalie
        cls.customer.relance_courtesy_call = True
        cls.customer.phone = "+33 4 78 00 11 22"
        cls.env["res.partner"].create(
            {
                "name": "Julie Martin",
                "type": "invoice",
                "parent_id": cls.customer.id,
                "email": "julie@boulangerie-martin.fr",
            }
        )

    def setUp(self):
        super().setUp()
        self.company.relance_grouping = True
        odoobot = self.env.ref("base.user_root")
        with freeze_time("2026-03-10"):
            self.known = self._invoice(self.customer, "2026-03-23", invoice_user_id=odoobot.id) | self._invoice(
                self.customer, "2026-03-23", price=300.0, invoice_user_id=odoobot.id
            )
            self.large = self._invoice(self.customer_2, "2026-03-23", price=6000.0, invoice_user_id=odoobot.id)
            self.small = self._invoice(self.private_person, "2026-03-23", price=100.0, invoice_user_id=odoobot.id)

    def calls(self, logs):
        return logs.filtered(lambda log: log.level_id == self.courtesy)

    def test_default_ladder_has_the_courtesy_call(self):
        ladder = self.env["relance.level"]._relance_ladder(self.company)
        self.assertEqual(ladder[:3], self.pre_due | self.courtesy | self.level_1)
        self.assertEqual(
            (self.courtesy.delay, self.courtesy.channel, self.courtesy.selected_only, self.courtesy.tone),
            (-3, "phone", True, "pre_due"),
        )
        self.assertEqual(self.company.relance_courtesy_call_amount, 5000.0)

    def test_email_seven_days_before_then_call_three_days_before_each_once(self):
        logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(len(mails), 4, "a pre-due notice per invoice, for every customer")
        self.assertFalse(self.calls(logs))
        self.assertFalse(self.run_ladder("2026-03-19")[0])

        logs, mails = self.run_ladder("2026-03-20")
        self.assertFalse(mails, "a call, not an email")
        calls = self.calls(logs)
        self.assertEqual(calls.partner_id, self.customer | self.customer_2, "the known customer and the large invoice")
        by_partner = {log.partner_id: log for log in calls}
        self.assertEqual(by_partner[self.customer].move_ids, self.known, "one call for both invoices")
        self.assertEqual(by_partner[self.customer_2].move_ids, self.large)
        for log in calls:
            with self.subTest(customer=log.partner_id.name):
                (activity,) = log.activity_ids
                self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
                self.assertEqual((activity.user_id, activity.summary), (self.nathalie, "Appel de courtoisie"))
                self.assertEqual(activity.date_deadline, D("2026-03-20"))
                self.assertEqual(log.state, "sent")
                self.assertNotIn("échue", activity.note)
                for move in log.move_ids:
                    self.assertIn(move.name, activity.note)
                    self.assertEqual((move.relance_level_id, move.relance_next_level_id), (self.courtesy, self.level_1))
                    self.assertEqual(move.relance_next_date, D("2026-03-30"))
        known_note = by_partner[self.customer].activity_ids.note
        self.assertIn(
            f"Bonjour Julie Martin, je voulais juste vous rappeler que vos factures {self.known[0].name} "
            f"et {self.known[1].name} arrivent à échéance le 23/03/2026. Si vous avez des questions, n'hésitez pas "
            "à me contacter.",
            known_note,
        )
        self.assertIn("+33 4 78 00 11 22", known_note)
        self.assertIn(
            f"Bonjour, je voulais juste vous rappeler que votre facture {self.large.name} arrive à "
            "échéance le 23/03/2026. Si vous avez des questions, n'hésitez pas à me contacter.",
            by_partner[self.customer_2].activity_ids.note,
        )
        self.assertEqual(self.small.relance_next_level_id, self.level_1, "no call for a small invoice")
        self.assertFalse(self.run_ladder("2026-03-21")[0], "each level once")
        # the call made: marked done from the activity, its reminder is done
        by_partner[self.customer].activity_ids.action_feedback(feedback="Paiement prévu le 23")
        self.assertEqual(by_partner[self.customer].state, "done")
        # after the due date, the ladder goes on by email whether the call was made or not
        logs, mails = self.run_ladder("2026-03-30")
        self.assertEqual(logs.partner_id, self.customer | self.customer_2 | self.private_person)
        self.assertEqual(set(logs.mapped("level_id")), {self.level_1})

    def test_call_skipped_once_the_due_date_is_past(self):
        self.remind(self.known, self.pre_due, "2026-03-16")
        logs, _mails = self.run_ladder("2026-03-24")
        self.assertFalse(self.calls(logs))
        self.assertEqual(self.known.relance_next_level_id, self.level_1)
        self.assertEqual(set(self.known.mapped("relance_next_date")), {D("2026-03-30")})

    @freeze_time("2026-03-16")
    def test_amount_and_flag_choose_the_invoices(self):
        self.company.relance_courtesy_call_amount = 10000.0
        self.remind(self.known | self.large, self.pre_due, "2026-03-16")
        self.assertEqual(set(self.known.relance_next_level_id), {self.courtesy}, "flagged customer, any amount")
        self.assertEqual(self.large.relance_next_level_id, self.level_1, "7 200 € is below 10 000 €")
        self.assertEqual(set(self.known.mapped("relance_next_date")), {D("2026-03-20")})
        # a call due the day of the notice waits for the next day: one reminder a day
        late_notice = self._invoice(self.customer, "2026-03-19")
        self.remind(late_notice, self.pre_due, "2026-03-16")
        self.assertEqual(
            (late_notice.relance_next_level_id, late_notice.relance_next_date), (self.courtesy, D("2026-03-17"))
        )
        self.customer.relance_courtesy_call = False
        self.assertEqual(set(self.known.relance_next_level_id), {self.level_1})
