from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import RelanceCommon


@tagged("post_install", "-at_install")
class TestRelanceSecurity(RelanceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Filiale Sud SARL"})
        cls.billing = cls._user("relance_billing", "account.group_account_invoice")
        cls.manager = cls._user("relance_manager", "account.group_account_manager")
        cls.other_billing = cls._user("relance_other", "account.group_account_invoice", cls.other_company)
        cls.portal = cls._user("relance_portal", "base.group_portal")
        cls.log = cls.env["relance.log"].create(
            {"partner_id": cls.customer.id, "level_id": cls.level_1.id, "channel": "email", "state": "sent"}
        )

    def test_billing_user_reads_levels_but_cannot_edit(self):
        levels = self.env["relance.level"].with_user(self.billing).search([])
        self.assertEqual(levels, self.env["relance.level"]._relance_ladder(self.company))
        with self.assertRaises(AccessError):
            self.level_2.with_user(self.billing).write({"delay": 25})
        with self.assertRaises(AccessError):
            self.env["relance.level"].with_user(self.billing).create({"name": "X", "sequence": 99, "delay": 99})

    def test_billing_user_creates_log(self):
        log = (
            self.env["relance.log"]
            .with_user(self.billing)
            .create({"partner_id": self.customer.id, "level_id": self.level_1.id, "channel": "phone", "note": "Appel"})
        )
        self.assertEqual((log.user_id, log.company_id, log.state), (self.billing, self.company, "planned"))

    def test_manager_edits_levels(self):
        self.level_2.with_user(self.manager).write({"delay": 25})
        self.assertEqual(self.level_2.delay, 25)

    def test_other_company_sees_nothing_of_ours(self):
        Level = self.env["relance.level"].with_user(self.other_billing)
        self.assertFalse(Level.search([("company_id", "=", self.company.id)]))
        self.assertEqual(Level.search([]).company_id, self.other_company)
        self.assertFalse(self.env["relance.log"].with_user(self.other_billing).search([]))
        with self.assertRaises(AccessError):
            self.log.with_user(self.other_billing).read(["note"])

    def test_portal_user_reads_nothing(self):
        with self.assertRaises(AccessError):
            self.env["relance.log"].with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.env["relance.level"].with_user(self.portal).search([])
        with self.assertRaises(AccessError):
            self.env["relance.rate"].with_user(self.portal).search([])

    def test_portal_customer_reads_no_penalty_nor_reminder_data(self):
        customer_portal = self._user("relance_customer_portal", "base.group_portal")
        customer_portal.partner_id.parent_id = self.customer
        move = self._invoice(self.customer, "2026-01-15")
        self.assertEqual(
            move.with_user(customer_portal).read(["name"])[0]["name"], move.name, "the customer can see its own invoice"
        )
        for fname in (
            "relance_penalty_amount",
            "relance_indemnity_amount",
            "relance_level_id",
            "relance_log_ids",
            "relance_next_date",
            "relance_dispute",
        ):
            with self.subTest(field=fname), self.assertRaises(AccessError):
                move.with_user(customer_portal).read([fname])
        for fname in ("relance_overdue_amount", "relance_penalty_amount", "relance_log_ids", "relance_excluded"):
            with self.subTest(field=fname), self.assertRaises(AccessError):
                self.customer.with_user(customer_portal).read([fname])

    def test_other_company_reads_no_penalty(self):
        move = self._invoice(self.customer, "2026-01-15")
        with self.assertRaises(AccessError):
            move.with_user(self.other_billing).read(["relance_penalty_amount"])
        self.assertFalse(self.env["account.move"].with_user(self.other_billing).search([("id", "=", move.id)]))

    def test_billing_user_cannot_change_settings(self):
        with self.assertRaises(AccessError):
            self.company.with_user(self.billing).write({"relance_min_amount": 0.0})
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.billing).create({"relance_min_amount": 0.0}).execute()
        self.company.invalidate_recordset()
        self.assertEqual(self.company.relance_min_amount, 5.0)
