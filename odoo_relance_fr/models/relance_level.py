from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import html2plaintext

from .relance_checks import check_value_types

CHANNELS = [
    ("email", "Email"),
    ("letter", "Letter"),
    ("email_letter", "Email and letter"),
    ("phone", "Phone call"),
]


class RelanceLevel(models.Model):
    _name = "relance.level"
    _description = "Reminder level"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(required=True, default=10)
    name = fields.Char(required=True, translate=True)
    label = fields.Char(
        string="Label for the customer",
        translate=True,
        help="What the customer reads in the reminders (e.g. “2e relance”); the name stays internal. "
        "Empty: the usual wording of the level's tone.",
    )
    delay = fields.Integer(
        string="Delay (days)",
        required=True,
        default=0,
        help="Days after the due date when this level becomes due; negative before the due date.",
    )
    gap = fields.Integer(
        string="Minimum gap (days)",
        required=True,
        default=0,
        help="Minimum number of days since the previous reminder.",
    )
    channel = fields.Selection(CHANNELS, required=True, default="email")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email template",
        domain="[('model', '=', 'relance.log')]",
        ondelete="restrict",
    )
    report_id = fields.Many2one(
        "ir.actions.report",
        string="Letter",
        domain="[('report_type', '=', 'qweb-pdf')]",
        ondelete="restrict",
    )
    automatic = fields.Boolean(
        string="Sent automatically",
        default=True,
        help="The daily scheduled action sends this level on its own; otherwise it is proposed for validation.",
    )
    tone = fields.Selection(
        [
            ("pre_due", "Courtesy notice before the due date"),
            ("courteous", "Courteous"),
            ("firm", "Firm"),
            ("final", "Last reminder"),
            ("formal", "Formal notice"),
        ],
        required=True,
        default="courteous",
        help="Wording of the grouped reminder when this is the highest level of its invoices.",
    )
    selected_only = fields.Boolean(
        string="Chosen customers and large invoices only",
        help="Only for the customers ticked « Courtesy call before the due date » and the invoices of at least "
        "the amount set in Settings (courtesy calls); the other invoices skip this level.",
    )
    show_penalties = fields.Boolean(
        string="Show penalties",
        help="The reminder shows the late penalties and recovery indemnities to date (business customers).",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        ondelete="cascade",
        index=True,
    )
    active = fields.Boolean(default=True)

    @api.constrains("name")
    def _check_name(self):
        """A level has a name the accountant can read (its label is printed on reminders)."""
        for level in self:
            if not (level.name or "").strip():
                raise ValidationError(
                    self.env._("A reminder level needs a name: give it one (for example “Relance 2”).")
                )

    @api.constrains("gap")
    def _check_gap(self):
        """A reminder cannot be due before the previous one was sent."""
        for level in self:
            if level.gap < 0:
                raise ValidationError(
                    self.env._(
                        "The minimum gap of level “%(level)s” cannot be negative (%(gap)s days).",
                        level=level.name,
                        gap=level.gap,
                    )
                )

    @api.constrains("delay", "tone")
    def _check_delay_tone(self):
        """Only a courtesy notice goes out before the due date, and it always does."""
        for level in self:
            if level.delay < 0 and level.tone != "pre_due":
                raise ValidationError(
                    self.env._(
                        "The delay of level “%(level)s” is negative (%(delay)s days): only a courtesy notice before "
                        "the due date can be sent before the due date. Give it a delay of 0 or more days.",
                        level=level.name,
                        delay=level.delay,
                    )
                )
            if level.delay >= 0 and level.tone == "pre_due":
                raise ValidationError(
                    self.env._(
                        "Level “%(level)s” is a notice before the due date: give it a negative delay "
                        "(for example -7 for seven days before), not %(delay)s days.",
                        level=level.name,
                        delay=level.delay,
                    )
                )

    @api.constrains("channel", "mail_template_id")
    def _check_mail_template(self):
        """A level that emails needs a usable template: for reminders, with a subject and a text."""
        for level in self.filtered(lambda lvl: lvl.channel in ("email", "email_letter")):
            template = level.mail_template_id
            if not template:
                raise ValidationError(
                    self.env._(
                        "Level “%(level)s” sends emails but has no email template: choose one, or change its channel.",
                        level=level.name,
                    )
                )
            if template.model != "relance.log":
                raise ValidationError(
                    self.env._(
                        "The email template “%(template)s” of level “%(level)s” is not a reminder template: "
                        "choose a template made for reminders.",
                        template=template.name,
                        level=level.name,
                    )
                )
            if not (template.subject or "").strip() or not html2plaintext(template.body_html or "").strip():
                raise ValidationError(
                    self.env._(
                        "The email template “%(template)s” of level “%(level)s” has no subject or no text: "
                        "complete it before using it.",
                        template=template.name,
                        level=level.name,
                    )
                )

    @api.constrains("sequence", "delay", "company_id", "active")
    def _check_ladder_order(self):
        """Levels of a company form a ladder: unique sequences, delays never going back."""
        for company in self.company_id:
            previous = False
            # read from the database, not the registry's cache: the level being saved may yet be refused
            for level in self.sudo().search([("company_id", "=", company.id)]):
                if previous and previous.sequence == level.sequence:
                    raise ValidationError(
                        self.env._(
                            "Levels “%(first)s” and “%(second)s” have the same sequence (%(sequence)s) "
                            "in company %(company)s: give each level its own sequence.",
                            first=previous.name,
                            second=level.name,
                            sequence=level.sequence,
                            company=company.name,
                        )
                    )
                if previous and level.delay < previous.delay:
                    raise ValidationError(
                        self.env._(
                            "Level “%(level)s” comes after “%(previous)s” but its delay (%(delay)s days) "
                            "is smaller than the previous level's (%(previous_delay)s days): "
                            "increase its delay or change the order of the levels.",
                            level=level.name,
                            previous=previous.name,
                            delay=level.delay,
                            previous_delay=previous.delay,
                        )
                    )
                previous = level

    @api.model
    def _relance_ladder(self, company):
        """Active levels of a company, in ladder order.

        Found whoever asks, in the caller's environment: the stored schedule of an invoice is computed
        as superuser (compute_sudo) for any user, also one without access to reminder levels (a portal
        payment, another company's user editing a shared customer)."""
        return self.browse(self._relance_ladder_ids(company.id))

    @api.model
    @tools.ormcache("company_id")
    def _relance_ladder_ids(self, company_id):
        """The ids of _relance_ladder, kept by Odoo's registry cache (cleared when a level changes): every
        invoice's schedule reads its company's ladder."""
        return tuple(self.sudo().search([("company_id", "=", company_id)]).ids)

    def _relance_clear_ladders(self):
        """A level was added, changed or removed: the ladders kept by _relance_ladder_ids are read again."""
        self.env.registry.clear_cache()

    def _relance_is_courtesy_call(self):
        """A call before the due date: it reminds the date, never holds the ladder."""
        return bool(self) and self.channel == "phone" and self.delay < 0

    def _relance_customer_label(self):
        """The level as the customer reads it: its label, else the usual wording of its tone."""
        self.ensure_one()
        defaults = {
            "pre_due": self.env._("Notice of upcoming due date"),
            "courteous": self.env._("1st reminder"),
            "firm": self.env._("2nd reminder"),
            "final": self.env._("Last reminder"),
            "formal": self.env._("Formal notice"),
        }
        return self.label or defaults[self.tone]

    def _relance_date_for(self, due_date, last_date):
        """Date on which this level is due: its delay after the due date and its gap after the last reminder
        (at least the next day: one reminder a day)."""
        self.ensure_one()
        date = fields.Date.add(due_date, days=self.delay)
        if last_date:
            date = max(date, fields.Date.add(last_date, days=max(self.gap, 1)))
        return date

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_value_types(self, vals)
        try:
            levels = super().create(vals_list)
        finally:
            self._relance_clear_ladders()
        levels._relance_reschedule_invoices(levels.company_id)
        return levels

    def write(self, vals):
        check_value_types(self, vals)
        companies = self.company_id
        try:
            res = super().write(vals)
        finally:
            if {"sequence", "active", "company_id"} & set(vals):
                self._relance_clear_ladders()
        if {"sequence", "delay", "gap", "active", "company_id", "selected_only"} & set(vals):
            self._relance_reschedule_invoices(companies | self.company_id)
        return res

    def unlink(self):
        self._relance_check_unused()
        companies = self.company_id
        try:
            res = super().unlink()
        finally:
            self._relance_clear_ladders()
        self._relance_reschedule_invoices(companies)
        return res

    def _relance_check_unused(self):
        """A level reached by an invoice or used by a reminder is part of the history: archive it instead."""
        for level in self:
            invoices = self.env["account.move"].sudo().search_count([("relance_level_id", "=", level.id)])
            reminders = self.env["relance.log"].sudo().search_count([("level_id", "=", level.id)])
            if invoices or reminders:
                raise UserError(
                    self.env._(
                        "Level “%(level)s” cannot be deleted: %(invoices)s invoice(s) reached it and %(reminders)s "
                        "reminder(s) used it. Archive it instead: it then leaves the ladder and the history stays "
                        "intact.",
                        level=level.name,
                        invoices=invoices,
                        reminders=reminders,
                    )
                )

    def _relance_reschedule_invoices(self, companies):
        """The ladder changed: recompute the next reminder of the open invoices it governs."""
        moves = self.env["account.move"].sudo().search(self.env["account.move"]._relance_open_domain(companies))
        moves._relance_reschedule()
