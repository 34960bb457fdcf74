from odoo import fields, models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    relance_excluded = fields.Boolean(
        string="Excluded from reminders",
        tracking=True,
        help="No reminder is ever sent for this customer's invoices.",
    )
    relance_is_consumer = fields.Boolean(
        string="Private person (consumer)",
        help="French B2B late-payment rules do not apply: no L441-10 penalties, no 40 EUR indemnity.",
    )

    def _relance_recipient(self):
        """Who receives the reminder: the invoice address contact when it has an email, else the customer."""
        self.ensure_one()
        invoice_contact = self.browse(self.address_get(["invoice"])["invoice"])
        for candidate in (invoice_contact, self):
            if candidate.email:
                return candidate
        raise UserError(self.env._(
            "Customer %(customer)s has no email address: add one to the customer or its invoice address.",
            customer=self.display_name,
        ))
