"""The accountant's morning: the work the reminders create reaches a person."""

from freezegun import freeze_time

from odoo.tests import tagged

from .common import LadderCommon


@tagged("post_install", "-at_install")
class TestWorkReachesAPerson(LadderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nathalie = cls._user("nathalie.relances", "account.group_account_invoice")
        cls.salesman = cls._user("paul.ventes", "account.group_account_invoice")
        cls.archived = cls._user("ancien.commercial", "account.group_account_invoice")
        cls.archived.active = False
        cls.odoobot = cls.env.ref("base.user_root")

    def formal_notice_for(self, partner, salesperson):
        move = self._invoice(partner, "2026-01-23", invoice_user_id=salesperson.id)
        self.remind(move, self.level_3, "2026-03-01")
        return move

    def assert_person(self, user):
        self.assertTrue(user.active and not user.share and user != self.odoobot, user.name)

    def test_activities_go_to_a_person(self):
        """OdooBot or an archived salesperson (imports, scripts): the responsible of Settings; an active
        salesperson: the salesperson; several customers in one run, each its own."""
        self.company.relance_responsible_id = self.nathalie
        by_salesperson = {
            self.odoobot: self.formal_notice_for(self.customer, self.odoobot),
            self.archived: self.formal_notice_for(self.customer_2, self.archived),
            self.salesman: self.formal_notice_for(self.private_person, self.salesman),
        }
        logs, _mails = self.run_ladder("2026-03-16")
        self.assertEqual(len(logs), 3)
        expected = {self.odoobot: self.nathalie, self.archived: self.nathalie, self.salesman: self.salesman}
        for salesperson, move in by_salesperson.items():
            log = logs.filtered(lambda log, move=move: log.move_ids == move)
            with self.subTest(salesperson=salesperson.name):
                self.assertEqual(log.activity_ids.user_id, expected[salesperson])

    def test_without_responsible_never_odoobot(self):
        """No responsible in Settings and the scheduler running as OdooBot: still a person of the company."""
        self.company.relance_responsible_id = False
        self.formal_notice_for(self.customer, self.odoobot)
        logs, _mails = self.run_ladder("2026-03-16")
        self.assertEqual(len(logs.activity_ids), 1)
        self.assert_person(logs.activity_ids.user_id)

    def test_call_activity_to_a_person(self):
        self.company.relance_responsible_id = self.nathalie
        self.level_1.channel = "phone"
        self._invoice(self.customer, "2026-03-09", invoice_user_id=self.odoobot.id)
        logs, _mails = self.run_ladder("2026-03-16")
        self.assertEqual(logs.activity_ids.user_id, self.nathalie)
        self.assertEqual(logs.activity_ids.activity_type_id, self.env.ref("mail.mail_activity_data_call"))

    def test_formal_notice_sent_by_who_validated_it(self):
        """« Envoyée par » is the billing user who validated the formal notice, not the scheduler."""
        self.formal_notice_for(self.customer, self.odoobot)
        logs, _mails = self.run_ladder("2026-03-16")
        with freeze_time("2026-03-16"), self.mock_mail_gateway():
            logs.with_user(self.nathalie).action_relance_validate()
        self.assertEqual((logs.state, logs.user_id), ("to_print", self.nathalie))


@tagged("post_install", "-at_install")
class TestPrivatePersonSaysSo(LadderCommon):
    PRIVATE = "Particulier : pas de pénalités commerciales, intérêts au taux légal après mise en demeure"

    def arch(self, model):
        arch = self.env[model].with_context(lang="fr_FR").get_views([(False, "form")])["views"]["form"]["arch"]
        return " ".join(arch.replace("\xa0", " ").split())

    def test_invoice_and_customer_forms(self):
        """A private person's late invoice says why it shows no penalty; a business's shows its penalties."""
        private = self._invoice(self.private_person, "2026-01-15")
        business = self._invoice(self.customer, "2026-01-15")
        self.assertEqual((private.relance_is_business, business.relance_is_business), (False, True))
        for model, condition in (
            ("account.move", 'invisible="relance_is_business"'),
            ("res.partner", 'invisible="is_company and not relance_is_consumer"'),
        ):
            arch = self.arch(model)
            with self.subTest(model=model):
                self.assertIn(self.PRIVATE, arch)
                block = arch[arch.rindex("<div", 0, arch.index(self.PRIVATE)) : arch.index(self.PRIVATE)]
                self.assertIn(condition, block)


@tagged("post_install", "-at_install")
class TestCustomersWithoutEmail(LadderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.no_email = cls.env["res.partner"].create(
            {
                "name": "Atelier Sans Mail SARL",
                "is_company": True,
                "street": "4 rue Basse",
                "zip": "37000",
                "city": "Tours",
                "lang": "fr_FR",
            }
        )
        cls.nowhere = cls.env["res.partner"].create({"name": "Fantôme SAS", "is_company": True, "lang": "fr_FR"})

    def test_by_letter_when_no_email(self):
        """No email but a postal address: the day's email reminder goes by letter; the customers with an
        email still get theirs; the one with neither fails with what to complete, one warning, no traceback."""
        by_letter = self._invoice(self.no_email, "2026-03-09")
        emailed = self._invoice(self.customer, "2026-03-09")
        nowhere = self._invoice(self.nowhere, "2026-03-09")
        with self.assertLogs("odoo.addons.odoo_relance_fr.models.relance_ladder", level="WARNING") as logged:
            logs, mails = self.run_ladder("2026-03-16")
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.customer)
        letter = logs.filtered(lambda log: log.move_ids == by_letter)
        self.assertEqual((letter.channel, letter.state), ("letter", "to_print"))
        self.assertIn("Pas d'adresse e-mail", letter.with_context(lang="fr_FR").note)
        self.assertEqual(by_letter.relance_level_id, self.level_1)
        self.assertEqual(logs.filtered(lambda log: log.move_ids == emailed).state, "sent")
        failed = logs.filtered(lambda log: log.move_ids == nowhere)
        self.assertEqual(failed.state, "failed")
        self.assertIn("n'a ni adresse e-mail ni adresse postale", failed.note)
        self.assertEqual(len(logged.records), 1)
        self.assertIsNone(logged.records[0].exc_info, "no traceback for an address to complete")
        self.assertIn("Fantôme SAS", logged.output[0])

    def test_setting_off_fails_with_its_reason(self):
        self.company.relance_letter_without_email = False
        move = self._invoice(self.no_email, "2026-03-09")
        logs, mails = self.run_ladder("2026-03-16")
        self.assertFalse(mails)
        self.assertEqual((logs.state, move.relance_level_id), ("failed", self.env["relance.level"]))
        self.assertIn("n'a pas d'adresse e-mail", logs.note)

    def test_to_complete_list_and_wizard_count(self):
        self._invoice(self.no_email, "2026-03-09")
        self._invoice(self.nowhere, "2026-03-09")
        self._invoice(self.customer, "2026-03-09")
        self.customer_2.email = False  # no invoice: not listed
        found = self.env["res.partner"].search([("relance_to_complete", "=", True)])
        self.assertEqual(found, self.no_email | self.nowhere)
        self.assertEqual(found.mapped("relance_to_complete"), [True, True])
        with freeze_time("2026-03-16"):
            wizard = self.env["relance.wizard"].create({})
        self.assertEqual(wizard.to_complete_count, 2)
        action = wizard.action_open_to_complete()
        self.assertEqual(action["res_model"], "res.partner")


@tagged("post_install", "-at_install")
class TestMissingRateShown(LadderCommon):
    def test_missing_semester_where_the_accountant_looks(self):
        """On 01/12/2026 the table has no 2026-H2 rate: Settings, the wizard and the rates list say so; once
        entered, they say nothing; the rates list never sums rates."""
        self.env["relance.rate"].search([("kind", "=", "ecb"), ("date_from", ">=", "2026-07-01")]).unlink()
        with freeze_time("2026-12-01"):
            settings = self.env["res.config.settings"].with_context(lang="fr_FR").create({})
            wizard = self.env["relance.wizard"].with_context(lang="fr_FR").create({})
            notice = self.env["relance.rate"].with_context(lang="fr_FR").action_relance_missing_rate()
            for text in (settings.relance_rate_missing, wizard.rate_missing, notice["params"]["message"]):
                self.assertIn("semestre commençant le 01/07/2026", text)
                self.assertIn("01/01/2026 (2,15", text)
            self.env["relance.rate"].create({"kind": "ecb", "date_from": "2026-07-01", "rate": 2.15})
            self.assertFalse(self.env["res.config.settings"].create({}).relance_rate_missing)
            self.assertFalse(self.env["relance.wizard"].create({}).rate_missing)
        groups = self.env["relance.rate"].read_group([], ["rate"], ["kind"])
        self.assertTrue(groups)
        self.assertTrue(all(group.get("rate") is None for group in groups), groups)

    def test_accounting_manager_asked_to_enter_the_rate(self):
        """On 1 July with no rate for the semester, the day's run gives an accounting manager (a person) one
        activity to enter it, not one per run; nothing once the rate is in the table."""
        Rate = self.env["relance.rate"]
        Rate.search([("kind", "=", "ecb"), ("date_from", ">=", "2026-07-01")]).unlink()
        latest = Rate.search([("kind", "=", "ecb")], limit=1)
        self.run_ladder("2026-07-01")
        self.run_ladder("2026-07-02")
        activity = latest.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("01/07/2026", activity.summary)
        self.assertTrue(activity.user_id.has_group("account.group_account_manager"))
        self.assertTrue(activity.user_id.active and not activity.user_id.share)
        self.assertNotEqual(activity.user_id, self.env.ref("base.user_root"))
        activity.action_feedback()
        new = Rate.create({"kind": "ecb", "date_from": "2026-07-01", "rate": 2.15})
        self.run_ladder("2026-07-03")
        self.assertFalse((latest | new).activity_ids)


@tagged("post_install", "-at_install")
class TestOneMessageADay(LadderCommon):
    """On statement day a customer gets one message: its reminder (with the day's pre-due notices and the
    statement attached, or without the statement), or its statement alone when no reminder email goes."""

    def setUp(self):
        super().setUp()
        self.company.write({"relance_statement_day": "16", "relance_grouping": True, "relance_auto_send": True})
        with freeze_time("2026-03-10"):
            self.soon = self._invoice(self.customer, "2026-03-23")  # pre-due notice on 16/03
        self.late = self._invoice(self.customer, "2026-01-15") | self._invoice(self.customer, "2026-01-20")
        self.remind(self.late, self.level_1, "2026-03-01")  # Relance 2 on 16/03
        # not due in the ladder today (reminded yesterday), two overdue invoices: the statement alone
        self.other = self._invoice(self.customer_2, "2026-01-15") | self._invoice(self.customer_2, "2026-02-01")
        self.remind(self.other, self.level_1, "2026-03-15")
        # a formal notice waiting for validation sends no email today: the statement alone
        self.formal = self._invoice(self.private_person, "2026-01-23") | self._invoice(
            self.private_person, "2026-01-23"
        )
        self.remind(self.formal, self.level_3, "2026-03-01")

    def run_day(self, first, second):
        logs, mails = self.env["relance.log"], self.env["mail.mail"]
        for cron in (first, second):
            before = self.env["relance.log"].search([])
            with freeze_time("2026-03-16"), self.mock_mail_gateway():
                self.env.ref(f"odoo_relance_fr.ir_cron_relance_{cron}").method_direct_trigger()
                mails |= self._new_mails.filtered(lambda mail: mail.mail_message_id.message_type != "user_notification")
            logs |= self.env["relance.log"].search([]) - before
        return logs, mails

    def mails_of(self, mails, partner):
        return mails.filtered(lambda mail: mail.recipient_ids == partner)

    def assert_statement_alone(self, logs, mails, partner):
        (mail,) = self.mails_of(mails, partner)
        statement = logs.filtered(lambda log: log.partner_id == partner and log.kind == "statement")
        self.assertEqual((statement.state, statement.sent_with_id), ("sent", self.env["relance.log"]))
        self.assertEqual(mail.attachment_ids, statement.letter_attachment_id)

    def test_statement_attached_ladder_first(self):
        self.assert_one_message_each("ladder", "statement")

    def test_statement_attached_statements_first(self):
        self.assert_one_message_each("statement", "ladder")

    def assert_one_message_each(self, *order):
        logs, mails = self.run_day(*order)
        for partner in (self.customer, self.customer_2, self.private_person):
            self.assertEqual(len(self.mails_of(mails, partner)), 1, partner.name)
        (mail,) = self.mails_of(mails, self.customer)
        reminder = logs.filtered(lambda log: log.partner_id == self.customer and log.kind == "reminder")
        statement = logs.filtered(lambda log: log.partner_id == self.customer and log.kind == "statement")
        self.assertEqual((reminder.level_id, reminder.move_ids), (self.level_2, self.late | self.soon))
        self.assertTrue(reminder.with_statement)
        self.assertEqual((statement.state, statement.sent_with_id), ("sent", reminder))
        self.assertEqual(statement.move_ids, self.late | self.soon)
        self.assertIn(statement.letter_attachment_id, mail.attachment_ids)
        self.assertTrue(statement.letter_attachment_id.raw.startswith(b"%PDF"))
        self.assertEqual(len(mail.attachment_ids), 4, "three invoices and the statement")
        self.assertIn("la facture ci-dessous arrivera prochainement à échéance", mail.body_html)
        self.assertIn("Vous trouverez également en pièce jointe votre relevé de compte à ce jour", mail.body_html)
        self.assertEqual(
            mail.subject, "Ateliers Dupont SAS – 2e relance – 2\u00a0factures impayées, et 1\u00a0facture à échoir"
        )
        self.assertIn(
            "3\u00a0600,00\u00a0€</strong>, dont 1\u00a0200,00\u00a0€ non encore échus, à régler au plus tard à leur "
            "échéance",
            mail.body_html,
        )
        self.assert_statement_alone(logs, mails, self.customer_2)
        self.assertNotIn("relevé de compte", self.mails_of(mails, self.customer_2).body_html.split("<table")[0])
        self.assert_statement_alone(logs, mails, self.private_person)
        notice = logs.filtered(lambda log: log.partner_id == self.private_person and log.kind == "reminder")
        self.assertEqual((notice.level_id, notice.state), (self.mise_en_demeure, "planned"))
        self.assertFalse(self.run_day(*order)[1], "the crons run again that day: nothing more")

    def test_wizard_on_statement_day_attaches_each_customer_its_statement(self):
        """Sent from the wizard by a billing user on statement day, each customer's reminder email carries its
        own statement (the wizard's statements are rendered together, as the scheduler's)."""
        self.remind(self.other, self.level_1, "2026-03-01")  # customer_2 due for Relance 2 today too
        billing = self._user("relance_billing_statement_day", "account.group_account_invoice")
        with freeze_time("2026-03-16"), self.mock_mail_gateway():
            Wizard = self.env["relance.wizard"].with_user(billing).with_context(lang="fr_FR")
            wizard = Wizard.browse(Wizard.action_relance_open()["res_id"])
            wizard.line_ids.filtered(lambda line: line.partner_id == self.private_person).skip = True
            wizard.action_send()
            mails = self._new_mails.filtered(lambda mail: mail.mail_message_id.message_type != "user_notification")
        self.assertEqual(wizard.line_ids.mapped("result"), ["sent", "sent", "skipped"])
        logs = self.env["relance.log"].search([("date", "=", "2026-03-16")])
        for partner, moves in ((self.customer, self.late | self.soon), (self.customer_2, self.other)):
            (mail,) = self.mails_of(mails, partner)
            reminder = logs.filtered(lambda log, p=partner: log.partner_id == p and log.kind == "reminder")
            statement = logs.filtered(lambda log, p=partner: log.partner_id == p and log.kind == "statement")
            self.assertEqual((statement.state, statement.sent_with_id, statement.move_ids), ("sent", reminder, moves))
            self.assertIn(statement.letter_attachment_id, mail.attachment_ids)
            self.assertTrue(statement.letter_attachment_id.raw.startswith(b"%PDF"))
            self.assertEqual(len(mail.attachment_ids), len(reminder.move_ids) + 1, "its invoices and its statement")
            self.assertIn("Vous trouverez également en pièce jointe votre relevé de compte", mail.body_html)
        self.assertFalse(self.mails_of(mails, self.private_person))

    def test_statement_skipped_on_a_reminder_day(self):
        self.company.relance_statement_with_reminder = "skip"
        logs, mails = self.run_day("statement", "ladder")
        (mail,) = self.mails_of(mails, self.customer)
        self.assertEqual(len(mail.attachment_ids), 3, "the three invoices, no statement")
        self.assertNotIn("relevé de compte", mail.body_html)
        self.assertFalse(logs.filtered(lambda log: log.partner_id == self.customer and log.kind == "statement"))
        self.assertFalse(logs.filtered(lambda log: log.partner_id == self.customer).with_statement)
        self.assert_statement_alone(logs, mails, self.customer_2)
        self.assert_statement_alone(logs, mails, self.private_person)
        # a second run of the statements that day still leaves the reminded customer alone
        again = self.run_day("statement", "ladder")[1]
        self.assertFalse(again)
