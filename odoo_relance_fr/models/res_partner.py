from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    relance_excluded = fields.Boolean(
        string="Excluded from reminders",
        tracking=True,
        help="No reminder is ever sent for this customer's invoices.",
    )
