import logging
from dataclasses import dataclass, field
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .relance_batch import CONCURRENCY_ERRORS, Deferred

_logger = logging.getLogger(__name__)


@dataclass
class StatementRun:
    """What the scheduler's statement run read once for its batch (pdfs {customer id: bytes}, links
    {(company id, customer id): link id}) and for the customers of one commit (held, see
    _relance_hold_statements), and what they leave to be written together before it (deferred: their chatter
    notes)."""

    pdfs: dict = field(default_factory=dict)
    links: dict = field(default_factory=dict)
    held: dict = None  # {(company id, customer id): open invoice ids}
    deferred: Deferred = field(default_factory=Deferred)


class RelanceStatement(models.AbstractModel):
    """The monthly statements of account: which customers get one, rendered together, sent one at a time.
    Called by the scheduled action, the ladder (a statement due the day of a reminder), the customer form."""

    _name = "relance.statement"
    _inherit = ["relance.batch"]
    _description = "Statements of account"

    @api.model
    def _relance_run_monthly(self, batch_size=50):
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
        # the customers' links first: the statements print them
        run = StatementRun(links=self.env["relance.ladder"]._relance_batch_links(batch, today))
        for company in {company for company, _partner in batch}:
            partners = self.env["res.partner"].union(*(partner for comp, partner in batch if comp == company))
            run.pdfs.update(self.with_company(company)._relance_statement_pdfs(partners, today))
        self._relance_run_batch(
            batch,
            len(todo),
            lambda statements, partner: statements._relance_send_statement(
                partner, today, pdf=run.pdfs.get(partner.id), run=run
            ),
            before_chunk=lambda chunk: self._relance_hold_statements(chunk, today, run),
            before_commit=lambda: self._relance_write_deferred(run.deferred),
        )

    @api.model
    def _relance_hold_statements(self, chunk, date, run):
        """Lock the customers of one commit in one statement, instead of one for each, and read together which
        still get their statement and their open invoices (run.held: {(company id, customer id): open invoice ids}). The
        customers another worker holds are left to it. If another worker sent some of these statements since
        this transaction began, nothing is held here and each customer is locked on its own."""
        run.held = None
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        """UPDATE res_partner SET write_date = write_date
                            WHERE id IN (SELECT id FROM res_partner WHERE id IN %s ORDER BY id FOR UPDATE SKIP LOCKED)
                        RETURNING id""",
                        tuple({partner.id for _company, partner in chunk}),
                    ),
                    log_exceptions=False,
                )
                held_ids = {row[0] for row in self.env.cr.fetchall()}
        except CONCURRENCY_ERRORS:
            return
        held = {}
        Move = self.env["account.move"]
        for company in {company for company, _partner in chunk}:
            partners = self.env["res.partner"].union(
                *(partner for comp, partner in chunk if comp == company and partner.id in held_ids)
            )
            statements = self.with_company(company)
            partners -= statements._relance_statement_done(partners, date).partner_id
            held.update({(company.id, partner.id): [] for partner in partners})
            for partner, moves in Move._read_group(
                Move._relance_open_domain(company) + [("commercial_partner_id", "in", partners.ids)],
                ["commercial_partner_id"],
                ["id:array_agg"],
            ):
                held[company.id, partner.id] = sorted(moves)
        # the customers' links of the day, which each email prints, read together
        self.env["relance.access"].browse([run.links[key] for key in held if key in run.links]).mapped("token")
        run.held = held

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
    def _relance_statement_due(self, partner, date, known=None):
        """Whether the customer's statement of the month is due today and not sent (nor a reminder email today);
        known: {company id: customer ids} as read for the scheduler's batch, trusted for the companies it has."""
        company = self.env.company
        if not company._relance_is_statement_day(date):
            return False
        if known and company.id in known:
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
        return self.env["relance.log"].search(
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
    def _relance_send_statement(self, partner, date, force=False, pdf=None, run=None):
        """Email one customer its statement; on failure change nothing and leave a failed log. run: the
        scheduler's (see StatementRun), whose customers of one commit may be locked and read together."""
        held = run.held if run and not force else None
        deferred = Deferred() if run else None  # this customer's share, joined on success
        try:
            with self.env.cr.savepoint():
                if held is not None:
                    move_ids = held.get((self.env.company.id, partner.id))
                    if move_ids is None:  # another worker has it, or its statement stands already
                        return self.env["relance.log"]
                else:
                    move_ids = None
                    if not self._relance_lock_statement(partner, date, force):
                        return self.env["relance.log"]
                access_id = run.links.get((self.env.company.id, partner.id)) if run else None
                log = (
                    self.env["relance.log"]
                    .with_context(mail_create_nolog=True, tracking_disable=True)
                    .create(self._prepare_relance_statement_vals(partner, date, move_ids=move_ids, access_id=access_id))
                )
                log._relance_send_statement_email(pdf, deferred)
            if run and log:
                run.deferred.merge(deferred)
            return log
        except CONCURRENCY_ERRORS:
            return self.env["relance.log"]
        except Exception as error:
            _logger.exception("Statement to %s failed", partner.display_name)
            reason = self._relance_failure_reason(error)
            vals = dict(self._prepare_relance_statement_vals(partner, date), state="failed", note=reason)
            return self.env["relance.log"].sudo().create(vals).with_env(self.env)

    @api.model
    def _relance_lock_statement(self, partner, date, force):
        """Lock one customer on its own for its statement: False when another worker has it or its statement
        stands already (unless forced)."""
        # Lock and touch the customer's row in one statement, as the ladder does with the invoices: a worker
        # whose snapshot predates another worker's statement then gets a serialization failure (skipped)
        # instead of sending a second statement.
        self.env.cr.execute(
            SQL(
                """UPDATE res_partner SET write_date = write_date
                    WHERE id IN (SELECT id FROM res_partner WHERE id = %s FOR UPDATE SKIP LOCKED)
                RETURNING id""",
                partner.id,
            ),
            log_exceptions=False,
        )
        return bool(self.env.cr.fetchone()) and (force or not self._relance_statement_done(partner, date))

    @api.model
    def _prepare_relance_statement_vals(self, partner, date, move_ids=None, access_id=None):
        """A statement log's values; move_ids: the customer's open invoices, access_id: its link of the day, when
        already read."""
        if move_ids is None:
            Move = self.env["account.move"]
            move_ids = Move.search(
                Move._relance_open_domain(self.env.company) + [("commercial_partner_id", "=", partner.id)]
            ).ids
        return {
            "kind": "statement",
            "date": date,
            "partner_id": partner.id,
            "channel": "email",
            "state": "planned",
            "company_id": self.env.company.id,
            "move_ids": [Command.set(move_ids)],
            "user_id": self.env.company._relance_sender_user().id,
        } | ({"access_id": access_id} if access_id else {})
