from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_date

from .relance_checks import check_value_types
from .relance_log import DISPUTE_REASONS
from .res_partner import RELANCE_STAFF


class AccountMove(models.Model):
    _inherit = "account.move"

    relance_level_id = fields.Many2one(
        "relance.level",
        string="Reminder level",
        copy=False,
        tracking=True,
        check_company=True,
        ondelete="restrict",
        index="btree_not_null",
        help="Last reminder level reached by this invoice; empty if never reminded.",
        groups=RELANCE_STAFF,
    )
    relance_last_date = fields.Date(
        string="Last reminder",
        copy=False,
        tracking=True,
        help="Date of the last reminder. Change it after a phone call or a letter "
        "sent outside Odoo: the next reminder is pushed out accordingly.",
        groups=RELANCE_STAFF,
    )
    relance_due_date = fields.Date(
        string="Reminded due date",
        compute="_compute_relance_due_date",
        store=True,
        help="Due date followed by the reminders: the earliest open instalment.",
        groups=RELANCE_STAFF,
    )
    relance_next_level_id = fields.Many2one(
        "relance.level",
        string="Next reminder level",
        compute="_compute_relance_schedule",
        store=True,
        index="btree_not_null",
        groups=RELANCE_STAFF,
    )
    relance_next_date = fields.Date(
        string="Next reminder",
        compute="_compute_relance_schedule",
        store=True,
        index="btree_not_null",
        groups=RELANCE_STAFF,
    )
    relance_excluded = fields.Boolean(string="Excluded from reminders", copy=False, tracking=True, groups=RELANCE_STAFF)
    relance_dispute = fields.Boolean(
        string="In dispute",
        copy=False,
        tracking=True,
        help="The customer disputes this invoice: no reminder until the dispute is closed.",
        groups=RELANCE_STAFF,
    )
    relance_dispute_reason = fields.Selection(
        DISPUTE_REASONS,
        string="Problem reported",
        copy=False,
        help="What the customer reported on its page; the history holds its words and file.",
        groups=RELANCE_STAFF,
    )
    relance_promise_date = fields.Date(
        string="Promised payment date",
        copy=False,
        tracking=True,
        help="The customer promised to pay by this date: reminders pause until it has passed.",
        groups=RELANCE_STAFF,
    )
    relance_log_ids = fields.Many2many(
        "relance.log",
        "relance_log_account_move_rel",
        "move_id",
        "log_id",
        string="Reminder history",
        copy=False,
        groups=RELANCE_STAFF,
    )

    @api.depends("line_ids.date_maturity", "line_ids.amount_residual", "invoice_date_due")
    def _compute_relance_due_date(self):
        for move in self:
            open_lines = move.line_ids.filtered(
                lambda line: line.display_type == "payment_term" and line.date_maturity and not line.reconciled
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
        "relance_dispute",
        "relance_promise_date",
        "relance_level_id",
        "relance_last_date",
        "commercial_partner_id.relance_excluded",
        "commercial_partner_id.relance_courtesy_call",
        "commercial_partner_id.relance_reply_date",
        "company_id.relance_min_amount",
        "company_id.relance_reply_pause_days",
        "company_id.relance_courtesy_call_amount",
        "amount_total_signed",
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
                    date = move._relance_paused_date(
                        level._relance_date_for(move.relance_due_date, move.relance_last_date)
                    )
            move.relance_next_level_id = level
            move.relance_next_date = date

    def _relance_paused_date(self, date):
        """The date of the next reminder once the pauses are applied: a promise to pay holds it until the day
        after the promised date; a customer's reply to handle, for the days of Settings after it (none: until it
        is handled)."""
        self.ensure_one()
        if self.relance_promise_date and self.relance_promise_date >= date:
            date = fields.Date.add(self.relance_promise_date, days=1)
        customer = self.commercial_partner_id.with_company(self.company_id)
        if customer.relance_reply_date:
            if not customer.relance_reply_until:
                return False
            date = max(date, customer.relance_reply_until)
        return date

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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_value_types(self, {key: value for key, value in vals.items() if key.startswith("relance_")})
        return super().create(vals_list)

    def write(self, vals):
        check_value_types(self, {key: value for key, value in vals.items() if key.startswith("relance_")})
        if "relance_dispute" in vals and not vals["relance_dispute"]:
            vals = dict(vals, relance_dispute_reason=False)  # a dispute closed leaves no problem behind
        return super().write(vals)

    def _relance_record_manual(self, date, channel, level, note):
        """Record a reminder made outside Odoo: history, last reminder date, optionally the level."""
        invalid = self.filtered(lambda m: m.move_type != "out_invoice" or m.state != "posted")
        if invalid:
            raise UserError(
                self.env._(
                    "Only posted customer invoices can be marked as reminded (%(invoices)s).",
                    invoices=", ".join(invalid.mapped("display_name")),
                )
            )
        if date > fields.Date.context_today(self):
            raise UserError(
                self.env._("A reminder cannot be recorded in the future (%(date)s).", date=format_date(self.env, date))
            )
        logs = self.env["relance.log"]
        for partner, moves in self.grouped("commercial_partner_id").items():
            logs |= (
                self.env["relance.log"]
                .with_company(moves.company_id[:1])
                .create(
                    {
                        "kind": "reminder",
                        "date": date,
                        "partner_id": partner.id,
                        "channel": channel,
                        "state": "done",
                        "level_id": level.id,
                        "move_ids": [Command.set(moves.ids)],
                        "note": note,
                        "move_levels": {str(move.id): (level or move.relance_level_id).id for move in moves},
                    }
                )
            )
            # an event older than the invoice's last reminder is history only: the present is not rewritten
            current = moves.filtered(lambda m: not m.relance_last_date or m.relance_last_date <= date)
            current.write({"relance_last_date": date} | ({"relance_level_id": level.id} if level else {}))
            channel_label = dict(logs._fields["channel"]._description_selection(self.env))[channel]
            body = self.env._(
                "Reminder recorded (%(channel)s) on %(date)s by %(user)s.",
                channel=channel_label,
                date=format_date(self.env, date),
                user=self.env.user.name,
            ) + (f" {note}" if note else "")
            moves._message_log_batch(bodies={move.id: body for move in moves})
            partner._message_log(body=body)
        return logs
