from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import D, RelanceCommon


@tagged("post_install", "-at_install")
class TestLatePenalties(RelanceCommon):
    def details(self, move, date, date_from=None):
        return move._relance_penalty_details(D(date), D(date_from) if date_from else None)

    def test_worked_example_60_days(self):
        # 1 200,00 TTC due 15/01/2026, unpaid 16/03/2026: 60 days at 2,15 + 10 = 12,15 %
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        self.assertEqual(move.amount_total, 1200.0)
        details = self.details(move, "2026-03-16")
        self.assertEqual(
            (details["days"], details["rates"], details["penalty"], details["indemnity"]), (60, [12.15], 23.97, 40.0)
        )
        self.assertEqual(details["notes"], [])

    def test_partial_payment_in_the_middle(self):
        # 1 200 for 30 days, then 600 for 30 days: 11,98356 + 5,99178 = 17,97534
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        self._pay(move, 600.0, "2026-02-14")
        details = self.details(move, "2026-03-16")
        self.assertEqual((details["days"], details["penalty"], details["indemnity"]), (60, 17.98, 40.0))

    def test_paid_late_counts_until_payment(self):
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        self._pay(move, 1200.0, "2026-02-14")
        details = self.details(move, "2026-03-16")
        self.assertEqual((details["days"], details["penalty"], details["indemnity"]), (30, 11.98, 40.0))

    def test_paid_on_time_owes_nothing(self):
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        self._pay(move, 1200.0, "2026-01-15")
        details = self.details(move, "2026-03-16")
        self.assertEqual((details["days"], details["penalty"], details["indemnity"]), (0, 0.0, 0.0))

    def test_delay_crossing_1_july_split_by_semester(self):
        # 15 days of 2025-H1 at 13,15 % and 15 days of 2025-H2 at 12,15 %: 1 200 x 3,795 / 365 = 12,4767
        move = self._invoice(self.customer, "2025-06-15", invoice_date="2025-06-01")
        details = self.details(move, "2025-07-15")
        self.assertEqual((details["days"], details["rates"], details["penalty"]), (30, [13.15, 12.15], 12.48))

    def test_delay_crossing_1_july_single_rate(self):
        # whole delay at the due date's semester rate, 13,15 %: 1 200 x 0,1315 x 30 / 365 = 12,9699
        self.company.relance_penalty_split_semesters = False
        move = self._invoice(self.customer, "2025-06-15", invoice_date="2025-06-01")
        details = self.details(move, "2025-07-15")
        self.assertEqual((details["rates"], details["penalty"]), ([13.15], 12.97))

    def test_private_person_owes_nothing(self):
        move = self._invoice(self.private_person, "2026-01-15", invoice_date="2026-01-01")
        details = self.details(move, "2026-03-16")
        self.assertEqual((details["days"], details["penalty"], details["indemnity"]), (60, 0.0, 0.0))

    def test_company_flagged_consumer_owes_nothing(self):
        self.customer.relance_is_consumer = True
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        self.assertEqual(self.details(move, "2026-03-16")["penalty"], 0.0)

    def test_contractual_rate(self):
        # 1 200 x 15 % x 60 / 365 = 29,589
        self.company.write({"relance_penalty_rate_type": "contractual", "relance_contract_rate": 15.0})
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        details = self.details(move, "2026-03-16")
        self.assertEqual((details["rates"], details["penalty"], details["indemnity"]), ([15.0], 29.59, 40.0))

    def test_missing_semester_uses_latest_rate_and_says_so(self):
        # 2026-H2 is not in the table: 2026-H1's 2,15 % + 10 is used; 1 200 x 0,1215 x 30 / 365 = 11,9836
        move = self._invoice(self.customer, "2026-07-15", invoice_date="2026-07-01")
        details = self.with_fr(move)._relance_penalty_details(D("2026-08-14"))
        self.assertEqual((details["rates"], details["penalty"]), ([12.15], 11.98))
        self.assertEqual(len(details["notes"]), 1)
        self.assertIn("01/07/2026 est absent de la table", details["notes"][0])
        self.assertIn("01/01/2026 (2,15\xa0%)", details["notes"][0])

    def test_penalty_fields_on_invoice(self):
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        move = move.with_context(relance_date="2026-03-16")
        self.assertEqual(
            (move.relance_days_late, move.relance_penalty_amount, move.relance_indemnity_amount), (60, 23.97, 40.0)
        )

    def test_rate_must_start_a_semester(self):
        with self.assertRaisesMessage(ValidationError, "commence le 1er janvier ou le 1er juillet"):
            self.env["relance.rate"].with_context(lang="fr_FR").create(
                {"kind": "ecb", "date_from": "2027-03-01", "rate": 2.0}
            )

    def test_contractual_rate_warning_below_three_times_legal_rate(self):
        with freeze_time("2026-03-16"):
            settings = Form(self.env["res.config.settings"].with_context(lang="fr_FR"))
            settings.relance_penalty_rate_type = "contractual"
            settings.relance_contract_rate = 7.0
            self.assertIn("inférieur à trois fois le taux d'intérêt légal", settings.relance_contract_rate_warning)
            self.assertIn("7,86", settings.relance_contract_rate_warning)
            settings.relance_contract_rate = 8.0
            self.assertFalse(settings.relance_contract_rate_warning)

    @staticmethod
    def with_fr(record):
        return record.with_context(lang="fr_FR")


