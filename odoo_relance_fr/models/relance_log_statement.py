from odoo import models
from odoo.tools.misc import format_amount, format_date

from .relance_ladder import Sending


class RelanceLog(models.Model):
    """A statement of account as a reminder history record: its PDF kept, its email, or its place in the
    day's reminder email (one message a day)."""

    _inherit = "relance.log"

    def _relance_join_statement(self, pdf=None):
        """The month's statement of account of this reminder's customer (its PDF given, or rendered now), as a
        statement log carried by it."""
        self._relance_record({"with_statement": True})
        statement = self.with_context(mail_create_nolog=True, tracking_disable=True).create(
            dict(
                self.env["relance.statement"]._prepare_relance_statement_vals(self.partner_id, self.date),
                sent_with_id=self.id,
                note=self.with_context(lang=self._relance_responsible().lang or self.env.lang).env._(
                    "Attached to the reminder email of %(date)s (%(level)s): one message a day.",
                    date=format_date(self.env, self.date),
                    level=self.level_id.name,
                ),
            )
        )
        statement._relance_store_statement(pdf)
        self.partner_id._message_log(
            body=self.env._(
                "Statement of account at %(date)s sent by email, attached to the reminder.",
                date=format_date(self.env, self.date),
            )
        )
        return statement

    def _relance_send_statement_email(self, pdf=None, deferred=None):
        """Queue the statement email with the statement PDF (given, or rendered now), keep the PDF,
        note it on the customer (now, or with the other customers of the scheduler's commit: deferred)."""
        self.ensure_one()
        template = self.env["mail.template"].browse(  # Odoo's cache of xml ids: no query for each statement
            self.env["ir.model.data"]._xmlid_to_res_id("odoo_relance_fr.mail_template_relance_statement")
        )
        self.partner_id._relance_recipient()  # no email address: fail before rendering the PDF
        attachment = self._relance_store_statement(pdf)
        self._relance_queue_email(template, attachment, Sending(deferred=deferred))
        self._relance_record({"state": "sent"})
        body = self.env._("Statement of account at %(date)s sent by email.", date=format_date(self.env, self.date))
        if deferred is not None:
            deferred.notes.append(("res.partner", self.partner_id.id, body))
        else:
            self.partner_id._message_log(body=body)

    def _relance_store_statement(self, pdf=None):
        """Keep the statement PDF (given, or rendered now) on this statement log: the file sent."""
        self.ensure_one()
        if pdf is None:
            report = self.env.ref("odoo_relance_fr.action_report_relance_statement")
            pdf = (
                self.env["ir.actions.report"]
                .with_context(relance_date=self.date)
                ._render_qweb_pdf_prepare_streams(report, {}, res_ids=self.partner_id.ids)[self.partner_id.id]["stream"]
                .getvalue()
            )
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.partner_id._relance_statement_filename(self.date),
                "raw": pdf,
                "res_model": "relance.log",
                "res_id": self.id,
                "mimetype": "application/pdf",
            }
        )
        self._relance_record({"letter_attachment_id": attachment.id})
        return attachment

    def _relance_statement_summary(self):
        """Date, balance and overdue amount of the statement, for the email, in the customer's language: a
        document whose pieces "date" and "amounts" are made on first use (the subject needs only the date)."""
        self.ensure_one()
        return self._relance_document()

    def _relance_statement_date(self):
        lang = self.partner_id.lang or self.env.lang
        return format_date(self.with_context(lang=lang).env, self.date, lang_code=lang)

    def _relance_statement_amounts(self):
        """Balance and overdue amount of each currency section of this log's statement, formatted."""
        lang = self.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        sections = self.partner_id.with_env(env)._relance_statement(self.date, self.company_id, penalties=False)
        return [
            {
                "balance": format_amount(env, s["balance"], s["currency"], lang_code=lang),
                "overdue": format_amount(env, s["overdue"], s["currency"], lang_code=lang),
            }
            for s in sections
        ]
