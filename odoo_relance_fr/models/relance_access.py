import re
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.mimetypes import guess_mimetype
from odoo.tools.misc import format_amount, format_date

from .relance_log import dispute_reasons

# typed from a printed letter: no 0/o, 1/l/i; 16 characters of 31 are about 79 bits
TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOKEN_LENGTH = 16
TOKEN_PATTERN = re.compile(rf"[{TOKEN_ALPHABET}]{{{TOKEN_LENGTH}}}")
URL_PREFIX = "/relance/"
MAX_TEXT = 2000
MAX_REFERENCE = 100
MAX_UPLOAD = 10 * 1024 * 1024
UPLOAD_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "text/plain",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}


def new_token():
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


class RelanceAccess(models.Model):
    """A customer's personal link to its page (controllers/portal.py): one customer of one company, working
    until its expiry date. The reminders, statements and letters of one day share the customer's link."""

    _name = "relance.access"
    _description = "Customer's personal link"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    token = fields.Char(required=True, readonly=True, copy=False, default=lambda self: new_token())
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True, ondelete="cascade")
    date = fields.Date(string="Issued on", required=True, readonly=True)
    expiry_date = fields.Date(string="Works until", required=True, readonly=True)
    url = fields.Char(string="Customer's link", compute="_compute_url")

    _sql_constraints = [("token_unique", "unique(token)", "Two customer links cannot share a token.")]

    def _compute_url(self):
        for access in self:
            access.url = access.company_id.get_base_url() + access._relance_path()

    def _relance_path(self):
        self.ensure_one()
        return URL_PREFIX + self.token

    @api.model
    def _relance_links(self, partners, date):
        """{customer id: link} of these customers with the current company, as of date: the link issued that
        day, else a new one working for the days of Settings (those missing created together)."""
        company = self.env.company
        partners = partners.commercial_partner_id
        found = self.sudo().search(
            [("company_id", "=", company.id), ("partner_id", "in", partners.ids), ("date", "=", date)]
        )
        links = {access.partner_id.id: access for access in found}
        missing = [partner_id for partner_id in partners.ids if partner_id not in links]
        if missing:
            expiry = date + timedelta(days=company.relance_portal_days)
            created = self.sudo().create(
                [
                    {"partner_id": partner_id, "company_id": company.id, "date": date, "expiry_date": expiry}
                    for partner_id in missing
                ]
            )
            links.update(zip(missing, created, strict=True))
        return {partner_id: access.with_env(self.env) for partner_id, access in links.items()}

    def _relance_link_values(self, lang):
        """What a document prints of this link, in its reader's language: its address and last day."""
        self.ensure_one()
        env = self.with_context(lang=lang).env
        return {"url": self.url, "expiry": format_date(env, self.expiry_date, lang_code=lang)}

    @api.model
    def _relance_find(self, token):
        """The link of this token (as superuser: its visitor is nobody), or an empty record; a malformed token
        is not looked up."""
        if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
            return self.sudo().browse()
        return self.sudo().search([("token", "=", token)], limit=1)

    def _relance_today(self):
        """Today where the company is (its address's time zone, else Paris): the page's date."""
        self.ensure_one()
        return fields.Date.context_today(self.with_context(tz=self.company_id.partner_id.tz or "Europe/Paris"))

    def _relance_is_expired(self, today):
        self.ensure_one()
        return self.expiry_date < today

    @api.model
    def _relance_max_upload(self):
        return MAX_UPLOAD

    # ------------------------------------------------------------------ what the customer's page shows

    def _relance_lang(self):
        """The page's language: the customer's when active in Odoo, else English."""
        self.ensure_one()
        lang = self.partner_id.lang
        return lang if lang and self.env["res.lang"]._lang_get(lang) else "en_US"

    def _relance_open_invoices(self):
        """The customer's posted invoices with this company still to be paid, the earliest due first."""
        self.ensure_one()
        Move = self.env["account.move"].sudo()
        return Move.search(
            Move._relance_open_domain(self.company_id) + [("commercial_partner_id", "=", self.partner_id.id)],
            order="invoice_date_due, name, id",
        )

    def _relance_page_values(self, today, answer=None):
        """What the customer's page shows on today, in its language: its open invoices with their amounts, days
        late, penalties to date (business customers, when the company shows them), status and links, the totals,
        how to pay; answer: the customer's answer just recorded (relance.log), said back."""
        self.ensure_one()
        lang = self._relance_lang()
        env = self.with_context(lang=lang).env
        company = self.company_id.with_env(env)
        moves = self._relance_open_invoices().with_env(env).sudo()
        moves._relance_read_payments()
        penalties = bool(
            self.partner_id.is_company and not self.partner_id.relance_is_consumer and company.relance_show_penalties
        )
        online = self._relance_pays_online()
        lines = [self._relance_page_line(move, today, env, penalties, online) for move in moves]
        totals = {}
        for line in lines:
            total = totals.setdefault(line["move"].currency_id, {"residual": 0.0, "overdue": 0.0, "penalties": 0.0})
            total["residual"] += line["move"].amount_residual
            total["overdue"] += line["move"].amount_residual if line["days_late"] else 0.0
            total["penalties"] += line["claim_amount"]
        bank = company.partner_id.bank_ids[:1]
        return {
            "access": self,
            "company": company,
            "partner": self.partner_id.with_env(env),
            "today": format_date(env, today, lang_code=lang),
            "lines": lines,
            "totals": [
                {key: format_amount(env, amount, currency, lang_code=lang) for key, amount in amounts.items()}
                | {"overdue_amount": amounts["overdue"]}
                for currency, amounts in totals.items()
            ],
            "show_penalties": penalties,
            "bank": {"iban": bank.acc_number or "", "bic": bank.bank_bic or ""},
            "references": ", ".join(line["reference"] for line in lines),
            "promise_min": fields.Date.to_string(today),
            "promise_max": fields.Date.to_string(today + timedelta(days=company.relance_promise_max_days)),
            "promise_max_date": format_date(env, today + timedelta(days=company.relance_promise_max_days)),
            "reasons": list(dispute_reasons(env).items()),
            "expiry": format_date(env, self.expiry_date, lang_code=lang),
            "contact": {"email": company.email or "", "phone": company.phone or ""},
            "answer": answer and answer.with_env(env)._relance_answer_thanks(),
        }

    def _relance_page_line(self, move, today, env, penalties, online):
        """One invoice of the page, formatted in the customer's language."""
        lang = env.lang
        details = move._relance_penalty_details(today) if penalties else None
        due = move.relance_due_date or move.invoice_date_due
        days_late = max((today - due).days, 0) if due else 0
        currency = move.currency_id
        formal = move.relance_level_id.tone == "formal"
        return {
            "move": move,
            "name": move.name,
            "reference": move.payment_reference or move.name,
            "invoice_date": format_date(env, move.invoice_date, lang_code=lang),
            "due_date": format_date(env, due, lang_code=lang),
            "total": format_amount(env, move.amount_total, currency, lang_code=lang),
            "residual": format_amount(env, move.amount_residual, currency, lang_code=lang),
            "days_late": days_late,
            "penalty": details and format_amount(env, details["penalty"], currency, lang_code=lang),
            "indemnity": details and format_amount(env, details["indemnity"], currency, lang_code=lang),
            "claim_amount": (details["penalty"] + details["indemnity"]) if details else 0.0,
            "dispute": move.relance_dispute,
            "dispute_reason": move.relance_dispute and dispute_reasons(env).get(move.relance_dispute_reason),
            "formal": formal and format_date(env, move.relance_last_date, lang_code=lang),
            "promise": move.relance_promise_date
            and move.relance_promise_date >= today
            and format_date(env, move.relance_promise_date, lang_code=lang),
            "pdf_url": move.get_portal_url(report_type="pdf", download=True),
            "pay_url": move.get_portal_url() if online and move._has_to_be_paid() else False,
        }

    def _relance_expired_values(self):
        """What the page of an expired link says: whom to ask for a new one."""
        self.ensure_one()
        company = self.company_id.with_context(lang=self._relance_lang())
        return {"company": company, "contact": {"email": company.email or "", "phone": company.phone or ""}}

    def _relance_statement_pdf(self, today):
        """The customer's statement of account on today, as its PDF and file name in its language (rendered as
        Odoo's portal renders a report for a browser)."""
        self.ensure_one()
        env = self.with_context(lang=self._relance_lang()).env
        report = env.ref("odoo_relance_fr.action_report_relance_statement")
        pdf, _type = (
            env["ir.actions.report"]
            .with_company(self.company_id)
            .with_context(relance_date=today)
            ._render_qweb_pdf(report, self.partner_id.ids)
        )
        return pdf, self.partner_id.with_env(env)._relance_statement_filename(today)

    def _relance_pays_online(self):
        """Whether Odoo's own online payment (account_payment, when installed) is offered by this link's company: a
        payment provider enabled for it (each invoice then says whether it can be paid, _has_to_be_paid)."""
        self.ensure_one()
        Move = self.env["account.move"]
        return bool(
            hasattr(Move, "_has_to_be_paid")
            and self.env["payment.provider"]
            .sudo()
            .search_count([("state", "in", ("enabled", "test")), ("company_id", "=", self.company_id.id)], limit=1)
        )

    # ------------------------------------------------------------------ what the customer does there

    def _relance_chosen_invoices(self, move_ids, env):
        """The open invoices of this link's customer and company among the ids the browser sent; any other id
        (another customer's, another company's, paid, made up) refuses the whole request."""
        self.ensure_one()
        try:
            ids = {int(move_id) for move_id in move_ids}
        except (TypeError, ValueError):
            ids = {0}
        moves = self._relance_open_invoices().filtered(lambda move: move.id in ids)
        if not ids:
            raise UserError(env._("Choose at least one invoice."))
        if len(moves) != len(ids):
            raise UserError(env._("This invoice is not one of your invoices still to be paid: reload the page."))
        return moves

    def _relance_announce_payment(self, move_ids, date, today):
        """The customer announces paying these invoices on date: their reminders pause until the day after it
        (as a promise made on the phone); recorded in the history and the chatter, with an activity."""
        self.ensure_one()
        env = self.with_context(lang=self._relance_lang()).env
        moves = self._relance_chosen_invoices(move_ids, env)
        if moves.filtered("relance_dispute"):
            raise UserError(
                env._(
                    "Invoice %(invoice)s is under review after the problem you reported: no payment date to announce "
                    "for it.",
                    invoice=moves.filtered("relance_dispute")[0].name,
                )
            )
        formal = moves.filtered(lambda move: move.relance_level_id.tone == "formal")
        if formal:
            raise UserError(
                env._(
                    "Invoice %(invoice)s is under a formal notice: it is to be paid within the deadline the notice "
                    "gives. For another arrangement, contact us.",
                    invoice=formal[0].name,
                )
            )
        date = self._relance_parse_date(date, env)
        latest = today + timedelta(days=self.company_id.relance_promise_max_days)
        if date < today:
            raise UserError(env._("The payment date cannot be in the past."))
        if date > latest:
            raise UserError(
                env._(
                    "This date is too far ahead: choose a date on %(date)s at the latest. For a longer delay, contact "
                    "us.",
                    date=format_date(env, latest),
                )
            )
        moves.with_context(tracking_disable=True).write({"relance_promise_date": date})
        return self.env["relance.log"]._relance_record_answer(self, moves, today, "promise", promise_date=date)

    def _relance_report_problem(
        self, move_id, reason, description, today, paid_date=None, paid_reference=None, upload=None
    ):
        """The customer reports a problem on an invoice: it leaves the reminders (in dispute) until an accountant
        closes the dispute; recorded in the history and the chatter (with the customer's file), with an
        activity. upload: (file name, content) or None."""
        self.ensure_one()
        env = self.with_context(lang=self._relance_lang()).env
        move = self._relance_chosen_invoices([move_id], env)
        reasons = dispute_reasons(env)
        if reason not in reasons:
            raise UserError(env._("Choose what the problem is."))
        description = (description or "").strip()
        if len(description) > MAX_TEXT:
            raise UserError(env._("Please describe the problem in %(count)s characters at most.", count=MAX_TEXT))
        if reason == "other" and not description:
            raise UserError(env._("Please describe the problem."))
        details = []
        if reason == "paid":
            if not paid_date or not (paid_reference or "").strip():
                raise UserError(env._("Give the date and the reference of your payment (transfer or cheque)."))
            paid_on = self._relance_parse_date(paid_date, env)
            if paid_on > today:
                raise UserError(env._("The date of your payment cannot be in the future."))
            details.append(
                env._(
                    "Paid on %(date)s, reference %(reference)s.",
                    date=format_date(env, paid_on),
                    reference=paid_reference.strip()[:MAX_REFERENCE],
                )
            )
        attachment = self._relance_check_upload(upload, env)
        move.with_context(tracking_disable=True).write({"relance_dispute": True, "relance_dispute_reason": reason})
        note = "\n".join(filter(None, [reasons[reason], *details, description]))
        return self.env["relance.log"]._relance_record_answer(
            self, move, today, "dispute", dispute_reason=reason, note=note, attachment=attachment
        )

    @api.model
    def _relance_parse_date(self, value, env):
        try:
            date = fields.Date.to_date(value)
        except (TypeError, ValueError):
            date = None
        if not date or not 1900 <= date.year <= 2999:
            raise UserError(env._("Enter a valid date."))
        return date

    @api.model
    def _relance_check_upload(self, upload, env):
        """The customer's file as (name, content, mimetype), or None: a document or a picture of 10 MB at most."""
        if not upload or not upload[1]:
            return None
        name, content = upload
        if len(content) > MAX_UPLOAD:
            raise UserError(env._("The file is too large: 10 MB at most."))
        mimetype = guess_mimetype(content)
        if mimetype not in UPLOAD_TYPES:
            raise UserError(env._("Send a PDF, a picture (JPEG, PNG) or an office document."))
        return (name or "document", content, mimetype)
