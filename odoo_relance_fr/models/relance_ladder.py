import logging
from dataclasses import dataclass, field, replace

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .relance_batch import CONCURRENCY_ERRORS, Deferred

_logger = logging.getLogger(__name__)


@dataclass
class Sending:
    """How one customer's reminders are sent, handed down explicitly (as account.move.send hands its
    moves_data and sending settings):
    by_person: sent by a person, so a level waiting for validation goes out; chosen: the invoices were chosen
    by that person (an invoice no longer due is an error, not a skip), at level and channel if given;
    mail_values: the email as that person edited it in the wizard; and what the scheduler read once for its
    batch: invoice_pdfs {invoice id: attachment id}, statements_due {company id: customer ids} for the
    companies whose statement day it is, statement_pdfs {customer id: bytes}, without_invoice_address: the
    customers with no invoice address among their contacts, links {(company id, customer id): id of the
    customer's link of the day} (the scheduler's run commits every few customers, which empties the ORM's
    cache: what a batch read once travels here)."""

    by_person: bool = False
    chosen: bool = False
    level: object = None
    channel: str = None
    mail_values: dict = field(default_factory=dict)
    invoice_pdfs: dict = field(default_factory=dict)
    statements_due: dict = field(default_factory=dict)
    statement_pdfs: dict = field(default_factory=dict)
    without_invoice_address: frozenset = frozenset()
    links: dict = field(default_factory=dict)
    held: "Held" = None
    deferred: "Deferred" = None


@dataclass
class Held:
    """The scheduler's customers of one commit, locked together with their invoices (_relance_hold_chunk):
    partner_ids, the customers this worker holds; moves, their invoices locked, read again and still due."""

    partner_ids: frozenset
    moves: object


