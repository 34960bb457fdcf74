from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    relance_level_ids = fields.One2many(
        related="company_id.relance_level_ids", readonly=False, string="Reminder levels"
    )
    relance_min_amount = fields.Monetary(
        related="company_id.relance_min_amount", readonly=False, currency_field="currency_id"
    )
    relance_courtesy_call_amount = fields.Monetary(
        related="company_id.relance_courtesy_call_amount", readonly=False, currency_field="currency_id"
    )

    relance_auto_send = fields.Boolean(related="company_id.relance_auto_send", readonly=False)
    relance_grouping = fields.Boolean(related="company_id.relance_grouping", readonly=False)
    relance_sender = fields.Selection(related="company_id.relance_sender", readonly=False)
    relance_sender_user_id = fields.Many2one(related="company_id.relance_sender_user_id", readonly=False)
    relance_cc_user_id = fields.Many2one(related="company_id.relance_cc_user_id", readonly=False)
    relance_med_deadline = fields.Integer(related="company_id.relance_med_deadline", readonly=False)
    relance_signatory_id = fields.Many2one(related="company_id.relance_signatory_id", readonly=False)
    relance_signatory_function = fields.Char(related="company_id.relance_signatory_function", readonly=False)
    relance_share_capital = fields.Char(related="company_id.relance_share_capital", readonly=False)
    relance_penalty_rate_type = fields.Selection(related="company_id.relance_penalty_rate_type", readonly=False)
    relance_contract_rate = fields.Float(related="company_id.relance_contract_rate", readonly=False)
    relance_penalty_split_semesters = fields.Boolean(
        related="company_id.relance_penalty_split_semesters", readonly=False
    )
    relance_letter_without_email = fields.Boolean(related="company_id.relance_letter_without_email", readonly=False)
    relance_responsible_id = fields.Many2one(related="company_id.relance_responsible_id", readonly=False)
    relance_show_penalties = fields.Boolean(related="company_id.relance_show_penalties", readonly=False)
    relance_invoice_mentions = fields.Boolean(related="company_id.relance_invoice_mentions", readonly=False)
    relance_invoice_penalty_text = fields.Text(related="company_id.relance_invoice_penalty_text", readonly=False)
    relance_early_payment_text = fields.Char(related="company_id.relance_early_payment_text", readonly=False)
    relance_penalty_account_id = fields.Many2one(related="company_id.relance_penalty_account_id", readonly=False)
    relance_indemnity_account_id = fields.Many2one(related="company_id.relance_indemnity_account_id", readonly=False)
    relance_statement_day = fields.Selection(related="company_id.relance_statement_day", readonly=False)
    relance_statement_min_overdue = fields.Integer(related="company_id.relance_statement_min_overdue", readonly=False)
    relance_statement_with_reminder = fields.Selection(
        related="company_id.relance_statement_with_reminder", readonly=False
    )
    relance_portal_days = fields.Integer(related="company_id.relance_portal_days", readonly=False)
    relance_promise_max_days = fields.Integer(related="company_id.relance_promise_max_days", readonly=False)
    relance_reply_pause_days = fields.Integer(related="company_id.relance_reply_pause_days", readonly=False)
    relance_contract_rate_warning = fields.Char(
        string="Contract rate warning", compute="_compute_relance_contract_rate_warning"
    )

    relance_rate_missing = fields.Char(string="Missing rate", compute="_compute_relance_rate_missing")

    @api.depends("relance_penalty_rate_type")
    def _compute_relance_rate_missing(self):
        today = fields.Date.context_today(self)
        for settings in self:
            settings.relance_rate_missing = self.env["relance.rate"]._relance_missing_note(settings.company_id, today)

    @api.depends("relance_penalty_rate_type", "relance_contract_rate")
    def _compute_relance_contract_rate_warning(self):
        today = fields.Date.context_today(self)
        for settings in self:
            settings.relance_contract_rate_warning = self.env["res.company"]._relance_contract_rate_warning(
                settings.relance_penalty_rate_type, settings.relance_contract_rate, today
            )

    def action_relance_open_levels(self):
        """Open the full list of reminder levels."""
        return self.env["ir.actions.act_window"]._for_xml_id("odoo_relance_fr.relance_level_action")
