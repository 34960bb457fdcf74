import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import formatLang

from .relance_checks import check_value_types

_logger = logging.getLogger(__name__)

DEFAULT_LEVEL_XMLIDS = (
    "odoo_relance_fr.relance_level_pre_due",
    "odoo_relance_fr.relance_level_courtesy_call",
    "odoo_relance_fr.relance_level_1",
    "odoo_relance_fr.relance_level_2",
    "odoo_relance_fr.relance_level_3",
    "odoo_relance_fr.relance_level_mise_en_demeure",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    relance_level_ids = fields.One2many("relance.level", "company_id", string="Reminder levels")
    relance_min_amount = fields.Monetary(
        string="Minimum amount to remind",
        currency_field="currency_id",
        default=5.0,
        help="Invoices whose amount still due is below this amount are never reminded.",
    )
    relance_courtesy_call_amount = fields.Monetary(
        string="Courtesy call from",
        currency_field="currency_id",
        default=5000.0,
        help="Invoices of at least this amount (tax included) get the courtesy call before their due date, "
        "whatever the customer; the customers ticked « Courtesy call before the due date » get it for every invoice.",
    )

    relance_auto_send = fields.Boolean(
        string="Send reminders automatically",
        default=True,
        help="The daily scheduled action sends the automatic levels on its own.",
    )
    relance_grouping = fields.Boolean(
        string="One reminder per customer",
        default=True,
        help="A customer with several invoices due for a reminder the same day gets one message listing them all.",
    )
    relance_letter_without_email = fields.Boolean(
        string="By letter when there is no email",
        default=True,
        help="A reminder due by email to a customer without an email address goes by letter when the customer "
        "has a postal address.",
    )
    relance_sender = fields.Selection(
        [("company", "The company"), ("user", "A chosen user")],
        string="Reminders sent by",
        default="company",
        required=True,
    )
    relance_sender_user_id = fields.Many2one("res.users", string="Reminder sender", check_company=True)
    relance_cc_user_id = fields.Many2one(
        "res.users",
        string="Copy reminders to",
        check_company=True,
        help="This user receives a copy of every reminder email.",
    )
    relance_med_deadline = fields.Integer(
        string="Payment deadline (days)",
        default=8,
        help="Days the customer is given to pay in the second and last reminders and in the formal notice.",
    )
    relance_responsible_id = fields.Many2one(
        "res.users",
        string="Reminders responsible",
        check_company=True,
        domain="[('share', '=', False)]",
        help="Gets the formal notices to validate, the calls to make and the failed reminders when the invoice's "
        "salesperson is not a person using Odoo (an import, a script, OdooBot, an archived user).",
    )
    relance_signatory_id = fields.Many2one(
        "res.users",
        string="Letters signed by",
        check_company=True,
        help="Signs the reminder letters and the formal notice; default: the reminder sender.",
    )
    relance_signatory_function = fields.Char(string="Signatory's position", translate=True)
    relance_share_capital = fields.Char(
        string="Share capital", help="Printed in the legal mentions of the letters, e.g. 10 000 €."
    )
    relance_penalty_rate_type = fields.Selection(
        [("ecb_plus_10", "ECB rate + 10 points"), ("contractual", "Contractual rate")],
        string="Late penalty rate",
        default="ecb_plus_10",
        required=True,
    )
    relance_contract_rate = fields.Float(string="Contractual rate (%)", digits=(6, 3))
    relance_penalty_split_semesters = fields.Boolean(
        string="Split penalties by semester",
        default=True,
        help="A delay crossing 1 January or 1 July is split, each part at its own semester's rate; "
        "otherwise the rate of the due date's semester applies to the whole delay.",
    )
    relance_show_penalties = fields.Boolean(
        string="Show penalties in reminders",
        default=True,
        help="Show late penalties and recovery indemnities to date from Reminder 2 on, in the formal "
        "notice and in statements.",
    )
    relance_penalty_account_id = fields.Many2one(
        "account.account",
        string="Penalty income account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account of the invoices billing late penalties and indemnities (default: 763100).",
    )

    relance_invoice_mentions = fields.Boolean(
        string="Late-payment mentions on invoices",
        default=True,
        help="French business invoices print what art. L441-9 of the French Commercial Code requires: the late "
        "penalty rate, the 40 € recovery indemnity, the early payment discount terms, the seller's SIREN, trade "
        "register and VAT numbers.",
    )
    relance_invoice_penalty_text = fields.Text(
        string="Late-payment terms on invoices",
        translate=True,
        help="Replaces the sentence built from the penalty settings (rate, indemnity); empty: that sentence.",
    )
    relance_early_payment_text = fields.Char(
        string="Early payment terms on invoices",
        translate=True,
        help="Empty: “No discount for early payment.”",
    )
    relance_indemnity_account_id = fields.Many2one(
        "account.account",
        string="Recovery indemnity income account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account of the 40 € fixed recovery indemnities, apart from the penalties "
        "(default: 758000, Indemnités et autres produits).",
    )

    relance_statement_day = fields.Selection(
        [(str(day), str(day)) for day in range(1, 29)] + [("last", "Last day of the month")],
        string="Statement day",
        default="1",
        required=True,
        help="Day of the month on which statements are sent.",
    )
    relance_statement_min_overdue = fields.Integer(
        string="Overdue invoices for a statement",
        default=2,
        help="Customers with at least this many overdue invoices get the monthly statement.",
    )
    relance_statement_with_reminder = fields.Selection(
        [("attach", "Attached to the reminder"), ("skip", "Not sent: the reminder is enough")],
        string="Statement on a reminder day",
        default="attach",
        required=True,
        help="A customer receives at most one message a day: on statement day, a customer who gets a reminder "
        "gets the statement attached to it, or no statement that month.",
    )

    relance_portal_days = fields.Integer(
        string="Customer link valid for (days)",
        default=60,
        help="Every reminder, statement and letter carries a personal link to a page where the customer sees "
        "its open invoices, downloads them, announces a payment date or reports a problem; it works for this "
        "many days.",
    )
    relance_promise_max_days = fields.Integer(
        string="Payment date announced at most (days ahead)",
        default=30,
        help="On its page, a customer may announce a payment date up to this many days ahead: the reminders of "
        "those invoices pause until the day after it.",
    )
    relance_reply_pause_days = fields.Integer(
        string="Pause after a customer reply (days)",
        default=7,
        help="A reply to a reminder email pauses the customer's reminders for this many days, or until the reply "
        "is marked as handled if 0. Automatic replies (out of office, delivery failures) pause nothing.",
    )

    @api.constrains("relance_min_amount", "relance_courtesy_call_amount")
    def _check_relance_min_amount(self):
        for company in self:
            if company.relance_courtesy_call_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The amount from which invoices get a courtesy call cannot be negative (%(amount)s).",
                        amount=company.relance_courtesy_call_amount,
                    )
                )
            if company.relance_min_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The minimum amount to remind cannot be negative (%(amount)s).",
                        amount=company.relance_min_amount,
                    )
                )

    def write(self, vals):
        check_value_types(self, {key: value for key, value in vals.items() if key.startswith("relance_")})
        return super().write(vals)

    @api.constrains("relance_statement_min_overdue")
    def _check_relance_statement_min_overdue(self):
        for company in self:
            if company.relance_statement_min_overdue < 1:
                raise ValidationError(
                    self.env._(
                        "A statement needs at least one overdue invoice (%(count)s given).",
                        count=company.relance_statement_min_overdue,
                    )
                )

    @api.constrains("relance_med_deadline")
    def _check_relance_med_deadline(self):
        for company in self:
            if company.relance_med_deadline < 1:
                raise ValidationError(
                    self.env._(
                        "The formal notice must give the customer at least one day to pay (%(days)s days given).",
                        days=company.relance_med_deadline,
                    )
                )

    @api.constrains("relance_portal_days", "relance_promise_max_days", "relance_reply_pause_days")
    def _check_relance_customer_answers(self):
        for company in self:
            if company.relance_portal_days < 1:
                raise ValidationError(
                    self.env._(
                        "The customer's link must work for at least one day (%(days)s days given).",
                        days=company.relance_portal_days,
                    )
                )
            if company.relance_promise_max_days < 1:
                raise ValidationError(
                    self.env._(
                        "A customer must be able to announce a payment date at least one day ahead (%(days)s days "
                        "given).",
                        days=company.relance_promise_max_days,
                    )
                )
            if company.relance_reply_pause_days < 0:
                raise ValidationError(
                    self.env._(
                        "The pause after a customer reply is a number of days, 0 meaning until the reply is handled "
                        "(%(days)s days given).",
                        days=company.relance_reply_pause_days,
                    )
                )

    @api.constrains("relance_contract_rate")
    def _check_relance_contract_rate(self):
        for company in self:
            if not 0 <= company.relance_contract_rate <= 100:
                raise ValidationError(
                    self.env._(
                        "The contractual late penalty rate is between 0 and 100 %% a year, not %(rate)s %%.",
                        rate=company.relance_contract_rate,
                    )
                )

    def _relance_responsible_for(self, moves):
        """Who handles these invoices' reminders: their salesperson if a person using Odoo, else the reminders
        responsible of Settings, else the user at work, else the sender, else an accounting manager.
        Never OdooBot, a portal user or an archived user."""
        self.ensure_one()
        candidates = [
            *moves.sudo().invoice_user_id,
            self.relance_responsible_id,
            self.env.user,
            self._relance_sender_user(),
        ]
        for user in candidates:
            if user and self._relance_is_person(user):
                return user
        return self._relance_accounting_manager() or self.env.user

    def _relance_accounting_manager(self):
        """An accounting manager of the company who is a person using Odoo (not OdooBot, not archived)."""
        self.ensure_one()
        return (
            self.env.ref("account.group_account_manager")
            .sudo()
            .users.filtered(lambda user: self in user.company_ids and self._relance_is_person(user))
            .sorted("id")[:1]
        )

    @api.model
    def _relance_is_person(self, user):
        """A person using Odoo: an active internal user, not OdooBot."""
        user = user.sudo()
        return user.active and not user.share and not user._is_superuser()

    def _relance_sender_user(self):
        """User who sends and signs the reminders."""
        self.ensure_one()
        if self.relance_sender == "user" and self.relance_sender_user_id:
            return self.relance_sender_user_id
        return self.env.user

    def _relance_penalty_account(self):
        """Account of penalty invoice lines: the configured one, else 763100 of the French chart."""
        self.ensure_one()
        account = self.relance_penalty_account_id or self.env["account.chart.template"].with_company(self).ref(
            "pcg_7631", raise_if_not_found=False
        )
        if not account:
            raise UserError(
                self.env._("Choose the income account of late penalties in Settings > Invoicing > Customer reminders.")
            )
        return account

    def _relance_indemnity_account(self):
        """Account of the recovery indemnity lines: the configured one, else 758000 of the French chart, else the
        penalties' account."""
        self.ensure_one()
        return (
            self.relance_indemnity_account_id
            or self.env["account.chart.template"].with_company(self).ref("pcg_758", raise_if_not_found=False)
            or self._relance_penalty_account()
        )

    @api.model
    def _relance_contract_rate_warning(self, rate_type, rate, date):
        """Warning when a contractual rate is under the legal floor: 3 x the legal interest rate of the semester."""
        if rate_type != "contractual":
            return False
        legal, _note = self.env["relance.rate"]._rate_for("legal_pro", date)
        if rate >= 3 * legal:
            return False
        return self.env._(
            "The contractual rate (%(rate)s %%) is below three times the legal interest rate of the semester "
            "(3 x %(legal)s %% = %(floor)s %%): art. L441-10 of the French Commercial Code forbids it.",
            rate=formatLang(self.env, rate),
            legal=formatLang(self.env, legal),
            floor=formatLang(self.env, 3 * legal),
        )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._relance_ensure_levels()
        return companies

    def _relance_ensure_levels(self):
        """Give each company without a ladder a copy of the default French ladder."""
        templates = self.env["relance.level"]
        for xmlid in DEFAULT_LEVEL_XMLIDS:
            templates |= self.env.ref(xmlid, raise_if_not_found=False) or templates
        if not templates:
            return
        Level = self.env["relance.level"].sudo().with_context(active_test=False)
        with_levels = set(Level.search([("company_id", "in", self.ids)]).company_id.ids)
        for company in self.filtered(lambda c: c.id not in with_levels):
            for template in templates:
                template.sudo().copy({"company_id": company.id})

    def _relance_is_statement_day(self, date):
        self.ensure_one()
        if self.relance_statement_day == "last":
            return (date + timedelta(days=1)).month != date.month
        return date.day == int(self.relance_statement_day)
