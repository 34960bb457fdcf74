import logging

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_date

from .relance_checks import check_value_types
from .relance_ladder import Sending
from .relance_level import CHANNELS

LOG_CHANNELS = CHANNELS + [("in_person", "In person"), ("portal", "Customer page")]
DISPUTE_REASONS = [
    ("not_received", "Invoice not received"),
    ("amount", "Amount disputed"),
    ("goods", "Goods or service disputed"),
    ("paid", "Already paid"),
    ("other", "Other"),
]


def dispute_reasons(env):
    """The problems a customer may report, labelled in env's language: {key: label}."""
    return dict(env["relance.log"]._fields["dispute_reason"]._description_selection(env))


_logger = logging.getLogger(__name__)

# A reminder is a record of what was sent: these fields change only through its own actions (run as
# superuser). A person may change the registered letter's number and acknowledgement, and the note.
RECORD_FIELDS = {
    "kind", "date", "level_id", "channel", "partner_id", "move_ids", "user_id", "company_id", "state",
    "mail_message_id", "mail_mail_id", "letter_attachment_id", "move_levels", "move_previous",
    "with_statement", "sent_with_id", "access_id", "answer", "promise_date", "dispute_reason",
}  # fmt: skip
SENT_DOCUMENT_FIELDS = {"mail_message_id", "mail_mail_id", "letter_attachment_id", "move_previous"}


