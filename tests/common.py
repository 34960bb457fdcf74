"""Shared test data: a French company (EUR, French chart), its customers and invoices."""

from contextlib import contextmanager

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.mail.tests.common import MockEmail

D = fields.Date.to_date  # "2026-03-16" -> date

LEVEL_XMLIDS = (
    "odoo_relance_fr.relance_level_pre_due",
    "odoo_relance_fr.relance_level_1",
    "odoo_relance_fr.relance_level_2",
    "odoo_relance_fr.relance_level_3",
    "odoo_relance_fr.relance_level_mise_en_demeure",
)


class RelanceCommon(TransactionCase):
    """A French company with the default ladder, business and private customers, and an invoice builder."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        if cls.company.chart_template != "fr" or cls.company.currency_id.name != "EUR":
            raise AssertionError(
                "The test database must be a French company (chart 'fr', EUR): create it with scripts/make_db.py"
            )
        cls.env.user.write({"company_id": cls.company.id, "company_ids": [Command.link(cls.company.id)]})
        cls.company.write(
            {
                "name": "Ateliers Dupont SAS",
                "street": "12 rue de la Paix",
                "zip": "75002",
                "city": "Paris",
                "email": "compta@ateliers-dupont.fr",
                "phone": "+33 1 23 45 67 89",
                "vat": "FR23334175221",
                "siret": "33417522100012",
            }
        )
        bank = cls.env["res.bank"].create({"name": "Crédit Agricole Île-de-France", "bic": "AGRIFRPP882"})
        cls.company_bank = cls.env["res.partner.bank"].create(
            {
                "acc_number": "FR76 3000 6000 0112 3456 7890 189",
                "partner_id": cls.company.partner_id.id,
                "bank_id": bank.id,
                "allow_out_payment": True,
            }
        )
        cls.pre_due, cls.level_1, cls.level_2, cls.level_3, cls.mise_en_demeure = (
            cls.env.ref(xmlid) for xmlid in LEVEL_XMLIDS
        )
        cls.tax_20 = cls.env["account.chart.template"].with_company(cls.company).ref("tva_normale")
        cls.product = cls.env["product.product"].create(
            {
                "name": "Prestation de conseil",
                "type": "service",
                "list_price": 1000.0,
                "taxes_id": [Command.set(cls.tax_20.ids)],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Boulangerie Martin SARL",
                "is_company": True,
                "email": "compta@boulangerie-martin.fr",
                "street": "3 place du Marché",
                "zip": "69001",
                "city": "Lyon",
                "country_id": cls.env.ref("base.fr").id,
                "lang": "fr_FR",
            }
        )
        cls.customer_2 = cls.env["res.partner"].create(
            {
                "name": "Garage Leroy SA",
                "is_company": True,
                "email": "factures@garage-leroy.fr",
                "country_id": cls.env.ref("base.fr").id,
                "lang": "fr_FR",
            }
        )
        cls.private_person = cls.env["res.partner"].create(
            {
                "name": "Mme Claire Petit",
                "is_company": False,
                "email": "claire.petit@example.fr",
                "country_id": cls.env.ref("base.fr").id,
                "lang": "fr_FR",
            }
        )

    @contextmanager
    def assertRaisesMessage(self, exception, pattern):
        """assertRaises (which rolls back what the failed call wrote) plus a check of the message."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), pattern)

    @classmethod
    def _invoice(cls, partner, due_date, price=1000.0, invoice_date=None, post=True, **vals):
        """A customer invoice of one line (price HT + 20 % VAT) due on due_date."""
        due_date = fields.Date.to_date(due_date)
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date or fields.Date.subtract(due_date, days=30),
                "invoice_date_due": due_date,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "quantity": 1,
                            "price_unit": price,
                            "tax_ids": [Command.set(cls.tax_20.ids)],
                        }
                    )
                ],
                **vals,
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _other_company(cls):
        """A second French company with its chart of accounts."""
        company = cls.env["res.company"].create({"name": "Filiale Sud SARL", "country_id": cls.env.ref("base.fr").id})
        cls.env["account.chart.template"].try_loading("fr", company=company, install_demo=False)
        return company

    @classmethod
    def _other_company_invoice(cls, company, partner, due, price=1000.0):
        """A posted invoice of another company (see _other_company), due on due."""
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=[company.id]))
        tax = env["account.chart.template"].with_company(company).ref("tva_normale")
        move = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": fields.Date.subtract(D(due), days=30),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Prestation", "quantity": 1, "price_unit": price, "tax_ids": [Command.set(tax.ids)]}
                    )
                ],
            }
        )
        move.action_post()
        return move.with_env(cls.env)

    @classmethod
    def _pay(cls, move, amount, date):
        """Register a customer payment of amount on move at date."""
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"amount": amount, "payment_date": date})
            ._create_payments()
        )

    @classmethod
    def _user(cls, login, groups, company=None):
        company = company or cls.company
        return new_test_user(
            cls.env, login=login, groups=groups, company_id=company.id, company_ids=[Command.set(company.ids)]
        )


class LadderCommon(RelanceCommon, MockEmail):
    """The common data, with the daily ladder run on a date and the emails it sent to customers."""

    def run_ladder(self, date):
        """Run the daily scheduled action on date; return the logs and the mails it sent to customers (not the
        notices telling staff an activity was assigned to them)."""
        logs_before = self.env["relance.log"].search([])
        with freeze_time(date), self.mock_mail_gateway():
            self.env.ref("odoo_relance_fr.ir_cron_relance_ladder").method_direct_trigger()
            mails = self._new_mails.filtered(lambda mail: mail.mail_message_id.message_type != "user_notification")
        return self.env["relance.log"].search([]) - logs_before, mails

    def remind(self, move, level, date):
        move.write({"relance_level_id": level.id, "relance_last_date": date})
