"""The customer's page in a browser, as an anonymous visitor who followed the link of a reminder: announce a
payment date, report a problem, download the PDFs; then the ladder skips those invoices and the person in
charge has the activity."""

from odoo.tests import tagged

from .test_portal import PortalCommon


@tagged("post_install", "-at_install")
class TestCustomerPageTours(PortalCommon):
    def test_announce_a_payment_date(self):
        access = self.link(self.customer)
        self.start_tour(access._relance_path(), "relance_portal_promise", login=None)
        first = self.martin_late  # the earliest due comes first
        first.invalidate_recordset()
        self.assertEqual(first.relance_promise_date, self.days(self.company.relance_promise_max_days))
        self.assertEqual((self.martin_recent | self.martin_soon).mapped("relance_promise_date"), [False, False])
        answer = self.answers()
        self.assertEqual(
            (answer.answer, answer.move_ids, answer.activity_ids.user_id), ("promise", first, self.accountant)
        )
        logs, _mails = self.run_ladder(self.today)
        self.assertNotIn(first, logs.move_ids)
        self.assertIn(self.martin_recent, logs.move_ids)

    def test_report_a_problem(self):
        access = self.link(self.customer)
        self.start_tour(access._relance_path(), "relance_portal_problem", login=None)
        last = self.martin_soon  # the latest due comes last
        last.invalidate_recordset()
        self.assertEqual((last.relance_dispute, last.relance_dispute_reason), (True, "amount"))
        answer = self.answers()
        self.assertEqual((answer.answer, answer.move_ids), ("dispute", last))
        self.assertIn("La remise de 10 % convenue n'apparaît pas.", answer.note)
        self.assertEqual(answer.activity_ids.user_id, self.accountant)
        self.assertFalse(last.relance_next_date)

    def test_download_the_pdfs(self):
        access = self.link(self.customer_2)
        self.start_tour(access._relance_path(), "relance_portal_download", login=None)
