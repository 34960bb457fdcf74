from odoo import fields, models


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
