from odoo import api, fields, models

MANUAL_CHANNELS = [
    ("phone", "Phone call"),
    ("letter", "Letter"),
    ("email", "Email"),
    ("in_person", "In person"),
]


class RelanceManualWizard(models.TransientModel):
    _name = "relance.manual.wizard"
    _description = "Record a reminder made outside Odoo"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    channel = fields.Selection(MANUAL_CHANNELS, required=True, default="phone")
    level_id = fields.Many2one(
        "relance.level",
        string="Level reached",
        help="Leave empty to keep each invoice at its level; only the last reminder date changes.",
    )
    note = fields.Text()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move" and "move_ids" in fields_list:
            values["move_ids"] = [(6, 0, self.env.context.get("active_ids", []))]
        return values

    def action_confirm(self):
        """Record the reminder on the invoices, their customer and the history."""
        self.ensure_one()
        logs = self.move_ids._relance_record_manual(self.date, self.channel, self.level_id, self.note)
        return logs._get_records_action(name=self.env._("Reminders recorded"))
