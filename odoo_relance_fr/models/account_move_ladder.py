import uuid

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.misc import format_date, formatLang

REMINDABLE_PAYMENT_STATES = ("not_paid", "partial")
REMINDER_STATE_FIELDS = {"relance_level_id", "relance_last_date", "access_token"}


class AccountMove(models.Model):
    """What the ladder asks of an invoice: is it open, remindable or why not, which level is next, is it due;
    locked and read again before a send; its reminder state written."""

    _inherit = "account.move"

    def _relance_is_open_invoice(self):
        """A posted customer invoice with something still to pay."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and self.payment_state in REMINDABLE_PAYMENT_STATES
        )

    def _relance_is_remindable(self):
        """Whether this move may receive a reminder at all (state, payment, exclusions, amount)."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and self.payment_state in REMINDABLE_PAYMENT_STATES
            and self.relance_due_date
            and not self.relance_excluded
            and not self.relance_dispute
            and not self.commercial_partner_id.with_company(self.company_id).relance_excluded
            and self.company_id.currency_id.compare_amounts(
                abs(self.amount_residual_signed), self.company_id.relance_min_amount
            )
            >= 0
        )

    def _relance_block_reason(self, date):
        """Why this invoice can get no reminder on date, in words for the accountant ("" when it can)."""
        self.ensure_one()
        company = self.company_id
        customer = self.commercial_partner_id.with_company(company)
        if not self._relance_is_open_invoice():
            return self.env._(
                "%(invoice)s is no customer invoice still to be paid (paid, in payment, cancelled, a draft or a "
                "credit note).",
                invoice=self.name or self.display_name,
            )
        if self.relance_excluded:
            return self.env._(
                "%(invoice)s is excluded from reminders (Reminders tab of the invoice).", invoice=self.name
            )
        if customer.relance_excluded:
            return self.env._(
                "%(customer)s is excluded from reminders (Reminders tab of the customer).", customer=customer.name
            )
        if self.relance_dispute:
            return self.env._(
                "%(invoice)s is in dispute: close the dispute (Reminders tab of the invoice) to remind it.",
                invoice=self.name,
            )
        if company.currency_id.compare_amounts(abs(self.amount_residual_signed), company.relance_min_amount) < 0:
            return self.env._(
                "%(invoice)s: %(amount)s still due, below the minimum amount to remind (%(minimum)s, Settings).",
                invoice=self.name,
                amount=formatLang(self.env, abs(self.amount_residual_signed), currency_obj=company.currency_id),
                minimum=formatLang(self.env, company.relance_min_amount, currency_obj=company.currency_id),
            )
        if self.relance_last_date and self.relance_last_date >= date:
            return self.env._(
                "%(invoice)s was already reminded on %(date)s (%(level)s): one reminder a day at most.",
                invoice=self.name,
                date=format_date(self.env, self.relance_last_date),
                level=self.relance_level_id.name or self.env._("reminder recorded by hand"),
            )
        if not self.relance_due_date:
            return self.env._("%(invoice)s has no due date.", invoice=self.name)
        return ""

    def _relance_pick_next_level(self, ladder, today):
        """Level that comes after the one reached, one step at a time; levels before the due date only while
        not yet due; the courtesy call only for the chosen customers and large invoices."""
        self.ensure_one()
        candidates = ladder
        if self.relance_level_id:
            candidates = ladder.filtered(lambda lvl: lvl.sequence > self.relance_level_id.sequence)
        if self.relance_due_date < today:
            candidates = candidates.filtered(lambda lvl: lvl.delay >= 0)
        if not self._relance_gets_courtesy_call():
            candidates = candidates.filtered(lambda lvl: not lvl.selected_only)
        return candidates[:1]

    def _relance_gets_courtesy_call(self):
        """A customer ticked for courtesy calls, or an invoice of at least the amount set in Settings."""
        self.ensure_one()
        company = self.company_id
        return bool(
            self.commercial_partner_id.with_company(company).relance_courtesy_call
            or company.currency_id.compare_amounts(abs(self.amount_total_signed), company.relance_courtesy_call_amount)
            >= 0
        )

    @api.model
    def _relance_open_domain(self, companies):
        """The posted customer invoices of these companies with something still to pay."""
        return [
            ("company_id", "in", companies.ids),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", REMINDABLE_PAYMENT_STATES),
        ]

    @api.model
    def _relance_due_domain(self, company, date):
        """Open customer invoices of company whose next reminder is due on date and not yet handled today.

        The invoices held by a reminder awaiting validation or failed today are looked up first, as
        they are few: a NOT EXISTS per invoice over every reminder made the cron pay, at each batch,
        the invoices due times the reminders already sent whenever PostgreSQL's statistics are
        missing or stale.
        """
        held = (
            self.env["relance.log"]
            .search(
                [
                    ("company_id", "=", company.id),
                    ("kind", "=", "reminder"),
                    "|",
                    ("state", "=", "planned"),
                    "&",
                    ("state", "=", "failed"),
                    ("date", "=", date),
                ]
            )
            .move_ids
        )
        return self._relance_open_domain(company) + [
            ("relance_next_date", "<=", date),
            "|",
            ("relance_last_date", "=", False),
            ("relance_last_date", "<", date),
            ("id", "not in", held.ids),
        ]

    @api.model
    def _relance_refresh_stale(self, company, date):
        """Invoices past due still waiting for their pre-due notice move on to Reminder 1."""
        stale = self.search(
            [
                ("company_id", "=", company.id),
                ("relance_next_level_id.delay", "<", 0),
                ("relance_due_date", "<", date),
            ]
        )
        stale._relance_reschedule()
        stale.flush_recordset(["relance_next_level_id", "relance_next_date"])

    def _relance_lock_and_recheck(self, date, due_only=True, skip_pending=False):
        """Lock these invoices (skipping those another worker holds), re-read them, keep those still due
        (with due_only=False, those that may still be reminded at all, for a reminder a person asks for;
        with skip_pending, not those with a reminder awaiting validation or failed today)."""
        if not self:
            return self
        # Lock and touch the rows in one statement. The touch makes every worker that handled these
        # invoices leave a new row version, so a concurrent worker whose snapshot is older gets a
        # serialization failure (expected, skipped, not logged) instead of reminding them a second time,
        # even when it only planned a reminder awaiting validation.
        pending = (
            SQL(
                """
            AND NOT EXISTS (
                SELECT 1 FROM relance_log_account_move_rel rel JOIN relance_log log ON log.id = rel.log_id
                 WHERE rel.move_id = account_move.id AND log.kind = 'reminder'
                   AND (log.state = 'planned' OR (log.state = 'failed' AND log.date = %s)))
        """,
                date,
            )
            if skip_pending
            else SQL()
        )
        self.env.cr.execute(
            SQL(
                """
            UPDATE account_move SET write_date = write_date
             WHERE id IN (SELECT id FROM account_move WHERE id IN %s ORDER BY id FOR UPDATE SKIP LOCKED) %s
         RETURNING id
        """,
                tuple(self.ids),
                pending,
            ),
            log_exceptions=False,
        )
        locked = self.browse(sorted(row[0] for row in self.env.cr.fetchall())).with_prefetch(self._prefetch_ids)
        locked.invalidate_recordset()
        remindable = locked.filtered(
            lambda move: move._relance_is_remindable() and (not move.relance_last_date or move.relance_last_date < date)
        )
        return remindable._relance_due_on(date) if due_only else remindable

    def _relance_due_on(self, date):
        """Those of these invoices whose next reminder is due on date (or was before)."""
        return self.filtered(lambda move: move.relance_next_date and move.relance_next_date <= date)

    def _relance_write_reminder_state(self, vals):
        """Record a reminder on these invoices: their level, last reminder date or portal token only.

        One documented UPDATE of these columns instead of account.move's write: they never touch
        accounting, and that write (line synchronisation and balance checks, about 15 queries a call)
        would run for every level of every customer of the daily run. As a write does, the cache is
        invalidated, write_uid and write_date are set and the next reminder level and date are marked
        to be recomputed. Field tracking is left out: the reminder leaves its own chatter message.
        """
        if set(vals) - REMINDER_STATE_FIELDS:
            raise ValueError(f"only {REMINDER_STATE_FIELDS} may be written this way")
        if not self:
            return True
        self.flush_recordset(list(vals))
        assignments = SQL(", ").join(
            SQL("%s = %s", SQL.identifier(fname), self._fields[fname].convert_to_column(value, self))
            for fname, value in vals.items()
        )
        self.env.cr.execute(
            SQL(
                "UPDATE account_move SET %s, write_uid = %s, write_date = %s WHERE id IN %s",
                assignments,
                self.env.uid,
                self.env.cr.now(),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset([*vals, "write_uid", "write_date"])
        self.modified(list(vals))
        return True

    def _relance_ensure_access_tokens(self):
        """Give the invoices without one a portal token (a random UUID, as Odoo's _portal_ensure_token gives),
        in one UPDATE, before their portal links are built; see _relance_write_reminder_state."""
        missing = self.filtered(lambda m: not m.access_token)
        if not missing:
            return
        missing.flush_recordset(["access_token"])
        tokens = SQL(", ").join(SQL("(%s, %s)", move_id, str(uuid.uuid4())) for move_id in missing.ids)
        self.env.cr.execute(
            SQL(
                """UPDATE account_move move SET access_token = token.value, write_uid = %s, write_date = %s
                     FROM (VALUES %s) AS token(move_id, value)
                    WHERE move.id = token.move_id AND move.access_token IS NULL""",
                self.env.uid,
                self.env.cr.now(),
                tokens,
            )
        )
        missing.invalidate_recordset(["access_token", "write_uid", "write_date"])

    def _relance_reschedule(self):
        """Queue the recomputation of the next reminder (ladder or date changed)."""
        self.env.add_to_compute(self._fields["relance_next_level_id"], self)
        self.env.add_to_compute(self._fields["relance_next_date"], self)
