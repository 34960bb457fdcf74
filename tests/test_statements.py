from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import html2plaintext

from .common import D, LadderCommon


@tagged("post_install", "-at_install")
class TestStatements(LadderCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"street": "3 place du Marché", "zip": "69001", "city": "Lyon"})
        # the statement run alone: with the daily ladder on, the customers it reminds that day get their
        # statement with the reminder (TestOneMessageADay)
        cls.company.relance_auto_send = False

    def prepare_customer(self):
        """Five invoices in every ageing bucket, a partial payment, a credit note, an unallocated payment."""
        moves = {
            "a": self._invoice(self.customer, "2026-01-15", invoice_date="2026-01-01", ref="CDE-A"),  # 60 days
            "b": self._invoice(self.customer, "2026-03-01", invoice_date="2026-02-01", price=500.0),  # 15 days
            "c": self._invoice(self.customer, "2026-04-15", invoice_date="2026-03-15", price=200.0),  # not due
            "d": self._invoice(self.customer, "2025-12-01", invoice_date="2025-11-01"),  # 105 days
            "e": self._invoice(self.customer, "2025-12-31", invoice_date="2025-12-01", price=300.0),  # 75 days
        }
        self._pay(moves["b"], 200.0, "2026-03-05")
        moves["credit"] = self._invoice(
            self.customer, "2026-03-10", invoice_date="2026-03-10", price=100.0, move_type="out_refund"
        )
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 50.0,
                "date": "2026-03-12",
            }
        )
        payment.action_post()
        return moves

    def run_statements(self, date):
        before = self.env["relance.log"].search([])
        with freeze_time(date), self.mock_mail_gateway():
            self.env.ref("odoo_relance_fr.ir_cron_relance_statement").method_direct_trigger()
            mails = self._new_mails
        return self.env["relance.log"].search([]) - before, mails

    def test_contents_ageing_and_totals(self):
        self.prepare_customer()
        (section,) = self.customer._relance_statement(D("2026-03-16"), self.company)
        self.assertEqual(
            section["buckets"], {"not_due": 240.0, "1_30": 400.0, "31_60": 1200.0, "61_90": 360.0, "over_90": 1200.0}
        )
        self.assertEqual(
            (section["overdue"], section["not_due"], section["credits"], section["balance"]),
            (3160.0, 240.0, -170.0, 3230.0),
        )
        self.assertEqual(
            [row["status"] for row in section["rows"]],
            ["overdue", "overdue", "overdue", "overdue", "credit_note", "payment", "not_due"],
        )
        partial = next(row for row in section["rows"] if row["amount"] == 600.0)
        self.assertEqual((partial["paid"], partial["remaining"], partial["days_late"]), (200.0, 400.0, 15))
        # 23,97 (60 d) + 2,26 (600 for 4 d, 400 for 11 d) + 41,94 (105 d) + 8,99 (75 d); 4 x 40 €
        self.assertEqual((section["penalties"], section["indemnities"]), (77.16, 160.0))

    def test_statements_of_several_customers_read_together(self):
        """A batch's statements are read together: each customer gets its own items, those addressed to one of
        its contacts included, and its own penalties (none for a private person)."""
        self.prepare_customer()
        contact = self.env["res.partner"].create(
            {"name": "Service comptable", "type": "invoice", "parent_id": self.customer_2.id}
        )
        to_contact = self._invoice(contact, "2026-02-01", invoice_date="2026-01-15")
        private = self._invoice(self.private_person, "2026-02-01", invoice_date="2026-01-15", price=250.0)
        customers = self.customer | self.customer_2 | self.private_person
        statements = customers._relance_statements(D("2026-03-16"), self.company)
        self.assertEqual(set(statements), set(customers.ids))
        (first,) = statements[self.customer.id]
        self.assertEqual((first["balance"], first["penalties"], first["indemnities"]), (3230.0, 77.16, 160.0))
        self.assertNotIn(to_contact.name, [row["name"] for row in first["rows"]])
        (second,) = statements[self.customer_2.id]
        self.assertEqual([row["name"] for row in second["rows"]], [to_contact.name])
        self.assertEqual((second["balance"], second["indemnities"]), (1200.0, 40.0))
        self.assertGreater(second["penalties"], 0.0)
        (third,) = statements[self.private_person.id]
        self.assertEqual([row["name"] for row in third["rows"]], [private.name])
        self.assertEqual((third["balance"], third["penalties"], third["indemnities"]), (300.0, 0.0, 0.0))

    def test_printed_statement(self):
        moves = self.prepare_customer()
        html = (
            self.env["ir.actions.report"]
            .with_context(relance_date="2026-03-16")
            ._render_qweb_html("odoo_relance_fr.action_report_relance_statement", self.customer.ids)[0]
        )
        text = " ".join(html2plaintext(html.decode()).split())
        for expected in (
            "Relevé de compte au 16/03/2026",
            moves["a"].name,
            "CDE-A",
            "1 200,00 €",
            "400,00 €",
            "échue",
            "à échoir",
            "avoir",
            "paiement non affecté",
            "Non échu",
            "1-30 jours",
            "> 90 jours",
            "3 160,00 €",
            "-\ufeff170,00 €",
            "3 230,00 €",
            "77,16 €",
            "160,00 €",
            "L441-10",
            "FR76 3000 6000 0112 3456 7890 189",
            "SIRET 334 175 221 00012",
        ):
            self.assertIn(expected, text)

    def test_private_person_has_no_penalties(self):
        self._invoice(self.private_person, "2026-01-15")
        self._invoice(self.private_person, "2026-02-01")
        (section,) = self.private_person._relance_statement(D("2026-03-16"), self.company)
        self.assertEqual((section["penalties"], section["indemnities"], section["overdue"]), (0.0, 0.0, 2400.0))
        html = (
            self.env["ir.actions.report"]
            .with_context(relance_date="2026-03-16")
            ._render_qweb_html("odoo_relance_fr.action_report_relance_statement", self.private_person.ids)[0]
        )
        self.assertNotIn("L441-10", html.decode())

    def test_multi_currency_one_section_each(self):
        usd = self.env.ref("base.USD")
        usd.active = True
        self.env["res.currency.rate"].create(
            {"name": "2025-01-01", "rate": 1.1, "currency_id": usd.id, "company_id": self.company.id}
        )
        self._invoice(self.customer, "2026-01-15")
        self._invoice(self.customer, "2026-02-15", currency_id=usd.id)
        sections = self.customer._relance_statement(D("2026-03-16"), self.company)
        self.assertEqual([(s["currency"].name, s["balance"]) for s in sections], [("EUR", 1200.0), ("USD", 1200.0)])

    def test_day_rule(self):
        self.company.relance_statement_day = "16"
        self._invoice(self.customer, "2026-01-15")
        self._invoice(self.customer, "2026-02-15")
        self.assertFalse(self.run_statements("2026-03-15")[0])
        logs, mails = self.run_statements("2026-03-16")
        self.assertEqual((logs.kind, logs.state, logs.partner_id, len(mails)), ("statement", "sent", self.customer, 1))
        self.assertFalse(self.run_statements("2026-03-16")[0], "once per month, even run twice")
        self.assertFalse(self.run_statements("2026-03-17")[0])
        self.assertEqual(len(self.run_statements("2026-04-16")[0]), 1)

    def test_last_day_of_february(self):
        self.company.relance_statement_day = "last"
        self._invoice(self.customer, "2026-01-10")
        self._invoice(self.customer, "2026-01-20")
        self.assertFalse(self.run_statements("2026-02-27")[0])
        self.assertEqual(len(self.run_statements("2026-02-28")[0]), 1)

    def test_threshold(self):
        self._invoice(self.customer, "2026-01-15")
        self._invoice(self.customer, "2026-04-15")  # not overdue
        self.assertFalse(self.run_statements("2026-03-01")[0])
        self.company.relance_statement_min_overdue = 1
        self.assertEqual(self.run_statements("2026-03-01")[0].partner_id, self.customer)
        with self.assertRaises(ValidationError):
            self.company.relance_statement_min_overdue = 0

    def test_email_with_statement_pdf(self):
        self._invoice(self.customer, "2026-01-15")
        self._invoice(self.customer, "2026-02-15")
        logs, mails = self.run_statements("2026-03-01")
        self.assertEqual(mails.subject, "Ateliers Dupont SAS – relevé de compte au 01/03/2026")
        self.assertIn("Veuillez trouver ci-joint le relevé de votre compte au 01/03/2026", mails.body_html)
        self.assertIn(
            "Solde\xa0: <strong>2\xa0400,00\xa0€</strong>, dont échu\xa0: <strong>2\xa0400,00\xa0€</strong>",
            mails.body_html,
        )
        self.assertEqual(len(mails.attachment_ids), 1)
        self.assertTrue(mails.attachment_ids.raw.startswith(b"%PDF"))
        self.assertEqual(logs.letter_attachment_id, mails.attachment_ids)

    def test_statement_run_of_several_customers(self):
        """The scheduler's run locks and reads its customers together: each email states its own customer's
        balance, each statement holds its own invoices, each customer's chatter says it was sent; run again
        the same month, nothing more goes out."""
        invoices = {
            self.customer: self._invoice(self.customer, "2026-01-15")
            | self._invoice(self.customer, "2026-02-15", price=500.0),
            self.customer_2: self._invoice(self.customer_2, "2026-02-01", price=250.0),
            self.private_person: self._invoice(self.private_person, "2026-02-10", price=2000.0)
            | self._invoice(self.private_person, "2026-04-10", price=100.0),
        }
        self.company.relance_statement_min_overdue = 1
        logs, mails = self.run_statements("2026-03-01")
        self.assertEqual(len(mails), 3)
        expected = {
            self.customer: ("1\xa0800,00\xa0€", "1\xa0800,00\xa0€"),
            self.customer_2: ("300,00\xa0€", "300,00\xa0€"),
            self.private_person: ("2\xa0520,00\xa0€", "2\xa0400,00\xa0€"),
        }
        for customer, (balance, overdue) in expected.items():
            log = logs.filtered(lambda log, customer=customer: log.partner_id == customer)
            self.assertEqual((log.state, log.move_ids), ("sent", invoices[customer]))
            mail = mails.filtered(lambda mail, log=log: mail.res_id == log.id)
            self.assertEqual(mail.recipient_ids, customer)
            self.assertIn(
                f"Solde\xa0: <strong>{balance}</strong>, dont échu\xa0: <strong>{overdue}</strong>", mail.body_html
            )
            self.assertEqual(mail.attachment_ids, log.letter_attachment_id)
            notes = customer.message_ids.filtered(lambda m: "Relevé de compte au 01/03/2026 envoyé" in (m.body or ""))
            self.assertEqual(len(notes), 1, customer.name)
        self.assertFalse(self.run_statements("2026-03-01")[1])

    def test_send_from_customer_form_any_time(self):
        self._invoice(self.customer, "2026-01-15")
        self._invoice(self.customer, "2026-02-15")
        self.run_statements("2026-03-01")
        with freeze_time("2026-03-10"), self.mock_mail_gateway():
            self.customer.action_relance_send_statement()
            self.assertEqual(len(self._new_mails), 1)

    def test_statement_failure_is_logged(self):
        self.customer.email = False
        self._invoice(self.customer, "2026-01-15")
        self._invoice(self.customer, "2026-02-15")
        logs, mails = self.run_statements("2026-03-01")
        self.assertEqual((logs.state, len(mails)), ("failed", 0))
        self.assertIn("n'a pas d'adresse e-mail", logs.note)
        self.assertFalse(self.run_statements("2026-03-01")[0])
