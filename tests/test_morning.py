"""The accountant's morning: the work the reminders create reaches a person."""

from freezegun import freeze_time

from odoo.tests import tagged

from .test_ladder import LadderCommon


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
