from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount

# Reminder data on customers and invoices is for accounting staff only: not portal users, not sales.
RELANCE_STAFF = "account.group_account_invoice,account.group_account_readonly"
BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")


class ResPartner(models.Model):
    _inherit = "res.partner"

    relance_excluded = fields.Boolean(
        string="Excluded from reminders",
        company_dependent=True,
        tracking=True,
        help="No reminder is ever sent for this customer's invoices by the current company. Each company "
        "decides for itself: excluding a customer shared by several companies excludes it for this one only.",
        groups=RELANCE_STAFF,
    )
    relance_courtesy_call = fields.Boolean(
        string="Courtesy call before the due date",
        company_dependent=True,
        tracking=True,
        help="A few days before each invoice falls due, the person in charge of reminders gets a call to make "
        "(level « Courtesy call »): for the customers you know well. Invoices of at least the amount set in "
        "Settings get it whatever the customer.",
        groups=RELANCE_STAFF,
    )
    relance_log_ids = fields.One2many("relance.log", "partner_id", string="Reminder history", groups=RELANCE_STAFF)
    relance_log_count = fields.Integer(string="Reminders", compute="_compute_relance_totals", groups=RELANCE_STAFF)
    relance_overdue_amount = fields.Monetary(
        string="Overdue",
        compute="_compute_relance_totals",
        currency_field="relance_currency_id",
        help="Amount still due on this customer's overdue invoices, in the company currency.",
        groups=RELANCE_STAFF,
    )
    relance_penalty_amount = fields.Monetary(
        string="Late penalties to date",
        compute="_compute_relance_totals",
        currency_field="relance_currency_id",
        groups=RELANCE_STAFF,
    )
    relance_currency_id = fields.Many2one(
        "res.currency", string="Reminder currency", compute="_compute_relance_totals", groups=RELANCE_STAFF
    )
    relance_is_consumer = fields.Boolean(
        string="Private person (consumer)",
        help="French B2B late-payment rules do not apply: no L441-10 penalties, no 40 EUR indemnity.",
        groups=RELANCE_STAFF,
    )

    relance_reply_date = fields.Date(
        string="Customer reply to handle",
        company_dependent=True,
        copy=False,
        help="The customer replied to a reminder on this date: its reminders pause (Settings) until the reply is "
        "marked as handled.",
        groups=RELANCE_STAFF,
    )
    relance_reply_until = fields.Date(
        string="Reminders resume on",
        compute="_compute_relance_reply_until",
        help="With a customer reply to handle, the day its reminders resume at the latest (Settings); empty: only "
        "once the reply is handled.",
        groups=RELANCE_STAFF,
    )
    relance_to_complete = fields.Boolean(
        string="Reminders: to complete",
        compute="_compute_relance_to_complete",
        search="_search_relance_to_complete",
        help="A customer with open invoices and no email address or no postal address (street and city): its "
        "reminders cannot all go out.",
        groups=RELANCE_STAFF,
    )

    @api.depends("relance_reply_date")
    @api.depends_context("company")
    def _compute_relance_reply_until(self):
        days = self.env.company.relance_reply_pause_days
        for partner in self:
            reply = partner.relance_reply_date
            partner.relance_reply_until = (reply and days and fields.Date.add(reply, days=days)) or False

    def _relance_lacks_contact(self):
        self.ensure_one()
        return not (self._relance_email_contact() and self._relance_has_postal_address())

    def _compute_relance_to_complete(self):
        to_complete = set(self._relance_to_complete_ids())
        for partner in self:
            partner.relance_to_complete = partner.id in to_complete

    @api.model
    def _relance_to_complete_ids(self):
        """Customers of open invoices of the user's companies lacking an email or a postal address."""
        moves = self.env["account.move"].search(self.env["account.move"]._relance_open_domain(self.env.companies))
        return moves.commercial_partner_id.filtered(lambda partner: partner._relance_lacks_contact()).ids

    def _search_relance_to_complete(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on « To complete »."))
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", self._relance_to_complete_ids())]

    def _compute_relance_totals(self):
        """Overdue amount, penalties and number of reminders of each customer (company currency)."""
        today = fields.Date.context_today(self)
        company = self.env.company
        for partner in self:
            overdue = (
                self.env["account.move"].search(
                    self.env["account.move"]._relance_open_domain(company)
                    + [
                        ("commercial_partner_id", "=", partner.commercial_partner_id.id),
                        ("invoice_date_due", "<", today),
                    ]
                )
                if partner.id
                else self.env["account.move"]
            )
            partner.relance_currency_id = company.currency_id
            partner.relance_overdue_amount = sum(overdue.mapped("amount_residual_signed"))
            partner.relance_penalty_amount = sum(
                move._relance_penalty_details(today)["penalty"]
                for move in overdue
                if move.currency_id == company.currency_id
            )
            partner.relance_log_count = (
                self.env["relance.log"].search_count([("partner_id", "=", partner.commercial_partner_id.id)])
                if partner.id
                else 0
            )

    def action_relance_reply_handled(self):
        """The customer's reply is handled: its reminders resume, its reply activities are done."""
        customers = self.commercial_partner_id.filtered("relance_reply_date")
        if not customers:
            raise UserError(self.env._("No customer reply is waiting to be handled."))
        # a reminder state of ours, not the customer's record: billing users may handle it without the right to
        # edit contacts (the button is theirs)
        customers.sudo()._relance_reply_handled()
        return True

    def _relance_reply_handled(self, feedback=None):
        """Resume the reminders of these customers (with the current company) and close their reply
        activities."""
        activities = self._relance_reply_activities()
        self._relance_resume_after_reply()
        activities.action_feedback(feedback=feedback or self.env._("Reply handled: the reminders resume."))

    def _relance_resume_after_reply(self):
        """These customers' replies are handled (with the current company): their reminders resume, said in their
        chatter."""
        self.relance_reply_date = False
        for customer in self:
            customer._message_log(
                body=self.env._("Customer reply handled by %(user)s: the reminders resume.", user=self.env.user.name)
            )

    def _relance_reply_activities(self):
        """The open activities asking to handle these customers' replies, on the reminders they answered."""
        answered = self.env["relance.log"].search(
            [
                ("partner_id", "in", self.ids),
                ("company_id", "=", self.env.company.id),
                ("kind", "in", ("reminder", "statement")),
            ]
        )
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "relance.log"),
                ("res_id", "in", answered.ids),
                ("activity_type_id", "=", self.env.ref("odoo_relance_fr.mail_activity_type_relance_answer").id),
            ]
        )

    def action_relance_open_history(self):
        """The customer's reminder history."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("odoo_relance_fr.relance_log_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _relance_recipient(self, without_invoice_address=()):
        """Who receives the reminder: the invoice address contact when it has an email, else the customer."""
        recipient = self._relance_email_contact(without_invoice_address)
        if recipient:
            return recipient
        raise UserError(
            self.env._(
                "Customer %(customer)s has no email address: add one to the customer or its invoice address.",
                customer=self.display_name,
            )
        )

    def _relance_reach_issue(self, channel, company):
        """Why a reminder through channel cannot reach this customer, in words for the accountant ("" when it can)."""
        self.ensure_one()
        postal = self._relance_has_postal_address()
        if channel in ("letter", "email_letter") and not postal:
            return self.env._(
                "%(customer)s has no postal address (street and city) for the letter: complete it, or choose the "
                "email channel.",
                customer=self.display_name,
            )
        if channel == "email" and not self._relance_email_contact():
            if not postal:
                return self.env._(
                    "%(customer)s has no email address and no postal address: complete its record (list « To "
                    "complete »).",
                    customer=self.display_name,
                )
            if not company.relance_letter_without_email:
                return self.env._(
                    "%(customer)s has no email address: add one, or choose the letter channel.",
                    customer=self.display_name,
                )
        return ""

    def _relance_has_postal_address(self):
        self.ensure_one()
        return bool(self.street and self.city)

    def _relance_email_contact(self, without_invoice_address=()):
        """The invoice address contact when it has an email, else the customer if it has one, else nobody;
        without_invoice_address: ids of customers known to have no invoice address (no search for them)."""
        self.ensure_one()
        invoice_contact = (
            self
            if self.id in without_invoice_address or not self.child_ids
            else self.browse(self.address_get(["invoice"])["invoice"])
        )
        for candidate in (invoice_contact, self):
            if candidate.email:
                return candidate
        return self.browse()

    @api.model
    def _relance_without_invoice_address(self, partners):
        """Those of these customers with no invoice address among their contacts (most): one query for all,
        where each one's _relance_email_contact would read its contacts."""
        having_one = set()
        for contact in self.search([("id", "child_of", partners.ids), ("type", "=", "invoice")]):
            while contact:
                having_one.add(contact.id)
                contact = contact.parent_id
        return frozenset(set(partners.ids) - having_one)

    def _relance_statement(self, date, company, penalties=True):
        """This customer's open items on date, one section per currency: rows, ageing, totals, and the late
        penalties unless not asked for (the statement's email shows only its balance and overdue amount)."""
        self.ensure_one()
        return self._relance_statements(date, company, penalties)[self.id]

    def _relance_statements(self, date, company, penalties=True):
        """{customer id: its statement sections (see _relance_statement)} for these customers, read together:
        one search for all their open items, their payments read at once for the penalties."""
        customers = {partner.id: partner.commercial_partner_id for partner in self}
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "child_of", [customer.id for customer in customers.values()]),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
            ],
            order="date_maturity, date, id",
        )
        if penalties:
            lines.move_id._relance_read_payments()
        by_customer = {customer.id: [] for customer in customers.values()}
        for line in lines:
            owner = line.partner_id
            while owner:  # each customer the line belongs to, as child_of finds it (a subsidiary's: its parent's too)
                if owner.id in by_customer:
                    by_customer[owner.id].append(line)
                owner = owner.parent_id
        return {
            partner_id: self._relance_statement_sections(customer, by_customer[customer.id], date, company, penalties)
            for partner_id, customer in customers.items()
        }

    @api.model
    def _relance_statement_sections(self, partner, lines, date, company, penalties=True):
        """The statement sections of one customer from its open receivable lines (see _relance_statement)."""
        sections = {}
        for line in lines:
            if line.currency_id.is_zero(line.amount_residual_currency):
                continue
            currency = line.currency_id
            section = sections.setdefault(currency, self._relance_empty_section(currency))
            row = self._relance_statement_row(line, date)
            section["rows"].append(row)
            section["balance"] += row["remaining"]
            if row["kind"] != "invoice":
                section["credits"] += row["remaining"]
                continue
            section["buckets"][row["bucket"]] += row["remaining"]
            section["overdue" if row["days_late"] else "not_due"] += row["remaining"]
        business = partner.is_company and not partner.relance_is_consumer
        moves = self.env["account.move"].union(*(line.move_id for line in lines))
        for section in sections.values():
            section["business"] = business
            if not penalties:
                continue
            currency = section["currency"]
            invoices = moves.filtered(
                lambda m, currency=currency: m.move_type == "out_invoice" and m.currency_id == currency
            )
            details = [move._relance_penalty_details(date) for move in invoices] if business else []
            section["penalties"] = section["currency"].round(sum(d["penalty"] for d in details))
            section["indemnities"] = section["currency"].round(sum(d["indemnity"] for d in details))
        return sorted(sections.values(), key=lambda s: s["currency"] != company.currency_id)

    @api.model
    def _relance_empty_section(self, currency):
        return {
            "currency": currency,
            "rows": [],
            "buckets": dict.fromkeys(BUCKETS, 0.0),
            "overdue": 0.0,
            "not_due": 0.0,
            "credits": 0.0,
            "balance": 0.0,
        }

    @api.model
    def _relance_statement_row(self, line, date):
        """One line of the statement: an invoice instalment, a credit note or an unallocated payment."""
        move = line.move_id
        due = line.date_maturity or line.date
        remaining = line.amount_residual_currency
        kind = {"out_invoice": "invoice", "out_refund": "credit_note"}.get(move.move_type, "payment")
        days_late = max((date - due).days, 0) if kind == "invoice" else 0
        if kind != "invoice":
            status = kind
        elif move.relance_dispute:
            status = "dispute"
        elif move.relance_promise_date and move.relance_promise_date >= date:
            status = "promise"
        else:
            status = "overdue" if days_late else "not_due"
        bucket = (
            "not_due"
            if days_late == 0
            else "1_30"
            if days_late <= 30
            else "31_60"
            if days_late <= 60
            else "61_90"
            if days_late <= 90
            else "over_90"
        )
        return {
            "name": move.name,
            "date": line.date,
            "due": due,
            "ref": move.ref or "",
            "amount": line.amount_currency,
            "paid": line.amount_currency - remaining,
            "remaining": remaining,
            "days_late": days_late,
            "kind": kind,
            "status": status,
            "bucket": bucket,
            "reference": move.payment_reference or move.name,
        }

    def _relance_statement_values(self, date, sections=None, link=None):
        """Everything the statement prints at date (sections: its statement, if already computed; link: the
        customer's personal link, relance.access)."""
        self.ensure_one()
        company = self.env.company
        lang = self.lang or self.env.lang
        sections = self._relance_statement(date, company) if sections is None else sections
        main = next((s for s in sections if s["currency"] == company.currency_id), None)
        overdue_refs = [
            r["reference"] for s in sections for r in s["rows"] if r["kind"] == "invoice" and r["days_late"]
        ]
        return dict(
            company._relance_letter_values(lang, date),
            date=date,
            sections=sections,
            # the QR code pays what the statement asks to pay now, the overdue invoices its reference names
            qr=main and company._relance_qr_code(main["overdue"], company.currency_id, ", ".join(overdue_refs), self),
            qr_amount=main
            and format_amount(self.with_context(lang=lang).env, main["overdue"], company.currency_id, lang_code=lang),
            references=", ".join(overdue_refs),
            show_penalties=company.relance_show_penalties,
            link=link and link._relance_link_values(lang),
        )

    def _relance_statement_filename(self, date):
        """The file name of this customer's statement at date, in the environment's language."""
        self.ensure_one()
        return self.env._(
            "Statement of account - %(customer)s - %(date)s.pdf", customer=self.name, date=fields.Date.to_string(date)
        )

    def action_relance_send_statement(self):
        """Email each selected customer its statement now, whatever was sent this month."""
        today = fields.Date.context_today(self)
        logs = self.env["relance.log"]
        for partner in self.commercial_partner_id:
            logs |= self.env["relance.statement"]._relance_send_statement(partner, today, force=True)
        failed = logs.filtered(lambda log: log.state == "failed")
        if failed:
            raise UserError(failed[0].note)
        return logs._get_records_action(name=self.env._("Statements sent"))