@tagged("post_install", "-at_install")
class TestBillPenalties(RelanceCommon):
    def test_bill_penalties_then_nothing_twice(self):
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        with freeze_time("2026-03-16"):
            action = move.with_context(lang="fr_FR").action_relance_bill_penalties()
            penalty_invoice = self.env["account.move"].browse(action["res_id"])
            self.assertEqual(penalty_invoice.state, "posted")
            self.assertEqual(penalty_invoice.journal_id.type, "sale")
            self.assertEqual(penalty_invoice.partner_id, self.customer)
            self.assertTrue(penalty_invoice.relance_is_penalty_invoice)
            self.assertEqual(penalty_invoice.invoice_line_ids.mapped("price_unit"), [23.97, 40.0])
            self.assertFalse(penalty_invoice.invoice_line_ids.tax_ids)
            self.assertEqual(penalty_invoice.amount_total, 63.97)
            self.assertIn(move.name, penalty_invoice.invoice_line_ids[0].name)
            self.assertIn("hors champ", penalty_invoice.invoice_line_ids[1].name)
            self.assertEqual(penalty_invoice.invoice_line_ids.mapped("account_id.code"), ["763100", "758000"])
            self.assertEqual(move.relance_penalty_billed_date, D("2026-03-16"))
            with self.assertRaisesMessage(UserError, "Rien à facturer au 16/03/2026"):
                move.with_context(lang="fr_FR").action_relance_bill_penalties()
        with freeze_time("2026-04-15"):
            # 30 more days: 1 200 x 12,15 % x 30 / 365 = 11,98; the indemnity is not billed again
            action = move.action_relance_bill_penalties()
            second = self.env["account.move"].browse(action["res_id"])
            self.assertEqual(second.invoice_line_ids.mapped("price_unit"), [11.98])

    def test_penalty_invoice_has_payment_terms_and_no_notice_the_same_day(self):
        """The customer's payment terms (30 days): the penalty invoice is not due the day it is billed, and the
        day's ladder sends it nothing; the indemnity goes to its own account, the accounts are settings."""
        terms = self.env.ref("account.account_payment_term_30days")
        self.customer.property_payment_term_id = terms
        other = self.env["account.account"].search([("code", "=", "758100")], limit=1)
        self.company.relance_indemnity_account_id = other
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        with freeze_time("2026-03-16"):
            penalty_invoice = self.env["account.move"].browse(move.action_relance_bill_penalties()["res_id"])
            self.assertEqual(penalty_invoice.invoice_payment_term_id, terms)
            self.assertEqual(penalty_invoice.invoice_date_due, D("2026-04-15"))
            self.assertEqual(
                penalty_invoice.invoice_line_ids.mapped("account_id"), self.company._relance_penalty_account() | other
            )
            self.assertNotEqual(penalty_invoice.relance_next_date, D("2026-03-16"))
            self.env.ref("odoo_relance_fr.ir_cron_relance_ladder").method_direct_trigger()
        self.assertFalse(self.env["relance.log"].search([("move_ids", "in", penalty_invoice.ids)]))

    def test_private_person_has_nothing_to_bill(self):
        move = self._invoice(self.private_person, "2026-01-15", invoice_date="2026-01-01")
        count = self.env["account.move"].search_count([])
        with freeze_time("2026-03-16"), self.assertRaises(UserError):
            move.action_relance_bill_penalties()
        self.assertEqual(self.env["account.move"].search_count([]), count)

    def test_penalty_invoice_accrues_no_penalty(self):
        move = self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01")
        with freeze_time("2026-03-16"):
            penalty_invoice = self.env["account.move"].browse(move.action_relance_bill_penalties()["res_id"])
        self.assertEqual(penalty_invoice._relance_penalty_details(D("2026-12-31"))["penalty"], 0.0)
