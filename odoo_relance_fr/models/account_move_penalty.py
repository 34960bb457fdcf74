from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date, formatLang

from . import relance_penalty
from .res_partner import RELANCE_STAFF


class AccountMove(models.Model):
    """French late-payment law on an invoice: penalties and the recovery indemnity to date, the mentions a
    business invoice carries, and the invoice that bills them."""

    _inherit = "account.move"

    relance_is_business = fields.Boolean(
        string="Business customer",
        compute="_compute_relance_is_business",
        help="French B2B late-payment law applies (L441-10 penalties, 40 € indemnity); a private person owes "
        "interest at the legal rate only, after a formal notice.",
        groups=RELANCE_STAFF,
    )
    relance_penalty_amount = fields.Monetary(
        string="Late penalties to date",
        compute="_compute_relance_penalties",
        help="Art. L441-10 of the French Commercial Code: amount still due x annual rate x days late / 365.",
        groups=RELANCE_STAFF,
    )
    relance_indemnity_amount = fields.Monetary(
        string="Recovery indemnity",
        compute="_compute_relance_penalties",
        help="Art. D441-5 of the French Commercial Code: 40 EUR per invoice paid late, business customers only.",
        groups=RELANCE_STAFF,
    )
    relance_days_late = fields.Integer(string="Days late", compute="_compute_relance_penalties", groups=RELANCE_STAFF)
    relance_penalty_billed_date = fields.Date(
        string="Penalties billed until",
        copy=False,
        readonly=True,
        help="Late penalties up to this date have already been invoiced to the customer.",
        groups=RELANCE_STAFF,
    )
    relance_indemnity_billed = fields.Boolean(
        string="Indemnity billed", copy=False, readonly=True, groups=RELANCE_STAFF
    )
    relance_is_penalty_invoice = fields.Boolean(
        string="Penalty invoice",
        copy=False,
        readonly=True,
        help="This invoice bills late penalties: no penalty accrues on it.",
        groups=RELANCE_STAFF,
    )

    @api.depends("commercial_partner_id.is_company", "commercial_partner_id.relance_is_consumer")
    def _compute_relance_is_business(self):
        for move in self:
            move.relance_is_business = move._relance_is_business()

    @api.depends_context("relance_date")
    @api.depends(
        "line_ids.matched_credit_ids",
        "commercial_partner_id.is_company",
        "commercial_partner_id.relance_is_consumer",
        "state",
    )
    def _compute_relance_penalties(self):
        date = self._relance_penalty_date()
        for move in self:
            details = move._relance_penalty_details(date)
            move.relance_penalty_amount = details["penalty"]
            move.relance_indemnity_amount = details["indemnity"]
            move.relance_days_late = details["days"]

    def _relance_penalty_date(self):
        """Date penalties are computed at: the context's relance_date, else today."""
        return fields.Date.to_date(self.env.context.get("relance_date")) or fields.Date.context_today(self)

    def _relance_is_business(self):
        """French B2B rules apply unless the customer is a private person (not a company, or flagged consumer)."""
        partner = self.commercial_partner_id
        return partner.is_company and not partner.relance_is_consumer

    def _relance_invoice_mentions(self):
        """What art. L441-9 of the French Commercial Code requires on a French business invoice, in the
        reader's language: penalty rate, recovery indemnity, early payment terms, the seller's numbers."""
        self.ensure_one()
        company = self.company_id
        if not (
            company.relance_invoice_mentions
            and company.country_code == "FR"
            and self.move_type == "out_invoice"
            and self._relance_is_business()
        ):
            return []
        penalty = company.relance_invoice_penalty_text
        if not penalty:
            rate = relance_penalty.annual_rate(self.env, company, self.invoice_date_due or self.invoice_date, [])
            terms = (
                self.env._("contractual rate")
                if company.relance_penalty_rate_type == "contractual"
                else self.env._("European Central Bank refinancing rate plus 10 points")
            )
            penalty = self.env._(
                "Late payment: penalties are due from the day after the due date at the annual rate of %(rate)s %% "
                "(%(terms)s), with a fixed indemnity of 40 € for recovery costs (art. L441-10 and D441-5 of the "
                "French Commercial Code).",
                rate=formatLang(self.env, rate),
                terms=terms,
            )
        early = company.relance_early_payment_text or self.env._("No discount for early payment.")
        return [penalty, early, " - ".join(company._relance_identity_mentions())]

    def _relance_read_payments(self):
        """Read the payments of all these invoices at once, before their penalties are computed one by one."""
        self.line_ids.matched_credit_ids.mapped("max_date")

    def _relance_penalty_details(self, date, date_from=None):
        """Penalty and indemnity of this invoice at date (penalty only for days after date_from)."""
        self.ensure_one()
        if self.move_type != "out_invoice" or self.state != "posted" or self.relance_is_penalty_invoice:
            return {"penalty": 0.0, "indemnity": 0.0, "days": 0, "rates": [], "notes": []}
        return relance_penalty.compute(self, date, date_from)

    def action_relance_bill_penalties(self):
        """Invoice the penalties and indemnities not billed yet, one invoice per customer."""
        date = self._relance_penalty_date()
        lines_by_partner = {}
        for move in self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted"):
            lines = move._prepare_relance_penalty_lines(date)
            if lines:
                lines_by_partner.setdefault((move.commercial_partner_id, move.currency_id), []).extend(lines)
        if not lines_by_partner:
            raise UserError(
                self.env._(
                    "Nothing to bill on %(date)s: the penalties and indemnities of these invoices are already "
                    "invoiced, or the invoices were not paid late, or the customers are private persons.",
                    date=format_date(self.env, date),
                )
            )
        invoices = self.env["account.move"]
        for (partner, _currency), lines in lines_by_partner.items():
            invoices |= self._relance_create_penalty_invoice(partner, lines, date)
        return invoices._get_records_action(name=self.env._("Penalty invoices"))

    def _prepare_relance_penalty_lines(self, date):
        """Invoice line values for this invoice's penalties since the last billing, and its indemnity if unbilled."""
        self.ensure_one()
        details = self._relance_penalty_details(date, self.relance_penalty_billed_date)
        lines = []
        if self.currency_id.compare_amounts(details["penalty"], 0) > 0:
            start = max(self.relance_penalty_billed_date or self.relance_due_date, self.relance_due_date)
            lines.append(
                self._relance_penalty_line_vals(
                    self.env._(
                        "Late penalties on invoice %(invoice)s (art. L441-10 of the French Commercial Code), "
                        "from %(start)s to %(end)s at %(rates)s %% a year - outside the scope of VAT",
                        invoice=self.name,
                        start=format_date(self.env, fields.Date.add(start, days=1)),
                        end=format_date(self.env, date),
                        rates=" / ".join(formatLang(self.env, rate) for rate in details["rates"]),
                    ),
                    details["penalty"],
                    self.company_id._relance_penalty_account(),
                )
            )
        if not self.relance_indemnity_billed and self.currency_id.compare_amounts(details["indemnity"], 0) > 0:
            lines.append(
                self._relance_penalty_line_vals(
                    self.env._(
                        "Fixed recovery indemnity on invoice %(invoice)s (art. D441-5 of the French Commercial Code) "
                        "- outside the scope of VAT",
                        invoice=self.name,
                    ),
                    details["indemnity"],
                    self.company_id._relance_indemnity_account(),
                )
            )
        return lines

    def _relance_penalty_line_vals(self, label, amount, account):
        self.ensure_one()
        return {
            "source": self,
            "name": label,
            "quantity": 1,
            "price_unit": amount,
            "tax_ids": [Command.clear()],
            "account_id": account.id,
        }

    def _relance_create_penalty_invoice(self, partner, lines, date):
        """Post one customer invoice billing the given penalty lines, and mark the sources as billed."""
        sources = self.browse()
        for line in lines:
            sources |= line.pop("source")
        company = sources.company_id
        journal = self.env["account.journal"].search(
            [*self.env["account.journal"]._check_company_domain(company), ("type", "=", "sale")], limit=1
        )
        invoice = self.create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": company.id,
                "journal_id": journal.id,
                "currency_id": sources.currency_id[:1].id,
                "invoice_date": date,
                # the customer's payment terms, else those of the invoices paid late: not due the day it is billed
                "invoice_payment_term_id": (
                    partner.with_company(company).property_payment_term_id or sources.invoice_payment_term_id[:1]
                ).id,
                "ref": self.env._("Late penalties and recovery indemnities"),
                "relance_is_penalty_invoice": True,
                "invoice_line_ids": [Command.create(vals) for vals in lines],
            }
        )
        invoice.action_post()
        for source in sources:
            source.write({"relance_penalty_billed_date": date, "relance_indemnity_billed": True})
            source.message_post(body=self.env._("Late penalties billed on invoice %(invoice)s.", invoice=invoice.name))
        return invoice
