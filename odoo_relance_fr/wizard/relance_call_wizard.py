from odoo import fields, models

OUTCOMES = [
    ("promise", "Promise to pay"),
    ("pay_today", "Will pay today"),
    ("dispute", "Dispute"),
    ("no_answer", "No answer"),
    ("wrong_contact", "Wrong contact"),
]


class RelanceCallWizard(models.TransientModel):
    _name = "relance.call.wizard"
    _description = "Outcome of a reminder call"

    log_id = fields.Many2one("relance.log", required=True, readonly=True)
    call_date = fields.Date(required=True, default=fields.Date.context_today)
    outcome = fields.Selection(OUTCOMES, required=True, default="promise")
    promise_date = fields.Date(string="Promised payment date")
    note = fields.Text()

    def action_confirm(self):
        """Record the outcome on the reminder, its invoices and the call activity."""
        self.ensure_one()
        self.log_id._relance_record_call(self.outcome, self.call_date, self.promise_date, self.note)
        return {"type": "ir.actions.act_window_close"}
