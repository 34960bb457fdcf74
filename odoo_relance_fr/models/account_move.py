from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_date

REMINDABLE_PAYMENT_STATES = ("not_paid", "partial")


class AccountMove(models.Model):
    _inherit = "account.move"

    relance_level_id = fields.Many2one(
        "relance.level",
        string="Reminder level",
        copy=False,
        tracking=True,
        index="btree_not_null",
        help="Last reminder level reached by this invoice; empty if never reminded.",
    )
    relance_last_date = fields.Date(
        string="Last reminder",
        copy=False,
        tracking=True,
        help="Date of the last reminder. Change it after a phone call or a letter "
        "sent outside Odoo: the next reminder is pushed out accordingly.",
    )
    relance_due_date = fields.Date(
        string="Reminded due date",
        compute="_compute_relance_due_date",
        store=True,
        help="Due date followed by the reminders: the earliest open instalment.",
    )
    relance_next_level_id = fields.Many2one(
        "relance.level",
        string="Next reminder level",
        compute="_compute_relance_schedule",
        store=True,
        index="btree_not_null",
    )
    relance_next_date = fields.Date(
        string="Next reminder",
        compute="_compute_relance_schedule",
        store=True,
        index="btree_not_null",
    )
    relance_excluded = fields.Boolean(
        string="Excluded from reminders", copy=False, tracking=True
    )
    relance_log_ids = fields.Many2many(
        "relance.log",
        "relance_log_account_move_rel",
        "move_id",
        "log_id",
        string="Reminder history",
        copy=False,
    )

    @api.depends("line_ids.date_maturity", "line_ids.amount_residual", "invoice_date_due")
    def _compute_relance_due_date(self):
        for move in self:
            open_lines = move.line_ids.filtered(
                lambda line: line.display_type == "payment_term"
                and line.date_maturity
                and not line.reconciled
            )
            dates = open_lines.mapped("date_maturity")
            move.relance_due_date = min(dates) if dates else move.invoice_date_due

    @api.depends(
        "state",
        "move_type",
        "payment_state",
        "amount_residual_signed",
        "relance_due_date",
        "relance_excluded",
        "relance_level_id",
        "relance_last_date",
        "commercial_partner_id.relance_excluded",
        "company_id.relance_min_amount",
    )
    def _compute_relance_schedule(self):
        today = fields.Date.context_today(self)
        ladders = {}
        for move in self:
            level = date = False
            if move._relance_is_remindable():
                company = move.company_id
                if company not in ladders:
                    ladders[company] = self.env["relance.level"]._relance_ladder(company)
                level = move._relance_pick_next_level(ladders[company], today)
                if level:
                    date = level._relance_date_for(move.relance_due_date, move.relance_last_date)
            move.relance_next_level_id = level
            move.relance_next_date = date

    def _relance_is_remindable(self):
        """Whether this move may receive a reminder at all (state, payment, exclusions, amount)."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and self.payment_state in REMINDABLE_PAYMENT_STATES
            and self.relance_due_date
            and not self.relance_excluded
            and not self.commercial_partner_id.relance_excluded
            and self.company_id.currency_id.compare_amounts(
                abs(self.amount_residual_signed), self.company_id.relance_min_amount
            )
            >= 0
        )

    def _relance_pick_next_level(self, ladder, today):
        """Level that comes after the one reached, one step at a time; pre-due only while not yet due."""
        self.ensure_one()
        if self.relance_level_id:
            candidates = ladder.filtered(lambda lvl: lvl.sequence > self.relance_level_id.sequence)
        else:
            candidates = ladder
            if self.relance_due_date < today:
                candidates = candidates.filtered(lambda lvl: lvl.delay >= 0)
        return candidates[:1]

    def _relance_reschedule(self):
        """Queue the recomputation of the next reminder (ladder or date changed)."""
        self.env.add_to_compute(self._fields["relance_next_level_id"], self)
        self.env.add_to_compute(self._fields["relance_next_date"], self)

    @api.constrains("relance_last_date")
    def _check_relance_last_date(self):
        """A reminder date belongs to a posted customer invoice and cannot be in the future."""
        today = fields.Date.context_today(self)
        for move in self.filtered("relance_last_date"):
            if move.move_type != "out_invoice" or move.state != "posted":
                raise ValidationError(
                    self.env._(
                        "%(move)s is not a posted customer invoice: it cannot carry a reminder date.",
                        move=move.display_name,
                    )
                )
            if move.relance_last_date > today:
                raise ValidationError(
                    self.env._(
                        "The last reminder date of %(move)s (%(date)s) is in the future: "
                        "enter the date on which the customer was actually reminded.",
                        move=move.name,
                        date=format_date(self.env, move.relance_last_date),
                    )
                )
