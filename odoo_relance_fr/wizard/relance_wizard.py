from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ..models.relance_checks import check_value_types
from ..models.relance_level import CHANNELS

RESULTS = [
    ("todo", "To send"),
    ("sent", "Sent"),
    ("to_print", "To print"),
    ("to_call", "To call"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
]


class RelanceWizard(models.TransientModel):
    _name = "relance.wizard"
    _description = "Customer reminders"

    date = fields.Date(required=True, default=fields.Date.context_today, readonly=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, readonly=True)
    line_ids = fields.One2many("relance.wizard.line", "wizard_id", string="Customers")
    state = fields.Selection([("draft", "To send"), ("done", "Done")], default="draft", readonly=True)
    letters_attachment_id = fields.Many2one("ir.attachment", string="Letters to print", readonly=True)
    rate_missing = fields.Char(
        string="Missing rate",
        default=lambda self: self.env["relance.rate"]._relance_missing_note(
            self.env.company, fields.Date.context_today(self)
        ),
    )
    to_complete_count = fields.Integer(
        string="Customers to complete", default=lambda self: len(self.env["res.partner"]._relance_to_complete_ids())
    )
    reply_count = fields.Integer(
        string="Customer replies to handle",
        default=lambda self: self.env["res.partner"].search_count([("relance_reply_date", "!=", False)]),
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "line_ids" in fields_list:
            moves = self._relance_moves_to_propose()
            values["line_ids"] = [
                Command.create(vals) for vals in self.env["relance.wizard.line"]._prepare_lines_vals(moves)
            ]
        return values

    @api.model
    def action_relance_open(self):
        """The wizard, saved at once: its lines are then records whose emails can be previewed and edited."""
        wizard = self.create({})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "name": self.env._("Customer reminders"),
            "context": {"dialog_size": "extra-large"},
        }

    @api.model
    def _relance_moves_to_propose(self):
        """The invoices chosen in the list or form, else all those due for a reminder today."""
        Move = self.env["account.move"]
        if self.env.context.get("active_model") == "account.move" and self.env.context.get("active_ids"):
            moves = Move.browse(self.env.context["active_ids"])
            foreign = moves.sudo().filtered(lambda m: m.company_id not in self.env.companies)
            if foreign:
                raise UserError(self.env._("You cannot remind invoices of a company you are not in."))
            return moves.filtered(lambda m: m._relance_is_remindable())
        today = fields.Date.context_today(self)
        Move._relance_refresh_stale(self.env.company, today)
        return Move.search(Move._relance_due_domain(self.env.company, today))

    def action_send(self):
        """Send every line that is not skipped; each customer all or nothing; then show the summary."""
        self.ensure_one()
        to_send = self.line_ids.filtered(lambda line: not line.skip)
        to_send._relance_check_sendable()
        blocked = [
            self.env._("- %(customer)s: %(issue)s", customer=line.partner_id.name, issue=line.issue)
            for line in to_send.filtered("issue")
        ]
        if blocked:
            raise UserError(
                self.env._(
                    "These lines cannot be sent; skip them or change them, then send again. Nothing was sent."
                    "\n%(lines)s",
                    lines="\n".join(blocked),
                )
            )
        letters = self.env["relance.log"]
        # what the lines' reminders need, read and rendered together as for the scheduler's batches: the
        # invoices' PDFs and, on a statement day, the statements they carry (50 per wkhtmltopdf run)
        read = self.env["relance.ladder"]._relance_read_batch(
            [(self.company_id, partner) for partner in to_send.partner_id],
            to_send.partner_id,
            to_send.move_ids,
            self.date,
        )
        for line in self.line_ids:
            letters |= line._relance_send(self.date, read)
        if letters:
            action = letters.action_relance_print_letters()
            self.letters_attachment_id = int(action["url"].split("/")[3].split("?")[0])
        self.state = "done"
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Reminders sent"),
            "context": {"dialog_size": "extra-large"},
        }

    def action_send_statements(self):
        """Email their statement of account to the customers of the lines not skipped."""
        self.ensure_one()
        partners = self.line_ids.filtered(lambda line: not line.skip).partner_id
        if not partners:
            raise UserError(self.env._("Every line is skipped: no statement to send."))
        return partners.action_relance_send_statement()

    def action_print_statements(self):
        """Print the statements of account of the customers of the lines not skipped, in one PDF."""
        self.ensure_one()
        partners = self.line_ids.filtered(lambda line: not line.skip).partner_id
        if not partners:
            raise UserError(self.env._("Every line is skipped: no statement to print."))
        return (
            self.env.ref("odoo_relance_fr.action_report_relance_statement")
            .with_context(discard_logo_check=True)
            .report_action(partners)
        )

    def action_open_to_complete(self):
        """The customers whose reminders cannot all go out: no email address, or no postal address."""
        return self.env["ir.actions.act_window"]._for_xml_id("odoo_relance_fr.action_relance_partners_to_complete")

    def action_open_replies(self):
        """The customers whose reply to a reminder waits to be handled (their reminders pause)."""
        return self.env["ir.actions.act_window"]._for_xml_id("odoo_relance_fr.action_relance_partners_replied")

    def action_download_letters(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": f"/web/content/{self.letters_attachment_id.id}?download=true",
        }


