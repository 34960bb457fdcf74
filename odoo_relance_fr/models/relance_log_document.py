from odoo import api, fields, models
from odoo.tools.misc import format_amount, format_date, formatLang


class RelanceLog(models.Model):
    """What a reminder's emails and letters say: its invoices, amounts, stages and texts, in the customer's
    language."""

    _inherit = "relance.log"

    def _relance_document(self, letter=False):
        """The pieces of this reminder's email (or letter), for its template: each made on first use."""
        self.ensure_one()
        return Document(self, letter)

    def _relance_piece(self, key, doc):
        """One piece of the document doc: values, or a shared HTML part rendered in the customer's language."""
        pieces = {
            "lines": lambda: self._relance_compute_lines(),
            "first": lambda: doc["lines"][0],
            "stages": lambda: self._relance_stages(doc["lines"]),
            "totals": lambda: self._relance_totals(doc["lines"]),
            "deadline": self._relance_deadline,
            "history_count": lambda: len(self._relance_history()),
            "letter_copy": self._relance_is_letter_copy,
            "letter": lambda: self._relance_letter_values(doc),
            "summary": self._relance_statement_summary,
            "date": self._relance_statement_date,
            "amounts": self._relance_statement_amounts,
            "link": self._relance_link,
        }
        if key in pieces:
            return pieces[key]()
        if key in ("table", "payment", "signature", "sections", "closing", "claim"):
            return self._relance_render_part(key, doc)
        raise KeyError(key)

    def _relance_render_part(self, part, doc):
        """One shared piece of the reminder (table, payment, signature...) in the customer's language."""
        lang = self.partner_id.lang or self.env.lang
        qweb = self.env["ir.qweb"].with_context(lang=lang)
        if part == "signature":  # the sender and the link only: a statement's email signs without its invoices
            return qweb._render(
                "odoo_relance_fr.relance_mail_signature", {"sender": self._relance_sender(), "link": doc["link"]}
            )
        lines = doc["lines"]
        totals = doc["totals"]
        values = {
            "lines": lines,
            "totals": totals,
            "bank": self._relance_bank(),
            "sender": self._relance_sender(),
            "pre_due": self.level_id.delay < 0,
            "grouped": len(self.move_ids) > 1,
            "show_penalties": bool(totals["business"] and lines and lines[0]["penalty"] is not None),
            "show_note": self.level_id.tone != "formal",
            "formal": self.level_id.tone == "formal",
            "tone": self.level_id.tone,
            "letter": doc.letter,
            "statement": self.with_statement and not doc.letter,
            "deadline": doc["deadline"],
            "date": format_date(self.env, self.date, lang_code=lang),
        }
        if part in ("sections", "closing", "payment"):
            values["sections"] = doc["stages"]
        if part == "claim":
            values.update(rates=self._relance_rates(lang), rate_kind=self.company_id.relance_penalty_rate_type)
        return qweb._render(f"odoo_relance_fr.relance_mail_{part}", values)

    def _relance_link(self):
        """The customer's personal link this reminder or statement carries (its page), in the customer's
        language; a reminder made before links existed gets its customer's link of the day."""
        self.ensure_one()
        access = self.access_id
        if not access:
            access = (
                self.env["relance.access"]
                .with_company(self.company_id)
                ._relance_links(self.partner_id, self.date)[self.partner_id.commercial_partner_id.id]
            )
            self._relance_record({"access_id": access.id})
        return access._relance_link_values(self.partner_id.lang or self.env.lang)

    def _relance_stages(self, lines):
        """The reminder's invoices by stage, the most advanced first, each with its totals: each presented for
        what it is."""
        return [dict(stage, totals=self._relance_sum(stage["lines"])) for stage in self._relance_by_stage(lines)]

    @api.model
    def _relance_by_stage(self, lines):
        """These invoice lines grouped by their stage (tone), the most advanced first."""
        stages = []
        for tone in ("formal", "final", "firm", "courteous", "pre_due"):
            own = [line for line in lines if line["tone"] == tone]
            if own:
                stages.append({"tone": tone, "label": own[0]["level"], "lines": own})
        return stages

    def _relance_totals(self, lines):
        """Total still due and total penalties of the reminder, formatted."""
        lang = self.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        totals = self._relance_sum(lines)
        # a formal notice claims the penalties and indemnities with the principal: that is what it asks to pay
        to_pay = totals["claimed_amount"] if self.level_id.tone == "formal" else totals["residual_amount"]
        currency = self.move_ids.currency_id[:1] or self.company_id.currency_id
        return dict(
            totals,
            to_pay_amount=to_pay,
            to_pay=format_amount(env, to_pay, currency, lang_code=lang),
            business=self.move_ids[:1]._relance_is_business(),
        )

    def _relance_compute_lines(self):
        """One dict per invoice with the values the reminder shows, formatted for the recipient's language."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        show_penalties = self.company_id.relance_show_penalties and self.level_id.show_penalties
        self.move_ids._relance_ensure_access_tokens()
        reached = self._relance_reached_levels()
        missed = self._relance_missed_promises()
        lines = []
        for move in self.move_ids.with_env(env).sorted("relance_due_date"):
            details = move._relance_penalty_details(self.date) if show_penalties else None
            lines.append(
                {
                    "move": move,
                    "name": move.name,
                    "invoice_date": format_date(env, move.invoice_date, lang_code=lang),
                    "due_date": format_date(env, move.relance_due_date, lang_code=lang),
                    "total": format_amount(env, move.amount_total, move.currency_id, lang_code=lang),
                    "residual": format_amount(env, move.amount_residual, move.currency_id, lang_code=lang),
                    "days_late": max((self.date - move.relance_due_date).days, 0),
                    "reference": move.payment_reference or move.name,
                    "level": reached[move].with_env(env)._relance_customer_label(),
                    "tone": reached[move].tone,
                    "url": move.get_base_url() + move.get_portal_url(),
                    "penalty": details and format_amount(env, details["penalty"], move.currency_id, lang_code=lang),
                    "indemnity": details and format_amount(env, details["indemnity"], move.currency_id, lang_code=lang),
                    "penalty_amount": details and details["penalty"],
                    "indemnity_amount": details and details["indemnity"],
                    "promise_missed": move in missed and format_date(env, move.relance_promise_date, lang_code=lang),
                }
            )
        return lines

    def _relance_missed_promises(self):
        """The invoices of this reminder whose customer announced a payment date (on its page or on the phone)
        that passed without the payment, since their previous reminder: the reminder says so, once."""
        self.ensure_one()
        previous = self.move_previous if isinstance(self.move_previous, dict) else {}
        missed = self.env["account.move"]
        for move in self.move_ids:
            promise = move.relance_promise_date
            if not promise or promise >= self.date:
                continue
            before = previous.get(str(move.id), [False, move.relance_last_date])[1]
            last = fields.Date.to_date(before) if before else False
            if not last or promise >= last:
                missed |= move
        return missed

    def _relance_sum(self, lines):
        """Principal still due, penalties, indemnities and their total over these lines, raw and formatted."""
        lang = self.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        currency = self.move_ids.currency_id[:1] or self.company_id.currency_id
        amounts = {
            "residual": sum(line["move"].amount_residual for line in lines),
            "penalties": sum(line["penalty_amount"] or 0.0 for line in lines),
            "indemnities": sum(line["indemnity_amount"] or 0.0 for line in lines),
        }
        amounts["claimed"] = currency.round(sum(amounts.values()))
        return {
            **{f"{key}_amount": amount for key, amount in amounts.items()},
            **{key: format_amount(env, amount, currency, lang_code=lang) for key, amount in amounts.items()},
        }

    def _relance_deadline(self):
        """The payment deadline the texts give (Settings), in the customer's language: « 8 jours »."""
        self.ensure_one()
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        days = self.company_id.relance_med_deadline
        return env._("%(days)s day", days=days) if days == 1 else env._("%(days)s days", days=days)

    def _relance_email_subject(self):
        """Email subject: the company, the stage and the invoices."""
        self.ensure_one()
        return f"{self.company_id.name} – {self._relance_subject()}"

    def _relance_subject(self):
        """The stage and the invoices: « Dernière relance avant mise en demeure – 3 factures impayées »."""
        self.ensure_one()
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        tone = self.level_id.tone
        stage = {
            "pre_due": env._("Upcoming due date"),
            "final": env._("Last reminder before formal notice"),
            "formal": env._("FORMAL NOTICE"),
        }.get(tone) or self.level_id.with_env(env)._relance_customer_label()
        sections = self._relance_subject_stages(env) if len(self.move_ids) > 1 else []
        # invoices not yet due joining a reminder are no unpaid invoices: named apart, after the others
        soon = sum(len(s["lines"]) for s in sections if s["tone"] == "pre_due") if tone != "pre_due" else 0
        if soon:
            sections = [s for s in sections if s["tone"] != "pre_due"]
        subject = self._relance_subject_of(env, tone, stage, sections, len(self.move_ids) - soon)
        if soon == 1:
            return subject + env._(", and 1 invoice not yet due")
        if soon:
            return subject + env._(", and %(count)s invoices not yet due", count=soon)
        return subject

    def _relance_subject_stages(self, env):
        """The stages of _relance_stages with only what a subject names (no amounts: the subject is rendered
        apart from the body, and needs no penalty computed)."""
        reached = self._relance_reached_levels()
        lines = [
            {
                "name": move.name,
                "tone": reached[move].tone,
                "level": reached[move].with_env(env)._relance_customer_label(),
            }
            for move in self.move_ids.sorted("relance_due_date")
        ]
        return self._relance_by_stage(lines)

    def _relance_subject_of(self, env, tone, stage, sections, count):
        """The subject for count invoices at these stages (the first of them, when there is one)."""
        if len(sections) > 1:
            # invoices at several stages: the subject names the most advanced for the invoices it concerns
            most = len(sections[0]["lines"])
            return (
                env._(
                    "%(count)s unpaid invoices, %(most)s of them under last reminder before formal notice",
                    count=count,
                    most=most,
                )
                if tone == "final"
                else env._(
                    "%(count)s unpaid invoices, %(most)s of them at %(stage)s",
                    count=count,
                    most=most,
                    stage=sections[0]["label"],
                )
            )
        name = sections[0]["lines"][0]["name"] if sections else self.move_ids[:1].name
        if tone == "pre_due":
            what = env._("invoice %(name)s", name=name) if count == 1 else env._("%(count)s invoices", count=count)
        else:
            what = (
                env._("unpaid invoice %(name)s", name=name)
                if count == 1
                else env._("%(count)s unpaid invoices", count=count)
            )
        return f"{stage} – {what}"

    def _relance_rates(self, lang):
        """The annual penalty rates applied to the reminder's invoices, formatted: « 12,15 % », « 12.15% »."""
        env = self.with_context(lang=lang).env
        rates = sorted({rate for move in self.move_ids for rate in move._relance_penalty_details(self.date)["rates"]})
        percent = "\u00a0%" if lang.startswith("fr") else "%"
        return " / ".join(formatLang(env, rate) + percent for rate in rates)

    def _relance_history(self):
        """The earlier reminders sent for these invoices, oldest first."""
        self.ensure_one()
        return self.search(
            [
                ("kind", "=", "reminder"),
                ("move_ids", "in", self.move_ids.ids),
                ("id", "!=", self.id),
                ("date", "<", self.date),
                ("state", "in", ("sent", "to_print", "printed", "done")),
            ],
            order="date, id",
        )

    def _relance_bank(self):
        """The company's bank account shown for the transfer: IBAN and BIC."""
        self.ensure_one()
        bank = self.move_ids.partner_bank_id[:1] or self.company_id.partner_id.bank_ids[:1]
        return {"iban": bank.acc_number or "", "bic": bank.bank_bic or ""}

    def _relance_sender(self):
        """The person who signs the reminder."""
        self.ensure_one()
        user = self.company_id._relance_sender_user()
        company = self.company_id
        return {
            "name": user.name if company.relance_sender == "user" else company.name,
            "email": (user.email if company.relance_sender == "user" else company.email) or company.email or "",
            "phone": (user.phone if company.relance_sender == "user" else company.phone) or company.phone or "",
            "company": company.name,
        }

    def _relance_email_from(self):
        """Sender address of the reminder emails."""
        self.ensure_one()
        company = self.company_id
        if company.relance_sender == "user" and company.relance_sender_user_id.email:
            return company.relance_sender_user_id.email_formatted
        return company.email_formatted or self.env.user.email_formatted


class Document(dict):
    """The pieces of one reminder's email or letter, each made on first use and kept for the rest of that
    rendering: the invoices' values are computed once per document, not once per piece."""

    def __init__(self, log, letter=False):
        super().__init__()
        self.log = log
        self.letter = letter

    def __missing__(self, key):
        self[key] = value = self.log._relance_piece(key, self)
        return value
