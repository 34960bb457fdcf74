from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    relance_level_ids = fields.One2many(
        related="company_id.relance_level_ids", readonly=False, string="Reminder levels"
    )
    relance_min_amount = fields.Monetary(
        related="company_id.relance_min_amount", readonly=False, currency_field="currency_id"
    )

    def action_relance_open_levels(self):
        """Open the full list of reminder levels."""
        return self.env["ir.actions.act_window"]._for_xml_id("odoo_relance_fr.relance_level_action")
