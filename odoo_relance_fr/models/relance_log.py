import logging
import threading
from datetime import timedelta

from markupsafe import Markup, escape
from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, clean_context, pdf
from odoo.tools.i18n import format_list
from odoo.tools.mail import generate_tracking_message_id
from odoo.tools.misc import format_amount, format_date, formatLang

from .relance_checks import check_value_types
from .relance_level import CHANNELS

LOG_CHANNELS = CHANNELS + [("in_person", "In person")]

_logger = logging.getLogger(__name__)

# as Odoo retries them (odoo.service.model): another worker holds the rows
CONCURRENCY_ERRORS = (pg_errors.LockNotAvailable, pg_errors.SerializationFailure, pg_errors.DeadlockDetected)

# A reminder is a record of what was sent: these fields change only through its own actions (run as
# superuser). A person may change the registered letter's number and acknowledgement, and the note.
RECORD_FIELDS = {
    "kind", "date", "level_id", "channel", "partner_id", "move_ids", "user_id", "company_id", "state",
    "mail_message_id", "mail_mail_id", "letter_attachment_id", "move_levels", "move_previous",
    "with_statement", "sent_with_id",
}  # fmt: skip
SENT_DOCUMENT_FIELDS = {"mail_message_id", "mail_mail_id", "letter_attachment_id", "move_previous"}