class RelanceLog(models.Model):
    _name = "relance.log"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Reminder history"
    _order = "date desc, id desc"
    _check_company_auto = True

    kind = fields.Selection(
        [("reminder", "Reminder"), ("statement", "Statement of account"), ("answer", "Customer answer")],
        required=True,
        default="reminder",
        index=True,
    )
    date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    level_id = fields.Many2one("relance.level", check_company=True, index=True, ondelete="restrict")
    channel = fields.Selection(LOG_CHANNELS, required=True, default="email")
    level_tone = fields.Selection(related="level_id.tone", string="Tone")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="restrict")
    move_ids = fields.Many2many(
        "account.move",
        "relance_log_account_move_rel",
        "log_id",
        "move_id",
        string="Invoices",
        check_company=True,
    )
    user_id = fields.Many2one("res.users", string="Sent by", default=lambda self: self.env.user)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    state = fields.Selection(
        [
            ("planned", "Planned"),
            ("sent", "Sent"),
            ("to_print", "To print"),
            ("printed", "Printed"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="planned",
        index=True,
        tracking=True,
    )
    note = fields.Text()
    mail_message_id = fields.Many2one("mail.message", string="Email", ondelete="set null")
    mail_mail_id = fields.Many2one("mail.mail", string="Outgoing email", ondelete="set null")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        string="Documents",
        related="mail_message_id.attachment_ids",
        help="The files sent with the email (the invoices' PDFs, the statement).",
    )
    letter_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Letter",
        copy=False,
        readonly=True,
        help="The letter exactly as it was printed, to print it again; for a statement, its PDF as it was sent.",
    )
    move_levels = fields.Json(
        string="Level of each invoice",
        copy=False,
        help="Level each invoice reached with this reminder, as printed later on its letter.",
    )
    move_previous = fields.Json(
        string="State of each invoice before",
        copy=False,
        help="Level and last reminder date of each invoice before this reminder, restored if its email bounces.",
    )
    with_statement = fields.Boolean(
        string="Statement attached",
        copy=False,
        readonly=True,
        help="The month's statement of account went with this reminder's email (one message a day).",
    )
    sent_with_id = fields.Many2one(
        "relance.log",
        string="Sent with",
        copy=False,
        readonly=True,
        ondelete="set null",
        help="The reminder whose email carried this statement.",
    )
    access_id = fields.Many2one(
        "relance.access",
        string="Customer's link",
        copy=False,
        readonly=True,
        ondelete="set null",
        help="The personal link this reminder or statement carries: the customer's page of its open invoices.",
    )
    access_url = fields.Char(related="access_id.url", string="Customer's page")
    answer = fields.Selection(
        [("promise", "Payment date announced"), ("dispute", "Problem reported")],
        string="Customer's answer",
        readonly=True,
        copy=False,
    )
    promise_date = fields.Date(string="Payment announced for", readonly=True, copy=False)
    dispute_reason = fields.Selection(DISPUTE_REASONS, string="Problem", readonly=True, copy=False)
    lrar_number = fields.Char(string="Registered letter number", copy=False)
    lrar_ack_date = fields.Date(string="Acknowledgement of receipt", copy=False)

    @api.depends("kind", "level_id", "answer", "partner_id", "date")
    def _compute_display_name(self):
        for log in self:
            if log.kind == "reminder" and log.level_id:
                what = log.level_id.name
            elif log.kind == "answer" and log.answer:
                what = dict(self._fields["answer"]._description_selection(self.env))[log.answer]
            else:
                what = dict(self._fields["kind"]._description_selection(self.env))[log.kind]
            log.display_name = " - ".join(filter(None, [what, log.partner_id.name, format_date(self.env, log.date)]))

    @api.constrains("move_levels")
    def _check_move_levels(self):
        """Each invoice's level is a level id (or nothing), keyed by the invoice's id."""
        for log in self.filtered("move_levels"):
            levels = log.move_levels
            if not isinstance(levels, dict) or not all(
                isinstance(key, str) and key.isdigit() and (value is False or type(value) is int)
                for key, value in levels.items()
            ):
                raise ValidationError(
                    self.env._(
                        "The level of each invoice of a reminder is a mapping of invoice ids to level ids, "
                        "not %(value)s.",
                        value=repr(levels),
                    )
                )

    @api.constrains("mail_message_id", "mail_mail_id", "letter_attachment_id")
    def _check_own_documents(self):
        """A reminder's email and letter are its own, never another record's (of another company, say)."""
        for log in self.sudo():
            documents = [
                (log.mail_message_id, log.mail_message_id.model, log.mail_message_id.res_id),
                (log.mail_mail_id, log.mail_mail_id.model, log.mail_mail_id.res_id),
                (log.letter_attachment_id, log.letter_attachment_id.res_model, log.letter_attachment_id.res_id),
            ]
            if any(document and (model, res_id) != (log._name, log.id) for document, model, res_id in documents):
                raise ValidationError(self.env._("A reminder's email and letter can only be its own."))

    @api.constrains("access_id", "partner_id", "company_id")
    def _check_own_link(self):
        """A reminder carries its own customer's link with its own company, never another customer's: checked for
        what a person's request writes (the scheduler, as superuser, takes each customer's own link of the day
        from relance.access._relance_links and pays no query per reminder for this check)."""
        if self.env.su:
            return
        for log in self.sudo().filtered("access_id"):
            if (log.access_id.partner_id, log.access_id.company_id) != (
                log.partner_id.commercial_partner_id,
                log.company_id,
            ):
                raise ValidationError(self.env._("A reminder can only carry its own customer's link."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_value_types(self, vals)
            if not self.env.su:
                self._relance_check_hand_written(vals, creating=True)
        self._relance_link_vals(vals_list)
        return super().create(vals_list)

    @api.model
    def _relance_link_vals(self, vals_list):
        """Give the reminders and statements about to go out without a customer's link the one of their customer
        and day (relance.access), read together for all of them."""
        wanted = {}
        for vals in vals_list:
            if (
                not vals.get("access_id")
                and vals.get("kind", "reminder") in ("reminder", "statement")
                and vals.get("state", "planned") == "planned"
                and vals.get("channel") != "phone"
                and vals.get("partner_id")
            ):
                key = (
                    vals.get("company_id") or self.env.company.id,
                    vals.get("date") or fields.Date.context_today(self),
                )
                wanted.setdefault(key, []).append(vals)
        for (company_id, date), group in wanted.items():
            partners = self.env["res.partner"].browse({vals["partner_id"] for vals in group})
            links = (
                self.env["relance.access"]
                .sudo()
                .with_company(company_id)
                ._relance_links(partners, fields.Date.to_date(date))
            )
            commercial = {partner.id: partner.commercial_partner_id.id for partner in partners}
            for vals in group:
                vals["access_id"] = links[commercial[vals["partner_id"]]].id

    def write(self, vals):
        check_value_types(self, vals)
        if not self.env.su:
            self._relance_check_hand_written(vals)
        return super().write(vals)

    def action_relance_validate(self):
        """Validate a planned reminder (e.g. a formal notice) and send it now, for its invoices still due."""
        today = fields.Date.context_today(self)
        for log in self:
            if log.state != "planned":
                raise UserError(self.env._("Only a planned reminder can be validated."))
            moves = log.move_ids._relance_lock_and_recheck(today)
            if not moves:
                raise UserError(
                    self.env._(
                        "The invoices of this reminder are already paid or no longer due for it: nothing was sent."
                    )
                )
            # sent by the person who validated it
            log._relance_record({"move_ids": [Command.set(moves.ids)], "date": today, "user_id": self.env.user.id})
            log._relance_execute(Sending(by_person=True))
            log.activity_ids.action_feedback(feedback=self.env._("Validated and sent."))
        return True

    def action_relance_cancel(self):
        """Cancel reminders not sent yet (planned) or letters not printed (e.g. paid in the meantime)."""
        for log in self:
            if log.state not in ("planned", "to_print", "failed"):
                raise UserError(self.env._("A reminder already sent or printed cannot be cancelled."))
        self.activity_ids.unlink()
        self._relance_record({"state": "cancelled"})
        return True

    def action_relance_retry(self):
        """Send a failed reminder again, now: its invoices still due get a new reminder."""
        today = fields.Date.context_today(self)
        new_logs = self.browse()
        for log in self:
            if log.state != "failed":
                raise UserError(self.env._("Only a failed reminder can be sent again."))
            log._relance_record({"state": "cancelled", "note": (log.note or "") + "\n" + self.env._("Sent again.")})
            log.activity_ids.action_feedback(feedback=self.env._("Sent again."))
            if log.kind == "statement":
                new_logs |= (
                    self.env["relance.statement"]
                    .with_company(log.company_id)
                    ._relance_send_statement(log.partner_id, today, force=True)
                )
            else:
                new_logs |= (
                    self.env["relance.ladder"]
                    .with_company(log.company_id)
                    ._relance_remind_partner(log.partner_id, today, sending=Sending(by_person=True))
                )
        still_failed = new_logs.filtered(lambda log: log.state == "failed")
        if still_failed:
            raise UserError(still_failed[0].note)
        if not new_logs:
            raise UserError(
                self.env._("The invoices of this reminder are already paid or no longer due for it: nothing was sent.")
            )
        return new_logs._get_records_action(name=self.env._("Reminders"))

    @api.model
    def _cron_relance_ladder(self, batch_size=50):
        """Scheduled action: the daily ladder."""
        return self.env["relance.ladder"]._relance_run_daily(batch_size)

    @api.model
    def _cron_relance_statement(self, batch_size=50):
        """Scheduled action: the monthly statements."""
        return self.env["relance.statement"]._relance_run_monthly(batch_size)

    def _relance_check_hand_written(self, vals, creating=False):
        """A person records a reminder made outside Odoo, or its registered letter; what was sent changes only
        through the reminder's own actions."""
        forbidden = set(vals) & (SENT_DOCUMENT_FIELDS if creating else RECORD_FIELDS)
        if creating and vals.get("state", "planned") not in ("planned", "done"):
            forbidden.add("state")
        if forbidden:
            raise UserError(
                self.env._(
                    "The reminder history is a record of what was sent: %(fields)s cannot be set by hand. The "
                    "reminder's buttons (validate, print, cancel, send again) change it; the registered letter "
                    "number, its acknowledgement of receipt and the note can be changed.",
                    fields=", ".join(
                        sorted(f"« {self._fields[name]._description_string(self.env)} »" for name in forbidden)
                    ),
                )
            )

    def _relance_record(self, vals):
        """Record what happened to these reminders: their own actions are the only writers of the history."""
        return self.sudo().write(vals)

    def _relance_reached_levels(self):
        """{invoice: level it reached with this reminder}. An entry missing or malformed (a record damaged
        outside Odoo) falls back on the invoice's next level: one damaged reminder never blocks the others."""
        self.ensure_one()
        stored = self.move_levels if isinstance(self.move_levels, dict) else {}
        wanted = {move: stored.get(str(move.id)) for move in self.move_ids}
        ids = {level_id for level_id in wanted.values() if type(level_id) is int and level_id > 0}
        # the company's ladder is known (registry cache): only a level since archived or removed is looked up
        ladder = set(self.env["relance.level"]._relance_ladder_ids(self.company_id.id))
        levels = (
            self.env["relance.level"].browse(ids & ladder) | self.env["relance.level"].browse(ids - ladder).exists()
        )
        return {
            move: levels.browse(level_id) if level_id in levels.ids else move.relance_next_level_id
            for move, level_id in wanted.items()
        }

    def _relance_execute(self, sending, statement=False):
        """Send this planned reminder through its level's channel, or ask a person to validate it; statement:
        attach the month's statement of account to its email, if it sends one."""
        self.ensure_one()
        automatic = not sending.by_person
        if automatic and not self.level_id.automatic:
            return self._relance_request_validation()
        moves_levels = list(self._relance_reached_levels().items())
        self._relance_letter_if_no_email(sending)
        if self.channel == "phone":
            self._relance_request_call()
            if self.level_id._relance_is_courtesy_call():
                # a courtesy call never holds the ladder: the invoices move on, whether the call is made or not
                self._relance_record({"state": "sent"})
                self._relance_mark_moves(
                    moves_levels,
                    sending.deferred,
                    self.env._(
                        "%(level)s to make by %(user)s on %(date)s for invoices %(invoices)s.",
                        level=self.level_id.name,
                        user=self._relance_responsible().name,
                        date=format_date(self.env, self.date),
                        invoices=", ".join(self.move_ids.mapped("name")),
                    ),
                )
            return
        if self.channel in ("letter", "email_letter"):
            self._relance_check_printable()
            if self._relance_is_letter_copy():
                # the email is a copy of the registered letter: the letter exists first, and goes with it
                self._relance_store_letters()
        if self.channel in ("email", "email_letter"):
            self._relance_send_email(sending, statement)
        self._relance_record({"state": "to_print" if self.channel in ("letter", "email_letter") else "sent"})
        if self.state == "to_print" and not automatic:
            # validated by a person (e.g. a formal notice): the letter exists at once, to print now
            self._relance_store_letters()
        self._relance_mark_moves(moves_levels, sending.deferred)

    def _relance_mark_moves(self, moves_levels, deferred=None, body=None):
        """Each invoice climbs to its own level; the invoices and the customer keep a trace in their chatter
        (body, or what was sent). With deferred (the scheduler's run), both are written with the other
        customers' just before the next commit."""
        self._relance_record(
            {
                "move_previous": {
                    str(move.id): [move.relance_level_id.id, fields.Date.to_string(move.relance_last_date)]
                    for move, _level in moves_levels
                }
            }
        )
        by_level = {}
        for move, level in moves_levels:
            by_level.setdefault(level, self.env["account.move"])
            by_level[level] |= move
        for level, moves in by_level.items():
            if deferred is not None:
                deferred.states.setdefault((level.id, self.date), []).extend(moves.ids)
            else:
                moves._relance_write_reminder_state({"relance_level_id": level.id, "relance_last_date": self.date})
        body = body or self.env._(
            "%(level)s sent (%(channel)s) on %(date)s for invoices %(invoices)s.",
            level=self.level_id.name,
            channel=dict(self._fields["channel"]._description_selection(self.env))[self.channel],
            date=format_date(self.env, self.date),
            invoices=", ".join(self.move_ids.mapped("name")),
        )
        if deferred is not None:
            deferred.notes.extend(("account.move", move.id, body) for move in self.move_ids)
            deferred.notes.append(("res.partner", self.partner_id.id, body))
        else:
            self._relance_log_in_chatter(body)

    def _relance_log_in_chatter(self, body):
        """The reminder's note in the chatter of each of its invoices and of the customer (one batch each)."""
        self.move_ids._message_log_batch({move.id: body for move in self.move_ids})
        self.partner_id._message_log_batch({self.partner_id.id: body})

    def _relance_responsible(self):
        """Who handles this customer's reminders: the invoices' responsible, else the reminder sender."""
        return self.company_id._relance_responsible_for(self.move_ids)

    def _relance_request_validation(self):
        """A level that is not automatic waits for a person: one activity on the planned reminder."""
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("%(level)s to validate", level=self.level_id.name),
            note=self.env._(
                "%(customer)s: invoices %(invoices)s. Check them, then validate the reminder.",
                customer=self.partner_id.name,
                invoices=", ".join(self.move_ids.mapped("name")),
            ),
            user_id=self._relance_responsible().id,
        )
