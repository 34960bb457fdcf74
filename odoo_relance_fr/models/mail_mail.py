from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        """A reminder or statement whose email the outgoing server refused fails visibly (never silently lost)."""
        if failure_type:
            failed = self.filtered(lambda mail: mail.state == "exception")
            logs = self.env["relance.log"].sudo().search([("mail_mail_id", "in", failed.ids)]) if failed else None
            for log in logs or ():
                log.with_company(log.company_id)._relance_mail_failed(failure_reason or log.mail_mail_id.failure_reason)
        return super()._postprocess_sent_message(success_pids, failure_reason=failure_reason, failure_type=failure_type)