class RelanceLog(models.Model):
    _name = "relance.log"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Reminder history"
    _order = "date desc, id desc"
    _check_company_auto = True

    kind = fields.Selection(
        [("reminder", "Reminder"), ("statement", "Statement of account")],
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
        help="The letter exactly as it was printed, to print it again.",
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
    lrar_number = fields.Char(string="Registered letter number", copy=False)
    lrar_ack_date = fields.Date(string="Acknowledgement of receipt", copy=False)

    @api.depends("kind", "level_id", "partner_id", "date")
    def _compute_display_name(self):
        for log in self:
            what = (
                log.level_id.name
                if log.kind == "reminder" and log.level_id
                else dict(self._fields["kind"]._description_selection(self.env))[log.kind]
            )
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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_value_types(self, vals)
            if not self.env.su:
                self._relance_check_hand_written(vals, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        check_value_types(self, vals)
        if not self.env.su:
            self._relance_check_hand_written(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Daily ladder
    # ------------------------------------------------------------------

    @api.model
    def _cron_relance_ladder(self, batch_size=50):
        """Remind one batch of customers due today; the scheduler reruns the job while some remain."""
        self = self._relance_cron_env()  # noqa: PLW0642
        today = fields.Date.context_today(self)
        Move = self.env["account.move"]
        todo, due_moves, total = [], {}, 0
        try:
            with self.env.cr.savepoint():
                self.env["relance.rate"]._relance_request_missing_rate(
                    self.env["res.company"].search([("relance_penalty_rate_type", "=", "ecb_plus_10")]), today
                )
        except Exception:  # asking for a rate never stops the reminders
            _logger.exception("The activity asking for the missing ECB rate could not be created")
        for company in self.env["res.company"].search([("relance_auto_send", "=", True)]):
            Move._relance_refresh_stale(company, today)
            domain = Move._relance_due_domain(company, today)
            [(count,)] = Move._read_group(domain, [], ["commercial_partner_id:count_distinct"])
            total += count
            if count and len(todo) < batch_size:
                # only this batch's customers: gathering every customer due made each batch cost in
                # proportion to the whole day's work
                groups = Move._read_group(
                    domain,
                    ["commercial_partner_id"],
                    ["id:recordset"],
                    order="commercial_partner_id",
                    limit=batch_size - len(todo),
                )
                todo += [(company, partner) for partner, _moves in groups]
                due_moves.update({(company, partner): moves for partner, moves in groups})
        batch, partners = self._relance_take_batch(todo, batch_size)
        # read once for the whole batch: each company's ladder, the invoices' PDFs (the missing ones
        # rendered together), which customers have an invoice address
        companies = self.env["res.company"].union(*(company for company, _partner in batch))
        ladders = {company.id: self.env["relance.level"]._relance_ladder(company).ids for company in companies}
        moves = Move.union(*(due_moves[company, partner] for company, partner in batch))
        pdfs = {move_id: att.id for move_id, att in moves._relance_stored_pdfs().items()}
        pdfs.update(
            self._relance_prerender_pdfs(
                moves.filtered(
                    lambda move: move.id not in pdfs and move.relance_next_level_id.channel in ("email", "email_letter")
                )
            )
        )
        statements_due, statement_pdfs = self._relance_batch_statements(batch, today)
        read_once = {
            "relance_ladders": ladders,
            "relance_stored_pdfs": pdfs,
            "relance_without_invoice_address": self.env["res.partner"]._relance_without_invoice_address(partners),
            "relance_statements_due": statements_due,
            "relance_statement_pdfs": statement_pdfs,
        }
        self.env.cr.cache.update(read_once)
        try:
            self._relance_run_batch(
                batch,
                total,
                lambda logs, partner: logs._relance_remind_partner(
                    partner, today, candidates=due_moves[logs.env.company, partner].with_prefetch(moves._prefetch_ids)
                ),
            )
        finally:
            for key in read_once:
                self.env.cr.cache.pop(key, None)

    @api.model
    def _relance_batch_statements(self, batch, date):
        """On a statement day, the batch's customers whose statement is due ({company id: partner ids}) and
        their statements rendered together ({partner id: PDF}), for the reminders that carry them."""
        due, pdfs = {}, {}
        for company in {company for company, _partner in batch if company._relance_is_statement_day(date)}:
            partners = self.env["res.partner"].union(*(partner for comp, partner in batch if comp == company))
            found = self.with_company(company)._relance_statement_partners(date, partners)
            due[company.id] = set(found.ids)
            if company.relance_statement_with_reminder == "attach":
                pdfs.update(self.with_company(company)._relance_statement_pdfs(found, date))
        return due, pdfs

    @api.model
    def _relance_cron_env(self):
        """The scheduler gives no language: texts for the staff follow the cron user's."""
        return self if self.env.context.get("lang") else self.with_context(lang=self.env.user.lang)

    @api.model
    def _relance_take_batch(self, todo, batch_size):
        """The first batch_size (company, customer) pairs of todo, and their customers. The customers
        prefetch among themselves only: todo may hold every customer due today (statements), and each
        read after a commit would otherwise fetch them all."""
        partners = self.env["res.partner"].union(*(partner for _company, partner in todo[:batch_size]))
        return [
            (company, partner.with_prefetch(partners._prefetch_ids)) for company, partner in todo[:batch_size]
        ], partners

    @api.model
    def _relance_prerender_pdfs(self, moves, batch_size=50):
        """Render the PDFs the batch's emails will attach and that do not exist yet, batch_size per
        wkhtmltopdf run, and store them: {invoice id: attachment id}. If that fails, each customer's
        email renders its own and fails on its own."""
        if not moves:
            return {}
        try:
            with self.env.cr.savepoint():
                return {move.id: att.id for move, att in moves._relance_render_pdfs(batch_size).items()}
        except Exception:
            _logger.warning("Invoice PDFs %s could not be rendered together", moves.mapped("name"), exc_info=True)
            return {}

    @api.model
    def _relance_run_batch(self, batch, total, send, commit_every=20):
        """send(model in the company, customer) for each (company, customer) of the batch, with the
        scheduler's progress (it reruns the job while some remain). In cron mode, what is done is
        committed every commit_every customers (and at the end): a crash loses at most that many, to
        be done again by the next run, and invoice rows are not kept locked long. Each customer is all
        or nothing on its own (savepoint): its email is queued in the same transaction as its reminder."""
        for done, (company, partner) in enumerate(batch, start=1):
            send(self.with_company(company), partner)
            if done % commit_every == 0 or done == len(batch):
                self.env["ir.cron"]._notify_progress(done=done, remaining=total - done)
                self._relance_commit_in_cron()
        if not total:
            self.env["ir.cron"]._notify_progress(done=0, remaining=0)

    def _relance_commit_in_cron(self):
        """Commit when run by the scheduler (a job run with its progress record), never in tests."""
        if self.env.context.get("ir_cron_progress_id") and not getattr(threading.current_thread(), "testing", False):
            # the scheduler's batches, committed as Odoo's own crons do (see _relance_run_batch)
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _relance_remind_partner(
        self, partner, date, automatic=True, moves=None, level=None, channel=None, candidates=None
    ):
        """Remind one customer of its due invoices (or of the given ones, at the given level and channel).

        All or nothing: on failure nothing changes for the customer and a failed log says why.
        candidates: the invoices the caller already found due (read again under lock anyway).
        """
        company = self.env.company
        chosen = moves is not None
        if candidates is not None:
            moves = candidates
        elif not chosen:
            moves = self.env["account.move"].search(
                self.env["account.move"]._relance_due_domain(company, date)
                + [("commercial_partner_id", "=", partner.id)]
            )
        statement = self._relance_statement_due(partner, date)
        logs = self._relance_remind_partner_once(partner, date, automatic, moves, chosen, level, channel, statement)
        if logs is None:  # another worker is reminding this customer: its statement too
            return self.browse()
        emailed = logs.filtered(
            lambda log: log.channel in ("email", "email_letter") and log.state in ("sent", "to_print")
        )
        if statement and not emailed:
            # the day's reminder sent no email to carry it (a call, a letter, a notice to validate, a failure)
            self._relance_send_statement(
                partner, date, pdf=self.env.cr.cache.get("relance_statement_pdfs", {}).get(partner.id)
            )
        return logs

    @api.model
    def _relance_remind_partner_once(self, partner, date, automatic, moves, chosen, level, channel, statement):
        """The reminders of _relance_remind_partner, all or nothing; the month's statement (if due) goes with the
        first email when the company attaches it. None when another worker holds the invoices."""
        statement = statement and self.env.company.relance_statement_with_reminder == "attach"
        try:
            with self.env.cr.savepoint():
                # one worker per customer: another worker could otherwise take some of its invoices while this
                # one takes the others, and the customer would get two messages
                self.env.cr.execute(
                    SQL("SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", partner.id),
                    log_exceptions=False,
                )
                if not self.env.cr.fetchone():
                    return None
                asked = moves
                moves = moves._relance_lock_and_recheck(date, due_only=not chosen, skip_pending=not chosen)
                if not chosen and not moves:
                    return None  # another worker holds them (or they are no longer due): nothing here today
                if chosen and not moves:
                    date_reasons = [reason for move in asked if (reason := move._relance_block_reason(date))]
                    raise UserError(
                        " ".join(date_reasons)
                        or self.env._(
                            "The invoices of %(customer)s are being reminded at this moment by the daily run: "
                            "nothing more to send.",
                            customer=partner.name,
                        )
                    )
                logs = self._relance_plan(partner, moves, date, level, channel)
                for log in logs:
                    log._relance_execute(automatic, statement)
                    statement = statement and not log.with_statement
            return logs
        except CONCURRENCY_ERRORS:
            _logger.info("Reminders of %s are being sent by another worker: skipped", partner.display_name)
            return None
        except UserError as error:
            if chosen and not moves:  # nothing to send after all: said to the person who asked, nothing recorded
                raise
            # a reason a person can fix (an address to complete): one line in the log, the reason on the reminder
            _logger.warning("Reminder to %s not sent: %s", partner.display_name, self._relance_failure_reason(error))
            return self._relance_log_failure(partner, moves, date, error)
        except Exception as error:
            _logger.exception("Reminder to %s failed", partner.display_name)
            return self._relance_log_failure(partner, moves, date, error)

    @api.model
    def _relance_plan(self, partner, moves, date, level=None, channel=None):
        """Planned logs for a customer's invoices: one grouped reminder (with the pre-due notices of the day as
        their own section: one message a day), the formal notice apart (a registered letter of its own),
        pre-due notices alone one per invoice, one courtesy call for all the invoices it concerns; or one
        log at the level and channel a person chose."""
        calls = moves.filtered(lambda m: m.relance_next_level_id._relance_is_courtesy_call())
        if level:
            groups = [moves]
        elif self.env.company.relance_grouping:
            pre_due = moves.filtered(lambda m: m.relance_next_level_id.delay < 0) - calls
            formal = moves.filtered(lambda m: m.relance_next_level_id.tone == "formal")
            rest = moves - pre_due - formal - calls
            groups = ([rest | pre_due] if rest else list(pre_due)) + ([formal] if formal else [])
        else:
            groups = list(moves - calls)
        if calls and not level:
            groups += [
                calls.filtered(lambda m, lvl=lvl: m.relance_next_level_id == lvl) for lvl in calls.relance_next_level_id
            ]
        vals_list = [self._prepare_relance_log_vals(partner, group, date, level, channel) for group in groups]
        return (
            self.with_context(mail_create_nolog=True, tracking_disable=True)
            .create(vals_list)
            .with_context(tracking_disable=False, mail_create_nolog=False)
        )

    @api.model
    def _prepare_relance_log_vals(self, partner, moves, date, level=None, channel=None):
        chosen = level
        level = chosen or moves.relance_next_level_id.sorted(lambda lvl: (lvl.sequence, lvl.id))[-1:]
        return {
            "date": date,
            "partner_id": partner.id,
            "move_ids": [Command.set(moves.ids)],
            "move_levels": {str(move.id): (chosen or move.relance_next_level_id).id for move in moves},
            "level_id": level.id,
            "channel": channel or level.channel,
            "company_id": self.env.company.id,
            "user_id": self.env.company._relance_sender_user().id,
            "state": "planned",
        }

    @api.model
    def _relance_failure_reason(self, error):
        """What a failed log says: the French message of an error a person can fix, else the error itself."""
        return error.args[0] if isinstance(error, UserError) and error.args else repr(error)

    @api.model
    def _relance_log_failure(self, partner, moves, date, error):
        """Failed log with the reason; the invoices keep their level and are tried again on the next run."""
        reason = self._relance_failure_reason(error)
        vals = (
            self._prepare_relance_log_vals(partner, moves, date)
            if moves
            else {
                "date": date,
                "partner_id": partner.id,
                "company_id": self.env.company.id,
            }
        )
        return self.sudo().create(dict(vals, state="failed", note=reason)).with_env(self.env)

    # ------------------------------------------------------------------
    # Sending one reminder
    # ------------------------------------------------------------------

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
        levels = (
            self.env["relance.level"]
            .browse({level_id for level_id in wanted.values() if type(level_id) is int and level_id > 0})
            .exists()
        )
        return {
            move: levels.browse(level_id) if level_id in levels.ids else move.relance_next_level_id
            for move, level_id in wanted.items()
        }

    def _relance_execute(self, automatic=True, statement=False):
        """Send this planned reminder through its level's channel, or ask a person to validate it; statement:
        attach the month's statement of account to its email, if it sends one."""
        self.ensure_one()
        if automatic and not self.level_id.automatic:
            return self._relance_request_validation()
        moves_levels = list(self._relance_reached_levels().items())
        self._relance_letter_if_no_email()
        if self.channel == "phone":
            self._relance_request_call()
            if self.level_id._relance_is_courtesy_call():
                # a courtesy call never holds the ladder: the invoices move on, whether the call is made or not
                self._relance_record({"state": "sent"})
                self._relance_mark_moves(
                    moves_levels,
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
            if self.relance_letter_copy():
                # the email is a copy of the registered letter: the letter exists first, and goes with it
                self._relance_store_letters()
        if self.channel in ("email", "email_letter"):
            self._relance_send_email(statement)
        self._relance_record({"state": "to_print" if self.channel in ("letter", "email_letter") else "sent"})
        if self.state == "to_print" and not automatic:
            # validated by a person (e.g. a formal notice): the letter exists at once, to print now
            self._relance_store_letters()
        self._relance_mark_moves(moves_levels)

    def _relance_letter_if_no_email(self):
        """A customer without an email address gets the reminder by letter (Settings), when it has a postal
        address; otherwise the reminder fails, saying what to complete."""
        if self.channel not in ("email", "email_letter") or self.partner_id._relance_email_contact():
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

    def _relance_mark_moves(self, moves_levels, body=None):
        """Each invoice climbs to its own level; the invoices and the customer keep a trace in their chatter
        (body, or what was sent)."""
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
            moves._relance_write_reminder_state({"relance_level_id": level.id, "relance_last_date": self.date})
        body = body or self.env._(
            "%(level)s sent (%(channel)s) on %(date)s for invoices %(invoices)s.",
            level=self.level_id.name,
            channel=dict(self._fields["channel"]._description_selection(self.env))[self.channel],
            date=format_date(self.env, self.date),
            invoices=", ".join(self.move_ids.mapped("name")),
        )
        self._relance_log_in_chatter(body)

    def _relance_log_in_chatter(self, body):
        """The reminder's note in the chatter of each of its invoices and of the customer, in one INSERT
        (the values _message_log_batch gives a note, for two models at once)."""
        author_id, email_from = self.move_ids._message_compute_author(raise_on_email=False)
        base = {
            "author_id": author_id,
            "email_from": email_from,
            "body": escape(body),
            "message_type": "notification",
            "is_internal": True,
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "email_add_signature": False,
            "record_alias_domain_id": False,
            "record_company_id": False,
            "record_name": False,
            "message_id": generate_tracking_message_id("message-notify"),
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False],
        }
        return (
            self.env["mail.message"]
            .sudo()
            .with_context(clean_context(self.env.context))
            .create(
                [dict(base, model="account.move", res_id=move.id) for move in self.move_ids]
                + [dict(base, model="res.partner", res_id=self.partner_id.id)]
            )
        )

    def _relance_send_email(self, statement=False):
        """Queue the reminder email, with the invoices' PDFs attached (and the statement, if asked)."""
        pdfs = self.move_ids._relance_invoice_pdfs()
        letter = self.letter_attachment_id if self.relance_letter_copy() else self.env["ir.attachment"]
        statement_log = self._relance_join_statement() if statement else self.browse()
        self._relance_queue_email(
            self._relance_template(), letter.union(*pdfs.values(), statement_log.letter_attachment_id)
        )
        statement_log._relance_record({"state": "sent"})

    def _relance_join_statement(self):
        """The month's statement of account of this reminder's customer, as a statement log carried by it."""
        self._relance_record({"with_statement": True})
        statement = self.with_context(mail_create_nolog=True, tracking_disable=True).create(
            dict(
                self._prepare_relance_statement_vals(self.partner_id, self.date),
                sent_with_id=self.id,
                note=self.with_context(lang=self._relance_responsible().lang or self.env.lang).env._(
                    "Attached to the reminder email of %(date)s (%(level)s): one message a day.",
                    date=format_date(self.env, self.date),
                    level=self.level_id.name,
                ),
            )
        )
        statement._relance_store_statement(self.env.cr.cache.get("relance_statement_pdfs", {}).get(self.partner_id.id))
        self.partner_id._message_log(
            body=self.env._(
                "Statement of account at %(date)s sent by email, attached to the reminder.",
                date=format_date(self.env, self.date),
            )
        )
        return statement

    def _relance_queue_email(self, template, attachments):
        """Queue this reminder's email to the customer (with the copy user) and link it and its files here."""
        self.ensure_one()
        recipient = self.partner_id._relance_recipient()
        cc_user = self.company_id.relance_cc_user_id
        email_values = {
            "recipient_ids": [Command.link(recipient.id)],
            "attachment_ids": [Command.link(att.id) for att in attachments],
            "email_cc": cc_user.email_formatted if cc_user.email else False,
        }
        # a person may have edited this email in the wizard before sending
        email_values.update(self.env.context.get("relance_mail_values", {}).get(self.partner_id.id, {}))
        render_key = ("relance_lines", self.id)
        self.env.cr.cache[render_key] = self._relance_compute_lines()
        try:
            mail_id = template.send_mail(self.id, email_values=email_values)
        finally:
            self.env.cr.cache.pop(render_key, None)
        mail = self.env["mail.mail"].sudo().browse(mail_id)
        self._relance_record({"mail_mail_id": mail.id, "mail_message_id": mail.mail_message_id.id})

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

    def _relance_request_call(self):
        """A phone level: one call activity for the responsible user, with a call script."""
        lines = self.relance_lines()
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

    def _relance_responsible(self):
        """Who handles this customer's reminders: the invoices' responsible, else the reminder sender."""
        return self.company_id._relance_responsible_for(self.move_ids)

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
            log._relance_execute(automatic=False)
            log.activity_ids.action_feedback(feedback=self.env._("Validated and sent."))
        return True

    # ------------------------------------------------------------------
    # Letters
    # ------------------------------------------------------------------

    def _relance_letter_report(self):
        """The letter of this reminder: the level's own, else the formal notice or the reminder letter."""
        self.ensure_one()
        if self.level_id.report_id:
            return self.level_id.report_id
        if self.level_id.tone == "formal":
            return self.env.ref("odoo_relance_fr.action_report_relance_mise_en_demeure")
        return self.env.ref("odoo_relance_fr.action_report_relance_letter")

    def _relance_check_printable(self):
        """A letter goes only to a customer with a postal address, for invoices still unpaid."""
        for log in self:
            paid = log.move_ids.filtered(lambda move: move.payment_state in ("paid", "in_payment", "reversed"))
            if paid:
                raise UserError(
                    self.env._(
                        "The letter to %(customer)s concerns invoices already paid (%(invoices)s): "
                        "cancel this reminder instead of printing it.",
                        customer=log.partner_id.name,
                        invoices=", ".join(paid.mapped("name")),
                    )
                )
            if not (log.partner_id.street and log.partner_id.city):
                raise UserError(
                    self.env._(
                        "Customer %(customer)s has no postal address (street and city): complete it before "
                        "printing the letter.",
                        customer=log.partner_id.name,
                    )
                )

    def _relance_store_letters(self, batch_size=50):
        """Render the missing letters, one wkhtmltopdf run per report and batch_size letters, and keep
        each PDF on its reminder."""
        # a letter whose file is gone from the filestore is rendered again rather than printed empty
        todo = self.filtered(lambda log: (log.letter_attachment_id.raw or b"")[:5] != b"%PDF-")
        todo._relance_check_printable()
        by_report = {}
        for log in todo:
            report = log._relance_letter_report()
            by_report[report] = by_report.get(report, self.browse()) | log
        for report, logs in by_report.items():
            letters = self.env["ir.actions.report"]._relance_store_each(
                report, logs, lambda log: log._relance_letter_filename(), batch_size
            )
            failed = logs - self.browse().union(*letters)
            if failed:
                raise UserError(
                    self.env._(
                        "The letter to %(customers)s could not be rendered: try again; if it fails again, the "
                        "server log gives the reason.",
                        customers=", ".join(failed.partner_id.mapped("name")),
                    )
                )
            for log, attachment in letters.items():
                log._relance_record({"letter_attachment_id": attachment.id})
        return self

    def _relance_letter_filename(self):
        self.ensure_one()
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env  # the customer's language
        kind = env._("Formal notice") if self.level_id.tone == "formal" else env._("Reminder")
        return f"{kind} - {self.partner_id.name} - {fields.Date.to_string(self.date)}.pdf"

    def action_relance_print_letters(self):
        """Print the letters waiting (these, or all of the user's companies) as ONE PDF; mark them printed."""
        logs = (
            self.filtered(lambda log: log.state == "to_print")
            if self
            else self.search(
                [("state", "=", "to_print"), ("company_id", "in", self.env.companies.ids)], order="partner_id, id"
            )
        )
        if not logs:
            raise UserError(self.env._("No letter is waiting to be printed."))
        logs._relance_store_letters()
        merged = self.env["ir.attachment"].create(
            {
                "name": self.env._(
                    "Reminder letters %(date)s.pdf", date=fields.Date.to_string(fields.Date.context_today(self))
                ),
                "raw": pdf.merge_pdf([log.letter_attachment_id.raw for log in logs]),
                "mimetype": "application/pdf",
                "res_model": "relance.log",
            }
        )
        logs._relance_record({"state": "printed"})
        return {"type": "ir.actions.act_url", "url": f"/web/content/{merged.id}?download=true", "target": "self"}

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
        self.activity_ids.with_context(relance_call_outcome=True).action_feedback(
            feedback=label + (f" - {note}" if note else "")
        )

    def action_relance_cancel(self):
        """Cancel reminders not sent yet (planned) or letters not printed (e.g. paid in the meantime)."""
        for log in self:
            if log.state not in ("planned", "to_print", "failed"):
                raise UserError(self.env._("A reminder already sent or printed cannot be cancelled."))
        self.activity_ids.unlink()
        self._relance_record({"state": "cancelled"})
        return True

    def action_relance_reprint(self):
        """Print this reminder's letter again, exactly as it was first printed."""
        self.ensure_one()
        self._relance_store_letters()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.letter_attachment_id.id}?download=true",
            "target": "self",
        }

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
                new_logs |= self.with_company(log.company_id)._relance_send_statement(log.partner_id, today, force=True)
            else:
                new_logs |= self.with_company(log.company_id)._relance_remind_partner(
                    log.partner_id, today, automatic=False
                )
        still_failed = new_logs.filtered(lambda log: log.state == "failed")
        if still_failed:
            raise UserError(still_failed[0].note)
        if not new_logs:
            raise UserError(
                self.env._("The invoices of this reminder are already paid or no longer due for it: nothing was sent.")
            )
        return new_logs._get_records_action(name=self.env._("Reminders"))

    def relance_letter_values(self):
        """Everything the letters print besides the invoice table, formatted for the customer."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        company = self.company_id
        history = self._relance_history()
        references = ", ".join(line["reference"] for line in self.relance_lines())
        totals = self.relance_totals()
        return dict(
            company._relance_letter_values(lang, self.date),
            deadline=self.relance_deadline(),
            subject=self._relance_subject(),
            history=history,
            history_dates=company._relance_join([format_date(env, log.date, lang_code=lang) for log in history], env),
            qr_amount=totals["to_pay"],
            qr=company._relance_qr_code(
                totals["to_pay_amount"],
                self.move_ids.currency_id,
                references,
                self.partner_id,
                self.move_ids.partner_bank_id[:1],
            ),
        )

    # ------------------------------------------------------------------
    # Values used by the mail templates
    # ------------------------------------------------------------------

    def relance_html(self, part):
        """One shared piece of the reminder email (table, payment, signature) in the customer's language."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        lines = self.relance_lines()
        totals = self.relance_totals()
        values = {
            "lines": lines,
            "totals": totals,
            "bank": self.relance_bank(),
            "sender": self.relance_sender(),
            "pre_due": self.level_id.delay < 0,
            "grouped": len(self.move_ids) > 1,
            "show_penalties": bool(totals["business"] and lines and lines[0]["penalty"] is not None),
            "show_note": self.level_id.tone != "formal",
            "formal": self.level_id.tone == "formal",
            "tone": self.level_id.tone,
            "letter": bool(self.env.context.get("relance_letter")),
            "statement": self.with_statement and not self.env.context.get("relance_letter"),
            "deadline": self.relance_deadline(),
            "date": format_date(self.env, self.date, lang_code=lang),
        }
        if part in ("sections", "closing", "payment"):
            values["sections"] = self.relance_sections()
        if part == "claim":
            values.update(rates=self._relance_rates(lang), rate_kind=self.company_id.relance_penalty_rate_type)
        return self.env["ir.qweb"].with_context(lang=lang)._render(f"odoo_relance_fr.relance_mail_{part}", values)

    def relance_sections(self):
        """The reminder's invoices by stage, the most advanced first: each presented for what it is."""
        self.ensure_one()
        lines = self.relance_lines()
        sections = []
        for tone in ("formal", "final", "firm", "courteous", "pre_due"):
            own = [line for line in lines if line["tone"] == tone]
            if own:
                sections.append(
                    {"tone": tone, "label": own[0]["level"], "lines": own, "totals": self._relance_sum(own)}
                )
        return sections

    def _relance_history(self):
        """The earlier reminders sent for these invoices, oldest first."""
        self.ensure_one()
        return self.search(
            [
                ("kind", "=", "reminder"),
                ("move_ids", "in", self.move_ids.ids),
                ("id", "!=", self.id),
                ("date", "<", self.date),
                ("state", "in", ("sent", "to_print", "printed", "done")),
            ],
            order="date, id",
        )

    def relance_history_count(self):
        """How many reminders came before this one: the formal notice speaks of « notre relance » or « nos
        relances » accordingly."""
        return len(self._relance_history())

    def relance_letter_copy(self):
        """The formal notice's email is a copy of its registered letter (sent with it)."""
        self.ensure_one()
        return self.level_id.tone == "formal" and self.channel in ("letter", "email_letter")

    def relance_subject(self):
        """Email subject: the company, the stage and the invoices."""
        self.ensure_one()
        return f"{self.company_id.name} – {self._relance_subject()}"

    def _relance_subject(self):
        """The stage and the invoices: « Dernière relance avant mise en demeure – 3 factures impayées »."""
        self.ensure_one()
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        tone = self.level_id.tone
        stage = {
            "pre_due": env._("Upcoming due date"),
            "final": env._("Last reminder before formal notice"),
            "formal": env._("FORMAL NOTICE"),
        }.get(tone) or self.level_id.with_env(env)._relance_customer_label()
        sections = self.relance_sections() if len(self.move_ids) > 1 else []
        # invoices not yet due joining a reminder are no unpaid invoices: named apart, after the others
        soon = sum(len(s["lines"]) for s in sections if s["tone"] == "pre_due") if tone != "pre_due" else 0
        if soon:
            sections = [s for s in sections if s["tone"] != "pre_due"]
        subject = self._relance_subject_of(env, tone, stage, sections, len(self.move_ids) - soon)
        if soon == 1:
            return subject + env._(", and 1 invoice not yet due")
        if soon:
            return subject + env._(", and %(count)s invoices not yet due", count=soon)
        return subject

    def _relance_subject_of(self, env, tone, stage, sections, count):
        """The subject for count invoices at these stages (the first of them, when there is one)."""
        if len(sections) > 1:
            # invoices at several stages: the subject names the most advanced for the invoices it concerns
            most = len(sections[0]["lines"])
            return (
                env._(
                    "%(count)s unpaid invoices, %(most)s of them under last reminder before formal notice",
                    count=count,
                    most=most,
                )
                if tone == "final"
                else env._(
                    "%(count)s unpaid invoices, %(most)s of them at %(stage)s",
                    count=count,
                    most=most,
                    stage=sections[0]["label"],
                )
            )
        name = sections[0]["lines"][0]["name"] if sections else self.move_ids[:1].name
        if tone == "pre_due":
            what = env._("invoice %(name)s", name=name) if count == 1 else env._("%(count)s invoices", count=count)
        else:
            what = (
                env._("unpaid invoice %(name)s", name=name)
                if count == 1
                else env._("%(count)s unpaid invoices", count=count)
            )
        return f"{stage} – {what}"

    def _relance_rates(self, lang):
        """The annual penalty rates applied to the reminder's invoices, formatted: « 12,15 % », « 12.15% »."""
        env = self.with_context(lang=lang).env
        rates = sorted({rate for move in self.move_ids for rate in move._relance_penalty_details(self.date)["rates"]})
        percent = "\u00a0%" if lang.startswith("fr") else "%"
        return " / ".join(formatLang(env, rate) + percent for rate in rates)

    def relance_deadline(self):
        """The payment deadline the texts give (Settings), in the customer's language: « 8 jours »."""
        self.ensure_one()
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        days = self.company_id.relance_med_deadline
        return env._("%(days)s day", days=days) if days == 1 else env._("%(days)s days", days=days)

    def relance_first(self):
        """Values of the earliest invoice of the reminder, for the sentences that name it."""
        self.ensure_one()
        return self.relance_lines()[0]

    def relance_lines(self):
        """One dict per invoice with the values the reminder shows (computed once per email being rendered)."""
        self.ensure_one()
        cached = self.env.cr.cache.get(("relance_lines", self.id))
        return cached if cached is not None else self._relance_compute_lines()

    def _relance_compute_lines(self):
        """One dict per invoice with the values the reminder shows, formatted for the recipient's language."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        show_penalties = self.company_id.relance_show_penalties and self.level_id.show_penalties
        self.move_ids._relance_ensure_access_tokens()
        reached = self._relance_reached_levels()
        lines = []
        for move in self.move_ids.with_env(env).sorted("relance_due_date"):
            details = move._relance_penalty_details(self.date) if show_penalties else None
            lines.append(
                {
                    "move": move,
                    "name": move.name,
                    "invoice_date": format_date(env, move.invoice_date, lang_code=lang),
                    "due_date": format_date(env, move.relance_due_date, lang_code=lang),
                    "total": format_amount(env, move.amount_total, move.currency_id, lang_code=lang),
                    "residual": format_amount(env, move.amount_residual, move.currency_id, lang_code=lang),
                    "days_late": max((self.date - move.relance_due_date).days, 0),
                    "reference": move.payment_reference or move.name,
                    "level": reached[move].with_env(env)._relance_customer_label(),
                    "tone": reached[move].tone,
                    "url": move.get_base_url() + move.get_portal_url(),
                    "penalty": details and format_amount(env, details["penalty"], move.currency_id, lang_code=lang),
                    "indemnity": details and format_amount(env, details["indemnity"], move.currency_id, lang_code=lang),
                    "penalty_amount": details and details["penalty"],
                    "indemnity_amount": details and details["indemnity"],
                }
            )
        return lines

    def relance_totals(self):
        """Total still due and total penalties of the reminder, formatted."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        totals = self._relance_sum(self.relance_lines())
        # a formal notice claims the penalties and indemnities with the principal: that is what it asks to pay
        to_pay = totals["claimed_amount"] if self.level_id.tone == "formal" else totals["residual_amount"]
        currency = self.move_ids.currency_id[:1] or self.company_id.currency_id
        return dict(
            totals,
            to_pay_amount=to_pay,
            to_pay=format_amount(env, to_pay, currency, lang_code=lang),
            business=self.move_ids[:1]._relance_is_business(),
        )

    def _relance_sum(self, lines):
        """Principal still due, penalties, indemnities and their total over these lines, raw and formatted."""
        lang = self.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        currency = self.move_ids.currency_id[:1] or self.company_id.currency_id
        amounts = {
            "residual": sum(line["move"].amount_residual for line in lines),
            "penalties": sum(line["penalty_amount"] or 0.0 for line in lines),
            "indemnities": sum(line["indemnity_amount"] or 0.0 for line in lines),
        }
        amounts["claimed"] = currency.round(sum(amounts.values()))
        return {
            **{f"{key}_amount": amount for key, amount in amounts.items()},
            **{key: format_amount(env, amount, currency, lang_code=lang) for key, amount in amounts.items()},
        }

    def relance_bank(self):
        """The company's bank account shown for the transfer: IBAN and BIC."""
        self.ensure_one()
        bank = self.move_ids.partner_bank_id[:1] or self.company_id.partner_id.bank_ids[:1]
        return {"iban": bank.acc_number or "", "bic": bank.bank_bic or ""}

    def relance_sender(self):
        """The person who signs the reminder."""
        self.ensure_one()
        user = self.company_id._relance_sender_user()
        company = self.company_id
        return {
            "name": user.name if company.relance_sender == "user" else company.name,
            "email": (user.email if company.relance_sender == "user" else company.email) or company.email or "",
            "phone": (user.phone if company.relance_sender == "user" else company.phone) or company.phone or "",
            "company": company.name,
        }

    def relance_email_from(self):
        """Sender address of the reminder emails."""
        self.ensure_one()
        company = self.company_id
        if company.relance_sender == "user" and company.relance_sender_user_id.email:
            return company.relance_sender_user_id.email_formatted
        return company.email_formatted or self.env.user.email_formatted

    # ------------------------------------------------------------------
    # Monthly statements of account
    # ------------------------------------------------------------------

    @api.model
    def _cron_relance_statement(self, batch_size=50):
        """On each company's statement day, send one batch of statements; the scheduler reruns the job."""
        self = self._relance_cron_env()  # noqa: PLW0642
        today = fields.Date.context_today(self)
        todo = []
        for company in self.env["res.company"].search(
            [("relance_statement_day", "in", self._relance_statement_days(today))]
        ):
            if company._relance_is_statement_day(today):
                todo += [
                    (company, partner) for partner in self.with_company(company)._relance_statement_partners(today)
                ]
        batch, _partners = self._relance_take_batch(todo, batch_size)
        pdfs = {}
        for company in {company for company, _partner in batch}:
            partners = self.env["res.partner"].union(*(partner for comp, partner in batch if comp == company))
            pdfs.update(self.with_company(company)._relance_statement_pdfs(partners, today))
        self._relance_run_batch(
            batch,
            len(todo),
            lambda logs, partner: logs._relance_send_statement(partner, today, pdf=pdfs.get(partner.id)),
        )

    @api.model
    def _relance_statement_days(self, date):
        """The statement days that fall on date: its day of the month, and "last" on the last day."""
        return [str(date.day)] + (["last"] if (date + timedelta(days=1)).month != date.month else [])

    @api.model
    def _relance_statement_pdfs(self, partners, date, batch_size=50):
        """Statement PDFs of these customers, rendered batch_size per wkhtmltopdf run: {partner id: bytes}.

        Customers without an email address are left out (their statement fails before any rendering).
        A statement that cannot be rendered is left out too: it is rendered again when sent, and its
        customer's statement fails there, with the reason.
        """

        def reachable(partner):
            try:
                return bool(partner._relance_recipient())
            except UserError:
                return False

        report = self.env.ref("odoo_relance_fr.action_report_relance_statement")
        return (
            self.env["ir.actions.report"]
            .with_context(relance_date=date)
            ._relance_render_each(report, partners.filtered(reachable).ids, batch_size)
        )

    @api.model
    def _relance_statement_due(self, partner, date):
        """Whether the customer's statement of the month is due today and not sent (nor a reminder email today),
        as read for the whole cron batch if it was."""
        company = self.env.company
        if not company._relance_is_statement_day(date):
            return False
        known = self.env.cr.cache.get("relance_statements_due", {})
        if company.id in known:
            return partner.id in known[company.id]
        return bool(self._relance_statement_partners(date, partner))

    @api.model
    def _relance_statement_partners(self, date, partners=None):
        """Customers (of partners, or all) with enough overdue invoices and no statement sent (or failed today)
        this month, nor a reminder email today (one message a day). The statement run leaves out the customers
        the ladder reminds today: their statement goes with their reminder (_relance_remind_partner)."""
        company = self.env.company
        Move = self.env["account.move"]
        among = [("commercial_partner_id", "in", partners.ids)] if partners is not None else []
        if partners is None and company.relance_auto_send:
            due = Move._read_group(Move._relance_due_domain(company, date), ["commercial_partner_id"])
            among = [("commercial_partner_id", "not in", [partner.id for (partner,) in due])]
        groups = Move._read_group(
            among
            + Move._relance_open_domain(company)
            + [
                ("invoice_date_due", "<", date),
                ("commercial_partner_id.relance_excluded", "=", False),
            ],
            ["commercial_partner_id"],
            ["__count"],
            having=[("__count", ">=", max(company.relance_statement_min_overdue, 1))],
            order="commercial_partner_id",
        )
        found = self.env["res.partner"].browse([partner.id for partner, _count in groups])
        return found - self._relance_statement_done(found, date).partner_id

    @api.model
    def _relance_statement_done(self, partners, date):
        """What stands for this month's statement: a statement sent, or failed today; a reminder email today
        (the statement went with it, or is skipped: one message a day)."""
        return self.search(
            [
                ("company_id", "=", self.env.company.id),
                ("partner_id", "in", partners.ids),
                "|",
                "|",
                "&",
                "&",
                ("kind", "=", "statement"),
                ("state", "=", "sent"),
                ("date", ">=", date.replace(day=1)),
                "&",
                "&",
                ("kind", "=", "statement"),
                ("state", "=", "failed"),
                ("date", "=", date),
                "&",
                "&",
                "&",
                ("kind", "=", "reminder"),
                ("date", "=", date),
                ("channel", "in", ("email", "email_letter")),
                ("state", "in", ("sent", "to_print", "printed", "done")),
            ]
        )

    @api.model
    def _relance_send_statement(self, partner, date, force=False, pdf=None):
        """Email one customer its statement; on failure change nothing and leave a failed log."""
        try:
            with self.env.cr.savepoint():
                # Lock and touch the customer's row in one statement, as the ladder does with the invoices:
                # a worker whose snapshot predates another worker's statement then gets a serialization
                # failure (skipped) instead of sending a second statement.
                self.env.cr.execute(
                    SQL(
                        """UPDATE res_partner SET write_date = write_date
                            WHERE id IN (SELECT id FROM res_partner WHERE id = %s FOR UPDATE SKIP LOCKED)
                        RETURNING id""",
                        partner.id,
                    ),
                    log_exceptions=False,
                )
                if not self.env.cr.fetchone() or (not force and self._relance_statement_done(partner, date)):
                    return self.browse()
                log = self.with_context(mail_create_nolog=True, tracking_disable=True).create(
                    self._prepare_relance_statement_vals(partner, date)
                )
                log._relance_send_statement_email(pdf)
            return log
        except CONCURRENCY_ERRORS:
            return self.browse()
        except Exception as error:
            _logger.exception("Statement to %s failed", partner.display_name)
            reason = self._relance_failure_reason(error)
            vals = dict(self._prepare_relance_statement_vals(partner, date), state="failed", note=reason)
            return self.sudo().create(vals).with_env(self.env)

    @api.model
    def _prepare_relance_statement_vals(self, partner, date):
        Move = self.env["account.move"]
        moves = Move.search(Move._relance_open_domain(self.env.company) + [("commercial_partner_id", "=", partner.id)])
        return {
            "kind": "statement",
            "date": date,
            "partner_id": partner.id,
            "channel": "email",
            "state": "planned",
            "company_id": self.env.company.id,
            "move_ids": [Command.set(moves.ids)],
            "user_id": self.env.company._relance_sender_user().id,
        }

    def _relance_send_statement_email(self, pdf=None):
        """Queue the statement email with the statement PDF (given, or rendered now), keep the PDF,
        note it on the customer."""
        self.ensure_one()
        template = self.env.ref("odoo_relance_fr.mail_template_relance_statement")
        self.partner_id._relance_recipient()  # no email address: fail before rendering the PDF
        attachment = self._relance_store_statement(pdf)
        self._relance_queue_email(template, attachment)
        self._relance_record({"state": "sent"})
        self.partner_id._message_log(
            body=self.env._("Statement of account at %(date)s sent by email.", date=format_date(self.env, self.date))
        )

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
                "name": self.env._(
                    "Statement of account - %(customer)s - %(date)s.pdf",
                    customer=self.partner_id.name,
                    date=fields.Date.to_string(self.date),
                ),
                "raw": pdf,
                "res_model": "relance.log",
                "res_id": self.id,
                "mimetype": "application/pdf",
            }
        )
        self._relance_record({"letter_attachment_id": attachment.id})
        return attachment

    def relance_statement_summary(self):
        """Date, balance and overdue amount of the statement, for the email, in the customer's language."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        sections = self.partner_id.with_env(env)._relance_statement(self.date, self.company_id)
        return {
            "date": format_date(env, self.date, lang_code=lang),
            "amounts": [
                {
                    "balance": format_amount(env, s["balance"], s["currency"], lang_code=lang),
                    "overdue": format_amount(env, s["overdue"], s["currency"], lang_code=lang),
                }
                for s in sections
            ],
        }


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


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """A reminder call is done only with its outcome, which moves the ladder on."""
        calls = self.filtered(
            lambda act: (
                act.res_model == "relance.log"
                and act.activity_type_id == self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
            )
        )
        courtesy = calls.filtered(
            lambda act: (
                (log := self.env["relance.log"].browse(act.res_id)).state == "sent"
                and log.level_id._relance_is_courtesy_call()
            )
        )
        calls -= courtesy
        if calls and not self.env.context.get("relance_call_outcome"):
            raise UserError(
                self.env._(
                    'Record the outcome of this reminder call with the "Call outcome" button of the reminder: '
                    "it updates the invoices (promise, dispute, last reminder date)."
                )
            )
        logs = self.env["relance.log"].browse(courtesy.mapped("res_id"))
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        # a courtesy call made: its reminder is done (the invoices moved on when it was planned)
        logs._relance_record({"state": "done"})
        return result