class RelanceWizardLine(models.TransientModel):
    _name = "relance.wizard.line"
    _description = "Customer to remind"
    _order = "partner_id"

    wizard_id = fields.Many2one("relance.wizard", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    move_ids = fields.Many2many("account.move", string="Invoices")
    level_id = fields.Many2one("relance.level", required=True)
    due_level_ids = fields.Many2many("relance.level", string="Levels due", compute="_compute_due_level_ids")
    force_level = fields.Boolean(
        string="Force", help="Send a level that is not due today (its delay or its minimum gap not reached)."
    )
    channel = fields.Selection(CHANNELS, required=True)
    issue = fields.Char(string="Cannot be sent", compute="_compute_issue")
    reply_date = fields.Date(
        string="Customer reply to handle",
        related="partner_id.relance_reply_date",
        help="The customer replied to a reminder on this date: handle its reply before reminding it again.",
    )
    currency_id = fields.Many2one("res.currency")
    amount_due = fields.Monetary(string="Amount due")
    penalties = fields.Monetary(string="Penalties to date")
    last_date = fields.Date(string="Last reminder")
    recipient_id = fields.Many2one("res.partner", string="Contact")
    skip = fields.Boolean()
    subject = fields.Char()
    body = fields.Html(sanitize_style=True)  # as Odoo's mail composer: an edited body is sanitised
    extra_recipient_ids = fields.Many2many("res.partner", string="Also to")
    email_cc = fields.Char(string="Copy to")
    result = fields.Selection(RESULTS, default="todo", readonly=True)
    result_note = fields.Char(string="Details", readonly=True)

    @api.depends("move_ids")
    def _compute_due_level_ids(self):
        """The levels the line's invoices are due for today: the only ones offered unless forced."""
        for line in self:
            date = line.wizard_id.date or fields.Date.context_today(line)
            line.due_level_ids = line.move_ids._origin._relance_due_on(date).relance_next_level_id

    @api.depends("move_ids", "level_id", "force_level", "channel")
    def _compute_issue(self):
        """What keeps this line from going out, said before sending: an invoice that cannot be reminded today,
        a level not due (unless forced), a customer the channel cannot reach."""
        for line in self:
            line.issue = line._relance_issue(
                line.partner_id._origin,
                line.move_ids._origin,  # the invoices as saved: a line being edited holds copies of them
                line.level_id._origin,
                line.channel,
                line.force_level,
                line.wizard_id.date or fields.Date.context_today(line),
                line.wizard_id.company_id._origin or self.env.company,
            )

    @api.model
    def _relance_issue(self, partner, moves, level, channel, force, date, company):
        """Why a line of these values cannot go out ("" or False when it can)."""
        reasons = [reason for move in moves if (reason := move._relance_block_reason(date))]
        if not reasons and level and not force and level not in moves._relance_due_on(date).relance_next_level_id:
            reasons.append(self._relance_not_due_reason(moves, level, date))
        if not reasons and partner and channel:
            reasons.append(partner._relance_reach_issue(channel, company))
        return " ".join(filter(None, reasons)) or False

    @api.model
    def _relance_not_due_reason(self, moves, level, date):
        moves = moves.filtered("relance_next_date").sorted("relance_next_date")
        if not moves:
            return self.env._(
                "%(level)s is not due today for these invoices: tick « Force » to send it anyway.",
                level=level.name,
            )
        if moves[0].relance_next_level_id == level:
            return self.env._(
                "%(level)s applies to these invoices only from %(date)s: tick « Force » to send it today.",
                level=level.name,
                date=format_date(self.env, moves[0].relance_next_date),
            )
        return self.env._(
            "%(level)s is not due today for these invoices (next: %(next)s on %(date)s): choose a level offered, "
            "or tick « Force » to send it anyway.",
            level=level.name,
            next=moves[0].relance_next_level_id.name,
            date=format_date(self.env, moves[0].relance_next_date),
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_value_types(self, vals)
        return super().create(vals_list)

    def write(self, vals):
        check_value_types(self, vals)
        return super().write(vals)

    def _relance_check_sendable(self):
        """The lines come from the browser: each invoice must be an open invoice of the line's customer, in the
        wizard's company; otherwise nothing is sent."""
        for line in self:
            customer = line.partner_id.commercial_partner_id
            moves = line.sudo().move_ids  # as written, also the invoices the user may not read
            if not moves:
                raise UserError(
                    self.env._(
                        "The line of %(customer)s has no invoice: add its invoices or skip it. Nothing was sent.",
                        customer=customer.name,
                    )
                )
            foreign = moves.filtered(lambda m, line=line: m.company_id != line.wizard_id.company_id)
            if foreign:
                raise UserError(
                    self.env._(
                        "Invoice %(invoice)s belongs to another company than %(company)s, the company of these "
                        "reminders: switch to its company to remind it. Nothing was sent.",
                        invoice=foreign[0].name,
                        company=line.wizard_id.company_id.name,
                    )
                )
            stranger = moves.filtered(lambda m, customer=customer: m.commercial_partner_id != customer)
            if stranger:
                raise UserError(
                    self.env._(
                        "%(invoice)s is not an invoice of %(customer)s: remove it from the line. Nothing was sent.",
                        invoice=stranger[0].name,
                        customer=customer.name,
                    )
                )
            closed = moves.filtered(lambda m: not m._relance_is_open_invoice())
            if closed:
                raise UserError(
                    self.env._(
                        "%(invoice)s is not a customer invoice still to be paid (it is paid, in payment, cancelled, "
                        "a draft or a credit note): remove it from the line. Nothing was sent.",
                        invoice=closed[0].name or closed[0].display_name,
                    )
                )

    @api.model
    def _prepare_lines_vals(self, moves):
        """One line per customer: its invoices, the highest level due, amounts and contact."""
        today = fields.Date.context_today(self)
        vals_list = []
        moves._relance_read_payments()
        for partner, partner_moves in moves.grouped("commercial_partner_id").items():
            levels = (partner_moves._relance_due_on(today) or partner_moves).relance_next_level_id
            level = levels.sorted(lambda lvl: (lvl.sequence, lvl.id))[-1:]
            try:
                recipient = partner._relance_recipient()
            except UserError:
                recipient = self.env["res.partner"]
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "move_ids": [Command.set(partner_moves.ids)],
                    "level_id": level.id,
                    "channel": level.channel or "email",
                    "currency_id": self.env.company.currency_id.id,
                    "amount_due": sum(partner_moves.mapped("amount_residual_signed")),
                    "penalties": sum(move._relance_penalty_details(today)["penalty"] for move in partner_moves),
                    "last_date": max(filter(None, partner_moves.mapped("relance_last_date")), default=False),
                    "recipient_id": recipient.id,
                }
            )
            # a line that cannot go out says why, and waits to be changed and ticked again
            channel = vals_list[-1]["channel"]
            vals_list[-1]["skip"] = bool(
                self._relance_issue(partner, partner_moves, level, channel, False, today, self.env.company)
            )
        return vals_list

    def action_preview(self):
        """Render this customer's email so that it can be read and edited before sending."""
        self.ensure_one()
        log = self.env["relance.log"].create(
            self.env["relance.ladder"]._prepare_relance_log_vals(
                self.partner_id, self.move_ids, self.wizard_id.date, self.level_id, self.channel
            )
        )
        rendered = log._relance_template()._generate_template(log.ids, ("subject", "body_html"))[log.id]
        log.sudo().unlink()  # only drafted to render the email: a billing user may not delete reminders
        self.write({"subject": rendered["subject"], "body": rendered["body_html"]})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Email to %(customer)s", customer=self.partner_id.name),
            "views": [(self.env.ref("odoo_relance_fr.relance_wizard_line_view_form").id, "form")],
        }

    def action_back(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "relance.wizard",
            "res_id": self.wizard_id.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Customer reminders"),
            "context": {"dialog_size": "extra-large"},
        }

    def _relance_send(self, date, read=None):
        """Send this line; return its reminders waiting to be printed (read: what the wizard read for all its
        lines, see relance.ladder._relance_read_batch)."""
        self.ensure_one()
        if self.skip:
            self.result = "skipped"
            return self.env["relance.log"]
        try:
            logs = self._relance_remind(date, read)
        except UserError as error:  # nothing to send after all (paid meanwhile): said, nothing recorded
            self.write({"result": "failed", "result_note": error.args[0]})
            return self.env["relance.log"]
        if not logs:
            self.write(
                {
                    "result": "failed",
                    "result_note": self.env._(
                        "The reminders of %(customer)s are being sent at this moment by the daily run: nothing "
                        "more was sent.",
                        customer=self.partner_id.name,
                    ),
                }
            )
            return logs
        failed = logs.filtered(lambda log: log.state == "failed")
        if failed:
            self.write({"result": "failed", "result_note": failed[0].note})
            return self.env["relance.log"]
        self.result = (
            "to_call"
            if self.channel == "phone"
            else ("to_print" if any(log.state == "to_print" for log in logs) else "sent")
        )
        return logs.filtered(lambda log: log.state == "to_print")

    def _relance_remind(self, date, read=None):
        """This line's reminders, with the email as a person may have edited it."""
        mail_values = {
            key: value
            for key, value in (
                ("subject", self.subject),
                ("body_html", self.body),
                ("email_cc", self.email_cc),
                (
                    "recipient_ids",
                    [Command.link(self.recipient_id.id)]
                    + [Command.link(partner.id) for partner in self.extra_recipient_ids]
                    if self.extra_recipient_ids
                    else None,
                ),
            )
            if value
        }
        if not (self.body or self.email_cc or self.extra_recipient_ids):
            mail_values = {}
        return self.env["relance.ladder"]._relance_send_chosen(
            self.partner_id, date, self.move_ids, self.level_id, self.channel, mail_values, read
        )
