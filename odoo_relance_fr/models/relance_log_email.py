from odoo import Command, fields, models
from odoo.exceptions import UserError

from .relance_ladder import Sending

# what Odoo's send_mail renders from a template for each email
MAIL_FIELDS = (
    "attachment_ids",
    "auto_delete",
    "body_html",
    "email_cc",
    "email_from",
    "email_to",
    "mail_server_id",
    "model",
    "partner_to",
    "reply_to",
    "report_template_ids",
    "res_id",
    "scheduled_date",
    "subject",
)


class RelanceLog(models.Model):
    _inherit = "relance.log"

    def _relance_letter_if_no_email(self, sending):
        """A customer without an email address gets the reminder by letter (Settings), when it has a postal
        address; otherwise the reminder fails, saying what to complete."""
        if self.channel not in ("email", "email_letter") or self.partner_id._relance_email_contact(
            sending.without_invoice_address
        ):
            return
        env = self.with_context(lang=self._relance_responsible().lang or self.env.lang).env
        if self.partner_id._relance_has_postal_address() and (
            self.channel == "email_letter" or self.company_id.relance_letter_without_email
        ):
            note = env._("No email address: sent by letter only.")
            self._relance_record({"channel": "letter", "note": "\n".join(filter(None, [self.note, note]))})
            return
        raise UserError(
            env._(
                "Customer %(customer)s has no email address and no postal address (street and city): complete "
                "its record (list « To complete ») and the reminder goes out on the next run.",
                customer=self.partner_id.display_name,
            )
            if not self.partner_id._relance_has_postal_address()
            else env._(
                "Customer %(customer)s has no email address: add one, or let reminders go by letter when there is "
                "no email (Settings).",
                customer=self.partner_id.display_name,
            )
        )

    def _relance_send_email(self, sending, statement=False):
        """Queue the reminder email, with the invoices' PDFs attached (and the statement, if asked)."""
        pdfs = self.move_ids._relance_invoice_pdfs(known=sending.invoice_pdfs)
        letter = self.letter_attachment_id if self._relance_is_letter_copy() else self.env["ir.attachment"]
        statement_log = (
            self._relance_join_statement(sending.statement_pdfs.get(self.partner_id.id)) if statement else self.browse()
        )
        self._relance_queue_email(
            self._relance_template(),
            letter.union(*pdfs.values(), statement_log.letter_attachment_id),
            sending,
        )
        statement_log._relance_record({"state": "sent"})

    def _relance_queue_email(self, template, attachments, sending=None):
        """Queue this reminder's email to the customer (with the copy user), answered to Odoo's catchall address, and
        link it and its files here, as a person may have edited it in the wizard (sending.mail_values)."""
        self.ensure_one()
        sending = sending or Sending()
        recipient = self.partner_id._relance_recipient(sending.without_invoice_address)
        cc_user = self.company_id.relance_cc_user_id
        email_values = {
            "recipient_ids": [Command.link(recipient.id)],
            "attachment_ids": [Command.link(att.id) for att in attachments],
            "email_cc": cc_user.email_formatted if cc_user.email else False,
        }
        if self.company_id.catchall_formatted:
            # answers reach Odoo's mail gateway, which routes them to this reminder (it pauses the customer);
            # without an alias domain they go to the sender, as Odoo does
            email_values["reply_to"] = self.company_id.catchall_formatted
        email_values.update(sending.mail_values)
        if sending.deferred is not None and not (template.email_layout_xmlid or template.report_template_ids):
            # the scheduler's run: rendered now, in this customer's savepoint (an error fails this customer
            # alone), created with the other emails of the commit (relance.batch._relance_write_deferred)
            sending.deferred.mails.append((self.id, self._relance_render_email(template, email_values)))
            return
        mail_id = template.send_mail(self.id, email_values=email_values)
        mail = self.env["mail.mail"].sudo().browse(mail_id)
        self._relance_record({"mail_mail_id": mail.id, "mail_message_id": mail.mail_message_id.id})

    def _relance_render_email(self, template, email_values):
        """The values of this reminder's mail.mail as Odoo's send_mail makes them, without creating it: the
        template rendered by Odoo's own renderer (_generate_template, as the mail composer uses it), its
        recipients and attachments as links, email_values over them, the body as the message's. Only for a
        template without layout nor report attachments (send_mail handles those)."""
        self.ensure_one()
        template._send_check_access(self.ids)
        values = template._generate_template(self.ids, MAIL_FIELDS)[self.id]
        values["recipient_ids"] = [Command.link(pid) for pid in values.get("partner_ids") or []]
        values["attachment_ids"] = [Command.link(aid) for aid in values.get("attachment_ids") or []]
        values.update(email_values)
        values.pop("attachments", None)  # the files of report templates: none here (send_mail handles them)
        if "email_from" in values and not values.get("email_from"):
            values.pop("email_from")
        values["body"] = values["body_html"]
        return values

    def _relance_create_mails(self, mails):
        """Queue the emails rendered by _relance_render_email, [(reminder id, values)], in one creation, and link
        each to its reminder."""
        created = self.env["mail.mail"].sudo().create([values for _log_id, values in mails])
        created.mail_message_id.mapped("res_id")  # read once for all: each reminder checks its email is its own
        logs = self.browse([log_id for log_id, _values in mails])
        for log, mail in zip(logs, created, strict=True):
            log._relance_record({"mail_mail_id": mail.id, "mail_message_id": mail.mail_message_id.id})

    def _relance_mail_failed(self, reason):
        """The outgoing server refused this reminder's email: the reminder fails, visibly, and is sent again.

        Each invoice goes back to its level and last reminder date of before (unless something newer
        happened to it), so the next run of the ladder reminds it again; the responsible person gets
        an activity and can send it at once with "Send again".
        """
        for log in self.filtered(lambda log: log.state in ("sent", "to_print")):
            responsible = log._relance_responsible()
            log = log.with_context(lang=responsible.lang or self.env.lang)
            reason = reason or log.env._("unknown error")
            if log.kind == "statement":
                note = log.env._(
                    "The email could not be delivered (outgoing mail server: %(reason)s). Send the statement "
                    'again with "Send again" once the address or the server is fixed.',
                    reason=reason,
                )
            else:
                note = log.env._(
                    "The email could not be delivered (outgoing mail server: %(reason)s). The invoices are back "
                    "to their previous reminder level: the reminder will be sent again on the next run, or now "
                    'with "Send again".',
                    reason=reason,
                )
            log._relance_record({"state": "failed", "note": "\n".join(filter(None, [log.note, note]))})
            if log.with_statement:
                log.search([("sent_with_id", "=", log.id)])._relance_mail_failed(reason)
            reached = log._relance_reached_levels() if log.kind == "reminder" else {}
            for move, level in reached.items():
                level_id, last_date = (log.move_previous or {}).get(str(move.id), [False, False])
                if move.relance_last_date == log.date and move.relance_level_id == level:
                    move._relance_write_reminder_state(
                        {
                            "relance_level_id": level_id,
                            "relance_last_date": fields.Date.to_date(last_date),
                        }
                    )
            log.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=log.env._("Reminder email not delivered"),
                note=note,
                user_id=responsible.id,
            )

    def _relance_template(self):
        """Grouped template for several invoices, else the level's own (the formal notice's, always)."""
        self.ensure_one()
        if len(self.move_ids) > 1 and self.level_id.tone != "formal":
            template = self.env["mail.template"].browse(
                self.env["ir.model.data"]._xmlid_to_res_id(
                    "odoo_relance_fr.mail_template_relance_grouped", raise_if_not_found=False
                )
            )
        else:
            template = self.level_id.mail_template_id
        if not template:
            raise UserError(
                self.env._(
                    "Level “%(level)s” has no email template: choose one in its settings.", level=self.level_id.name
                )
            )
        return template
