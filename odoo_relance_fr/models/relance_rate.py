import logging

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools.misc import format_date, formatLang

from .relance_checks import check_value_types

_logger = logging.getLogger(__name__)
_WARNED = set()  # (kind, semester) already reported in the server log by this process

RATE_KINDS = [
    ("ecb", "ECB main refinancing rate"),
    ("legal_pro", "Legal interest rate (professionals)"),
]


class RelanceRate(models.Model):
    _name = "relance.rate"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Semester rate for late-payment penalties"
    _order = "kind, date_from desc"
    _rec_name = "date_from"

    kind = fields.Selection(RATE_KINDS, required=True, default="ecb")
    date_from = fields.Date(
        string="Semester start",
        required=True,
        help="1 January for the first half-year, 1 July for the second.",
    )
    rate = fields.Float(string="Rate (%)", required=True, digits=(6, 3), aggregator=None)  # rates are not summed

    _sql_constraints = [
        ("kind_date_unique", "unique(kind, date_from)", "A semester has only one rate of each kind."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_value_types(self, vals)
        self._check_one_rate_per_semester(
            [(vals.get("kind", self._fields["kind"].default(self)), vals.get("date_from")) for vals in vals_list]
        )
        try:
            return super().create(vals_list)
        finally:
            self.env.registry.clear_cache()  # _relance_rates

    def write(self, vals):
        check_value_types(self, vals)
        if "kind" in vals or "date_from" in vals:
            self._check_one_rate_per_semester(
                [(vals.get("kind", rate.kind), vals.get("date_from", rate.date_from)) for rate in self], self
            )
        try:
            return super().write(vals)
        finally:
            if {"kind", "date_from", "rate"} & set(vals):
                self.env.registry.clear_cache()  # _relance_rates

    def unlink(self):
        try:
            return super().unlink()
        finally:
            self.env.registry.clear_cache()  # _relance_rates

    @api.model
    def _check_one_rate_per_semester(self, semesters, changed=None):
        """One rate of each kind per semester: said in French before the database refuses it."""
        semesters = [(kind, fields.Date.to_date(date)) for kind, date in semesters if kind and date]
        known = self.sudo().search([("kind", "in", [kind for kind, _date in semesters])]) - (changed or self.browse())
        taken = {(rate.kind, rate.date_from) for rate in known}
        for kind, date in semesters:
            if (kind, date) in taken:
                raise ValidationError(
                    self.env._(
                        "A semester has only one rate of each kind: the semester starting %(date)s already has "
                        "one. Change that rate instead of adding another.",
                        date=format_date(self.env, date),
                    )
                )
            taken.add((kind, date))

    @api.constrains("date_from", "rate")
    def _check_semester(self):
        """Rates are published per half-year: they start on 1 January or 1 July."""
        for rate in self:
            if (rate.date_from.month, rate.date_from.day) not in ((1, 1), (7, 1)):
                raise ValidationError(
                    self.env._(
                        "A semester starts on 1 January or 1 July, not on %(date)s.",
                        date=format_date(self.env, rate.date_from),
                    )
                )
            if not 0 <= rate.rate <= 100:
                raise ValidationError(
                    self.env._(
                        "A rate is between 0 and 100 %% a year, not %(rate)s %%.", rate=formatLang(self.env, rate.rate)
                    )
                )

    @api.model
    def _semester_start(self, date):
        """First day of the half-year containing date."""
        return date.replace(month=1 if date.month < 7 else 7, day=1)

    @api.model
    def action_relance_missing_rate(self):
        """Say, from the rates list, whether today's semester has its rate."""
        note = self._relance_missing_note(self.env.company, fields.Date.context_today(self))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if note else "success",
                "message": note or self.env._("The rate of the current semester is in the table."),
                "sticky": bool(note),
            },
        }

    @api.model
    def _relance_request_missing_rate(self, companies, date):
        """When the semester of date has no ECB rate yet (1 January, 1 July…), an accounting manager gets one
        activity to enter it, on the latest rate of the table."""
        latest = self.sudo().search([("kind", "=", "ecb")], limit=1)
        for company in companies:
            manager = company._relance_accounting_manager()
            env = self.with_context(lang=manager.lang or self.env.lang).env
            note = self.with_env(env)._relance_missing_note(company, date)
            if not (note and latest and manager):
                continue
            summary = env._(
                "ECB rate of the semester starting %(start)s to enter",
                start=format_date(env, self._semester_start(date)),
            )
            if not latest.activity_ids.filtered(lambda activity, summary=summary: activity.summary == summary):
                latest.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=summary,
                    note=note,
                    user_id=manager.id,
                )
            return  # the table is shared by every company: one activity asks for the rate

    @api.model
    def _relance_missing_note(self, company, date):
        """What the accountant must know when the semester of date has no rate yet in the table: the
        penalties use the latest known one (empty when the rate is there, or the company uses its own)."""
        if company.relance_penalty_rate_type == "contractual":
            return False
        start = self._semester_start(date)
        if self.sudo().search_count([("kind", "=", "ecb"), ("date_from", "=", start)]):
            return False
        known = self.sudo().search([("kind", "=", "ecb"), ("date_from", "<", start)], limit=1)
        return self.env._(
            "The ECB rate of the semester starting %(start)s is missing from the table of penalty rates: the "
            "penalties and the letters use the rate of the semester starting %(used)s (%(rate)s %%) until it is "
            "entered (Invoicing > Configuration > Penalty rates, from the Banque de France publication).",
            start=format_date(self.env, start),
            used=format_date(self.env, known.date_from) if known else "-",
            rate=formatLang(self.env, known.rate) if known else "-",
        )

    @api.model
    def _rate_for(self, kind, date):
        """(rate, note) in force for the semester of date; the latest known rate, with a note, when it is missing."""
        start = self._semester_start(date)
        rates = self._relance_rates(kind)
        exact = [rate for date_from, rate in rates if date_from == start]
        if exact:
            return exact[0], False
        if not rates:
            raise ValidationError(
                self.env._(
                    "No %(kind)s is known: fill in the table of semester rates.",
                    kind=dict(self._fields["kind"]._description_selection(self.env))[kind],
                )
            )
        known_rate, note = self._relance_fallback_rate(kind, start)
        if (kind, start) not in _WARNED:
            _WARNED.add((kind, start))
            _logger.warning(note)
        return known_rate, note

    @api.model
    @tools.ormcache("kind", "start", "self.env.lang")
    def _relance_fallback_rate(self, kind, start):
        """(rate, note) used for a semester missing from the table: the latest known before it, and what the
        penalties say of it (kept with the rates by the registry cache: each penalty of a run asks for it)."""
        rates = self._relance_rates(kind)
        known_from, known_rate = next(((d, r) for d, r in rates if d < start), rates[-1])
        note = self.env._(
            "%(kind)s of the semester starting %(missing)s is missing from the table: "
            "the rate of the semester starting %(used)s (%(rate)s %%) was used.",
            kind=dict(self._fields["kind"]._description_selection(self.env))[kind],
            missing=format_date(self.env, start),
            used=format_date(self.env, known_from),
            rate=formatLang(self.env, known_rate),
        )
        return known_rate, note

    @api.model
    @tools.ormcache("kind")
    def _relance_rates(self, kind):
        """((date_from, rate), ...) of a kind, the latest first, kept by Odoo's registry cache (cleared when a
        rate changes): every penalty of every reminder reads it."""
        return tuple((rate.date_from, rate.rate) for rate in self.sudo().search([("kind", "=", kind)]))
