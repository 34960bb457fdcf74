from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from .relance_log import dispute_reasons

ANSWER_ACTIVITY = "odoo_relance_fr.mail_activity_type_relance_answer"


class RelanceLog(models.Model):
    """What the customer answers: a payment date or a problem announced on its page, a reply to a reminder
    email. Each reaches the history, the chatter and the person in charge of reminders."""

    _inherit = "relance.log"

    # ------------------------------------------------------------------ the customer's page

    @api.model
    def _relance_record_answer(self, access, moves, date, answer, note=None, attachment=None, **values):
        """Record what the customer did on its page (answer: promise or dispute, values: promise_date or
        dispute_reason): a history entry, a note in the chatter of the invoices and of the customer (with its
        file: attachment (name, content, mimetype)), and an activity for the person in charge."""
        customer, company = access.partner_id, access.company_id
        log = (
            self.sudo()
            .with_company(company)
            .with_context(mail_create_nolog=True, tracking_disable=True)
            .create(
                {
                    "kind": "answer",
                    "answer": answer,
                    "date": date,
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "channel": "portal",
                    "state": "done",
                    "move_ids": [Command.set(moves.ids)],
                    "user_id": False,
                    "access_id": access.id,
                    "note": note,
                    **values,
                }
            )
        )
        responsible = log._relance_responsible()
        log = log.with_context(lang=responsible.lang or company.partner_id.lang or "en_US")
        files = log._relance_answer_files(attachment)
        body = log._relance_answer_body()
        for move in moves:
            move.message_post(
                body=body,
                author_id=customer.id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                attachment_ids=files.ids,
            )
        customer._message_log(body=body, author_id=customer.id)
        log._message_log(body=body, author_id=customer.id)
        log.activity_schedule(
            ANSWER_ACTIVITY,
            # a payment announced is checked the day after its date; a problem is looked into at once
            date_deadline=fields.Date.add(log.promise_date, days=1) if answer == "promise" else date,
            summary=log._relance_answer_summary(),
            note=body,
            user_id=responsible.id,
        )
        return log

    def _relance_answer_files(self, attachment):
        """The customer's file, pending as Odoo's composer keeps an upload: the message posting it on the invoice
        links it there (the only way Odoo lets a visitor who is no user attach a file to a message)."""
        if not attachment:
            return self.env["ir.attachment"]
        name, content, mimetype = attachment
        return self.env["ir.attachment"].create(
            {"name": name, "raw": content, "mimetype": mimetype, "res_model": "mail.compose.message", "res_id": 0}
        )

    def _relance_answer_body(self):
        """The chatter note of a customer's answer, for the staff."""
        self.ensure_one()
        env = self.env
        invoices = ", ".join(self.move_ids.sorted("name").mapped("name"))
        if self.answer == "promise":
            lines = [
                env._(
                    "Payment announced by the customer on its page for %(date)s: invoices %(invoices)s. Their "
                    "reminders pause until that date.",
                    date=format_date(env, self.promise_date),
                    invoices=invoices,
                )
            ]
        else:
            lines = [
                env._(
                    "Problem reported by the customer on its page for invoice %(invoice)s: %(reason)s. The invoice is "
                    "in dispute: its reminders pause until the dispute is closed.",
                    invoice=invoices,
                    reason=dispute_reasons(env)[self.dispute_reason],
                ),
                *(self.note or "").splitlines()[1:],  # the payment's details and the customer's own words
            ]
        return Markup("<br/>").join(lines)

    def _relance_answer_thanks(self):
        """What the customer's page says back once its answer is recorded, in the customer's language."""
        self.ensure_one()
        env = self.env
        invoices = self.company_id._relance_join(self.move_ids.sorted("name").mapped("name"), env)
        if self.answer == "promise":
            thanks = env._(
                "Thank you: your payment of %(invoices)s is noted for %(date)s. We will not remind you of it until "
                "then.",
                invoices=invoices,
                date=format_date(env, self.promise_date),
            )
            if self.move_ids[:1]._relance_is_business() and self.company_id.relance_show_penalties:
                thanks += " " + env._("Late penalties keep running until payment, however.")
            return thanks
        return env._(
            "Thank you: your report on invoice %(invoice)s has reached our accounting department, which will get back "
            "to you. We pause our reminders for this invoice meanwhile.",
            invoice=invoices,
        )

    def _relance_answer_summary(self):
        self.ensure_one()
        if self.answer == "promise":
            return self.env._("Check the payment announced for %(date)s", date=format_date(self.env, self.promise_date))
        return self.env._(
            "Problem reported: %(reason)s",
            reason=dispute_reasons(self.env)[self.dispute_reason],
        )

    def action_relance_close_dispute(self):
        """The problem the customer reported is handled: its invoice goes back to the reminders."""
        for log in self:
            if log.answer != "dispute":
                raise UserError(self.env._("Only a problem reported by the customer can be closed here."))
            open_disputes = log.move_ids.filtered("relance_dispute")
            open_disputes.write({"relance_dispute": False, "relance_dispute_reason": False})
            log.activity_ids.action_feedback(feedback=self.env._("Dispute closed: the reminders resume."))
        return True

    # ------------------------------------------------------------------ replies to the emails

    def _relance_reply_received(self, author_id):
        """The customer answered these reminders by email (see mail.thread's _message_route_process): its
        reminders pause (Settings) and the person in charge gets an activity on the reminder, where the reply is.
        A reply from our own staff pauses nothing."""
        author = self.env["res.partner"].sudo().browse(author_id or [])
        if author.user_ids.filtered(lambda user: not user._is_public() and not user.share):
            return
        today = fields.Date.context_today(self)
        for log in self.sudo().filtered(lambda log: log.kind in ("reminder", "statement")):
            customer = log.partner_id.with_company(log.company_id)
            if not customer.relance_reply_date:
                customer.relance_reply_date = today
            if log.activity_ids.filtered(lambda act: act.activity_type_id == self.env.ref(ANSWER_ACTIVITY)):
                continue  # an earlier reply to this reminder is still to be handled
            responsible = log._relance_responsible()
            env = log.with_context(lang=responsible.lang or log.env.lang).env
            log.with_env(env).activity_schedule(
                ANSWER_ACTIVITY,
                summary=env._("Customer reply to handle"),
                note=env._(
                    "%(customer)s replied to this email: its reminders pause until the reply is handled, and resume on "
                    "%(date)s at the latest. Mark it handled on the customer form, or mark this activity as done.",
                    customer=customer.name,
                    date=format_date(env, customer.relance_reply_until),
                )
                if customer.relance_reply_until
                else env._(
                    "%(customer)s replied to this email: its reminders pause until the reply is handled. Mark it "
                    "handled on the customer form, or mark this activity as done.",
                    customer=customer.name,
                ),
                user_id=responsible.id,
            )

    @api.model
    def _relance_reply_activities_done(self, log_ids, activities):
        """Reply activities (on the reminders log_ids) marked as done: each customer with no other reply waiting
        gets its reminders back."""
        for log in self.sudo().browse(log_ids).exists().filtered(lambda log: log.kind != "answer"):
            customer = log.partner_id.with_company(log.company_id)
            if customer.relance_reply_date and not (customer._relance_reply_activities() - activities):
                customer._relance_resume_after_reply()
