from odoo import models
from odoo.exceptions import UserError


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """A reminder call is done only once its outcome is recorded (its reminder is then no longer planned),
        which moves the ladder on; a courtesy call made closes its reminder; a customer's reply handled resumes its
        reminders."""
        call_type = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        calls = self.filtered(lambda act: act.res_model == "relance.log" and act.activity_type_id == call_type)
        logs = self.env["relance.log"].browse(calls.mapped("res_id"))
        if logs.filtered(lambda log: log.state == "planned" and log.channel == "phone"):
            raise UserError(
                self.env._(
                    'Record the outcome of this reminder call with the "Call outcome" button of the reminder: '
                    "it updates the invoices (promise, dispute, last reminder date)."
                )
            )
        courtesy = logs.filtered(lambda log: log.state == "sent" and log.level_id._relance_is_courtesy_call())
        answer_type = self.env.ref("odoo_relance_fr.mail_activity_type_relance_answer", raise_if_not_found=False)
        answers = self.filtered(lambda act: act.res_model == "relance.log" and act.activity_type_id == answer_type)
        answered_ids = answers.mapped("res_id")
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        # a courtesy call made: its reminder is done (the invoices moved on when it was planned)
        courtesy._relance_record({"state": "done"})
        # a customer's reply handled: its reminders resume
        self.env["relance.log"]._relance_reply_activities_done(answered_ids, answers)
        return result
