from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.i18n import format_list
from odoo.tools.misc import format_date


class RelanceLog(models.Model):
    _inherit = "relance.log"

    def action_relance_call_outcome(self):
        """Ask for the outcome of the reminder call."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "relance.call.wizard",
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Call outcome"),
            "context": {"default_log_id": self.id},
        }

    def _relance_request_call(self):
        """A phone level: one call activity for the responsible user, with a call script."""
        lines = self._relance_compute_lines()
        lang = self._relance_responsible().lang or self.env.lang
        env = self.with_context(lang=lang).env
        if self.level_id._relance_is_courtesy_call():
            return self.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=self.date,
                summary=env._("Courtesy call"),
                note=self._relance_courtesy_script(env, lines),
                user_id=self._relance_responsible().id,
            )
        first = lines[0]
        script = Markup("<p><b>%s</b></p><ol><li>%s</li><li>%s</li><li>%s</li><li>%s</li></ol><p>%s</p>") % (
            env._("Call script"),
            env._(
                "Hello, %(company)s speaking: I am calling about invoice %(invoice)s.",
                company=self.company_id.name,
                invoice=first["name"],
            ),
            env._(
                "It amounts to %(amount)s and falls due on %(due)s: I am calling to make sure it reached you.",
                amount=first["residual"],
                due=first["due_date"],
            )
            if first["days_late"] <= 0
            else env._(
                "It amounts to %(amount)s, fell due on %(due)s (%(days)s days ago) and is still unpaid.",
                amount=first["residual"],
                due=first["due_date"],
                days=first["days_late"],
            ),
            env._("Could you tell me on which date it will be paid?")
            if first["days_late"] > 0
            else env._("Could you confirm that it will be paid by its due date?"),
            env._("If it helps, we can agree on a payment schedule."),
            env._(
                "Invoices: %(invoices)s",
                invoices=", ".join(f"{line['name']} ({line['residual']}, {line['due_date']})" for line in lines),
            ),
        )
        self.activity_schedule(
            "mail.mail_activity_data_call",
            summary=env._("Reminder call"),
            note=script,
            user_id=self._relance_responsible().id,
        )

    def _relance_courtesy_script(self, env, lines):
        """What to say in a courtesy call before the due date: a reminder of the date, an open door."""
        # a person to ask for: the invoice's contact, else the customer's invoicing contact; a company is not greeted
        contact = (
            self.move_ids.partner_id.filtered(lambda p: not p.is_company)[:1]
            or self.partner_id.child_ids.filtered(
                lambda p: not p.is_company and p.type in ("invoice", "contact")
            ).sorted(lambda p: p.type != "invoice")[:1]
        )
        greeting = env._("Hello %(name)s", name=contact.name) if contact else env._("Hello")
        phones = [phone for phone in (contact.phone, contact.mobile, self.partner_id.phone) if phone]
        if len(lines) == 1:
            sentence = env._(
                "%(greeting)s, I just wanted to remind you that your invoice %(invoice)s falls due on %(due)s. "
                "If you have any questions, do not hesitate to contact me.",
                greeting=greeting,
                invoice=lines[0]["name"],
                due=lines[0]["due_date"],
            )
        elif len({line["due_date"] for line in lines}) == 1:
            sentence = env._(
                "%(greeting)s, I just wanted to remind you that your invoices %(invoices)s fall due on %(due)s. "
                "If you have any questions, do not hesitate to contact me.",
                greeting=greeting,
                invoices=format_list(env, [line["name"] for line in lines], lang_code=env.lang),
                due=lines[0]["due_date"],
            )
        else:
            each = [env._("%(invoice)s (due on %(due)s)", invoice=line["name"], due=line["due_date"]) for line in lines]
            sentence = env._(
                "%(greeting)s, I just wanted to remind you that your invoices %(invoices)s fall due shortly. "
                "If you have any questions, do not hesitate to contact me.",
                greeting=greeting,
                invoices=format_list(env, each, lang_code=env.lang),
            )
        return Markup("<p><b>%s</b></p><p>%s</p><p>%s</p>") % (
            env._("Call script"),
            sentence,
            env._(
                "%(customer)s, %(phone)s. Invoices: %(invoices)s.",
                customer=self.partner_id.name,
                phone=", ".join(dict.fromkeys(phones)) or env._("no phone number on the customer"),
                invoices=", ".join(f"{line['name']} ({line['residual']}, {line['due_date']})" for line in lines),
            ),
        )

    def _relance_record_call(self, outcome, call_date, promise_date=None, note=None):
        """Record a call's outcome: reminded on the call date; a promise pauses, a dispute stops the ladder."""
        self.ensure_one()
        if self.state != "planned" or self.channel != "phone":
            raise UserError(self.env._("Only a planned call can receive an outcome."))
        if call_date > fields.Date.context_today(self):
            raise UserError(
                self.env._("A call cannot be recorded in the future (%(date)s).", date=format_date(self.env, call_date))
            )
        if outcome == "promise" and (not promise_date or promise_date < call_date):
            raise UserError(self.env._("A promise to pay needs a payment date on or after the call."))
        label = dict(self.env["relance.call.wizard"]._fields["outcome"]._description_selection(self.env))[outcome]
        moves_levels = list(self._relance_reached_levels().items())
        self._relance_record(
            {"date": call_date, "state": "done", "note": "\n".join(filter(None, [self.note, label, note]))}
        )
        self._relance_mark_moves(moves_levels)
        if outcome in ("promise", "pay_today"):
            self.move_ids.write({"relance_promise_date": promise_date if outcome == "promise" else call_date})
        elif outcome == "dispute":
            self.move_ids.write({"relance_dispute": True})
        self.activity_ids.action_feedback(feedback=label + (f" - {note}" if note else ""))
