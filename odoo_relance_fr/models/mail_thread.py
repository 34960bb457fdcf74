from odoo import models

# what out-of-office and other automatic replies say of themselves (RFC 3834, and the usual vendor headers)
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")
AUTO_PRECEDENCE = ("auto_reply", "bulk", "junk", "list")


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_route_process(self, message, message_dict, routes):
        """An email answering a reminder or a statement (routed to its relance.log) pauses the customer's
        reminders, unless it is an automatic reply. Delivery failures never get here: Odoo handles them as
        bounces."""
        result = super()._message_route_process(message, message_dict, routes)
        answered = [thread_id for model, thread_id, *_rest in routes or () if model == "relance.log" and thread_id]
        if answered and not self._relance_is_auto_reply(message):
            self.env["relance.log"].browse(answered)._relance_reply_received(message_dict.get("author_id"))
        return result

    def _relance_is_auto_reply(self, message):
        """An out-of-office answer or another automatic message (Auto-Submitted, vendor headers, Precedence), or a
        delivery report."""
        auto_submitted = (message.get("Auto-Submitted") or "").strip().lower()
        if auto_submitted and auto_submitted != "no":
            return True
        if any(message.get(header) for header in AUTO_REPLY_HEADERS):
            return True
        if (message.get("Precedence") or "").strip().lower() in AUTO_PRECEDENCE:
            return True
        return message.get_content_type() == "multipart/report"