class RelanceLadder(models.AbstractModel):
    """The daily ladder: which customers are due, what each gets (planned reminders), sent one customer at a
    time. Called by the scheduled action, the wizard and a failed reminder's "Send again"."""

    _name = "relance.ladder"
    _inherit = ["relance.batch"]
    _description = "Reminder ladder"

    @api.model
    def _relance_run_daily(self, batch_size=50):
        """Remind one batch of customers due today; the scheduler reruns the job while some remain."""
        self = self._relance_cron_env()  # noqa: PLW0642
        today = fields.Date.context_today(self)
        self._relance_request_missing_rates(today)
        todo, due_moves, total = self._relance_select_batch(today, batch_size)
        batch, partners = self._relance_take_batch(todo, batch_size)
        moves = self.env["account.move"].union(*(due_moves[company, partner] for company, partner in batch))
        read = self._relance_read_batch(batch, partners, moves, today)
        read.deferred = Deferred()
        self._relance_run_batch(
            batch,
            total,
            lambda ladder, partner: ladder._relance_remind_partner(
                partner,
                today,
                due_moves[ladder.env.company, partner].with_prefetch(moves._prefetch_ids),
                sending=read,
            ),
            before_chunk=lambda chunk: self._relance_hold_chunk(chunk, due_moves, today, read),
            before_commit=lambda: self._relance_write_deferred(read.deferred),
        )

    @api.model
    def _relance_hold_chunk(self, chunk, due_moves, date, sending):
        """Lock the customers of one commit and their due invoices in two statements, instead of two for each
        customer, and read them together (sending.held). The customers another worker holds are left to it.
        If another worker changed some of these invoices since this transaction began, nothing is held here
        and each customer is locked on its own (_relance_remind_partner_once)."""
        sending.held = None
        partners = self.env["res.partner"].union(*(partner for _company, partner in chunk))
        moves = self.env["account.move"].union(*(due_moves[company, partner] for company, partner in chunk))
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM res_partner WHERE id IN %s ORDER BY id FOR NO KEY UPDATE SKIP LOCKED",
                        tuple(partners.ids),
                    ),
                    log_exceptions=False,
                )
                held_ids = frozenset(row[0] for row in self.env.cr.fetchall())
                moves = moves.filtered(lambda move: move.commercial_partner_id.id in held_ids)
                locked = moves._relance_lock_and_recheck(date, due_only=True, skip_pending=True)
        except CONCURRENCY_ERRORS:
            return
        emailed = locked.filtered(lambda move: move.relance_next_level_id.channel in ("email", "email_letter"))
        emailed._relance_ensure_access_tokens()
        emailed.mapped("access_token")  # read again for all at once, not customer by customer
        partners.mapped("email")  # the same for the customers, read by each reminder
        # and their links of the day, which each email prints
        self.env["relance.access"].browse(
            [
                sending.links[company.id, partner.id]
                for company, partner in chunk
                if (company.id, partner.id) in sending.links
            ]
        ).mapped("token")
        sending.held = Held(partner_ids=held_ids, moves=locked)

    @api.model
    def _relance_request_missing_rates(self, date):
        """Ask for the semester's ECB rate where it is missing; asking never stops the reminders."""
        try:
            with self.env.cr.savepoint():
                self.env["relance.rate"]._relance_request_missing_rate(
                    self.env["res.company"].search([("relance_penalty_rate_type", "=", "ecb_plus_10")]), date
                )
        except Exception:
            _logger.exception("The activity asking for the missing ECB rate could not be created")

    @api.model
    def _relance_select_batch(self, date, batch_size):
        """The first batch_size (company, customer) pairs due on date, their due invoices
        {(company, customer): invoices}, and how many customers are due in all."""
        Move = self.env["account.move"]
        todo, due_moves, total = [], {}, 0
        for company in self.env["res.company"].search([("relance_auto_send", "=", True)]):
            Move._relance_refresh_stale(company, date)
            domain = Move._relance_due_domain(company, date)
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
        return todo, due_moves, total

    @api.model
    def _relance_read_batch(self, batch, partners, moves, date):
        """What the batch's reminders need, read once for all: the invoices' PDFs (the missing ones rendered
        together), the customers without an invoice address and, on a statement day, the statements due and
        their PDFs."""
        pdfs = {move_id: att.id for move_id, att in moves._relance_stored_pdfs().items()}
        pdfs.update(
            self._relance_prerender_pdfs(
                moves.filtered(
                    lambda move: move.id not in pdfs and move.relance_next_level_id.channel in ("email", "email_letter")
                )
            )
        )
        statements_due, statement_pdfs = self._relance_batch_statements(batch, date)
        return Sending(
            without_invoice_address=self.env["res.partner"]._relance_without_invoice_address(partners),
            invoice_pdfs=pdfs,
            statements_due=statements_due,
            statement_pdfs=statement_pdfs,
            links=self._relance_batch_links(batch, date),
        )

    @api.model
    def _relance_batch_links(self, batch, date):
        """The customers' links of the day, read (or made) together: {(company id, customer id): link id}. When
        another worker has just locked and touched some of these customers (a link refers to its customer's row),
        none is made here: each reminder or statement then gets its link with its own customer, all or nothing,
        and the customers of that other worker are left to it."""
        links = {}
        try:
            with self.env.cr.savepoint():
                for company in {company for company, _partner in batch}:
                    partners = self.env["res.partner"].union(*(partner for comp, partner in batch if comp == company))
                    found = self.env["relance.access"].with_company(company)._relance_links(partners, date)
                    links.update({(company.id, partner_id): access.id for partner_id, access in found.items()})
        except CONCURRENCY_ERRORS:
            return {}
        return links

    @api.model
    def _relance_batch_statements(self, batch, date):
        """On a statement day, the batch's customers whose statement is due ({company id: partner ids}) and
        their statements rendered together ({partner id: PDF}), for the reminders that carry them."""
        Statement = self.env["relance.statement"]
        due, pdfs = {}, {}
        for company in {company for company, _partner in batch if company._relance_is_statement_day(date)}:
            partners = self.env["res.partner"].union(*(partner for comp, partner in batch if comp == company))
            found = Statement.with_company(company)._relance_statement_partners(date, partners)
            due[company.id] = set(found.ids)
            if company.relance_statement_with_reminder == "attach":
                pdfs.update(Statement.with_company(company)._relance_statement_pdfs(found, date))
        return due, pdfs

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
    def _relance_remind_partner(self, partner, date, moves=None, sending=None):
        """Remind one customer of its invoices due on date (moves: those the caller found due, read again under
        lock anyway; or the ones a person chose, see Sending). All or nothing: on failure nothing changes for
        the customer and a failed log says why. The month's statement, if due, goes with the day's email."""
        sending = sending or Sending()
        if moves is None:
            Move = self.env["account.move"]
            moves = Move.search(
                Move._relance_due_domain(self.env.company, date) + [("commercial_partner_id", "=", partner.id)]
            )
        statement = self.env["relance.statement"]._relance_statement_due(partner, date, sending.statements_due)
        logs = self._relance_remind_partner_once(partner, date, moves, sending, statement)
        if logs is None:  # another worker is reminding this customer: its statement too
            return self.env["relance.log"]
        emailed = logs.filtered(
            lambda log: log.channel in ("email", "email_letter") and log.state in ("sent", "to_print")
        )
        if statement and not emailed:
            # the day's reminder sent no email to carry it (a call, a letter, a notice to validate, a failure)
            self.env["relance.statement"]._relance_send_statement(
                partner, date, pdf=sending.statement_pdfs.get(partner.id)
            )
        return logs

    @api.model
    def _relance_send_chosen(self, partner, date, moves, level=None, channel=None, mail_values=None, read=None):
        """Send now, as a person chose in the wizard: these invoices, at this level and channel, with the email
        as edited ({field: value}); read: what was read for all the wizard's lines (_relance_read_batch)."""
        sending = replace(
            read or Sending(),
            by_person=True,
            chosen=True,
            level=level,
            channel=channel,
            mail_values=mail_values or {},
            held=None,
            deferred=None,
        )
        return self._relance_remind_partner(partner, date, moves, sending)

    @api.model
    def _relance_lock_partner(self, partner):
        """One worker per customer: another worker could otherwise take some of its invoices while this one
        takes the others, and the customer would get two messages. False when another worker has it."""
        self.env.cr.execute(
            SQL("SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", partner.id),
            log_exceptions=False,
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _relance_remind_partner_once(self, partner, date, moves, sending, statement):
        """The reminders of _relance_remind_partner, all or nothing; the month's statement (if due) goes with the
        first email when the company attaches it. None when another worker holds the customer or its invoices."""
        statement = statement and self.env.company.relance_statement_with_reminder == "attach"
        chosen = sending.chosen
        batch_deferred = sending.deferred
        if batch_deferred is not None:
            sending = replace(sending, deferred=type(batch_deferred)())  # this customer's share, joined on success
        try:
            with self.env.cr.savepoint():
                if sending.held and not chosen:  # locked with the other customers of this commit
                    if partner.id not in sending.held.partner_ids:
                        return None
                    moves = moves & sending.held.moves
                    if not moves:
                        return None
                else:
                    if not self._relance_lock_partner(partner):
                        return None
                    asked = moves
                    moves = moves._relance_lock_and_recheck(date, due_only=not chosen, skip_pending=not chosen)
                    if not moves:
                        if chosen:
                            raise UserError(self._relance_nothing_to_send(partner, asked, date))
                        return None  # another worker holds them (or they are no longer due): nothing here today
                logs = self._relance_plan(partner, moves, date, sending)
                for log in logs:
                    log._relance_execute(sending, statement)
                    statement = statement and not log.with_statement
            if batch_deferred is not None:
                batch_deferred.merge(sending.deferred)
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
    def _relance_nothing_to_send(self, partner, moves, date):
        """Why the invoices a person chose cannot be reminded after all."""
        reasons = [reason for move in moves if (reason := move._relance_block_reason(date))]
        return " ".join(reasons) or self.env._(
            "The invoices of %(customer)s are being reminded at this moment by the daily run: nothing more to send.",
            customer=partner.name,
        )

    @api.model
    def _relance_plan(self, partner, moves, date, sending):
        """Planned logs for a customer's invoices: one grouped reminder (with the pre-due notices of the day as
        their own section: one message a day), the formal notice apart (a registered letter of its own),
        pre-due notices alone one per invoice, one courtesy call for all the invoices it concerns; without
        grouping (Settings), one log per invoice; or one log at the level and channel a person chose."""
        level = sending.level
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
        access_id = sending.links.get((self.env.company.id, partner.id))
        vals_list = [
            dict(self._prepare_relance_log_vals(partner, group, date, level, sending.channel), access_id=access_id)
            if access_id
            else self._prepare_relance_log_vals(partner, group, date, level, sending.channel)
            for group in groups
        ]
        return (
            self.env["relance.log"]
            .with_context(mail_create_nolog=True, tracking_disable=True)
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
        return self.env["relance.log"].sudo().create(dict(vals, state="failed", note=reason)).with_env(self.env)
