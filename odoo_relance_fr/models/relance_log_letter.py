from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import pdf
from odoo.tools.misc import format_date


class RelanceLog(models.Model):
    _inherit = "relance.log"

    def action_relance_print_letters(self):
        """Print the letters waiting (these, or all of the user's companies) as ONE PDF, formal notices first
        (they leave by registered mail), then by customer; mark them printed."""
        logs = (
            self.filtered(lambda log: log.state == "to_print")
            if self
            else self.search(
                [("state", "=", "to_print"), ("company_id", "in", self.env.companies.ids)], order="partner_id, id"
            )
        )
        if not logs:
            raise UserError(self.env._("No letter is waiting to be printed."))
        logs = logs._relance_print_order()
        runs = logs._relance_store_letters()
        merged = self.env["ir.attachment"].create(
            {
                "name": self.env._(
                    "Reminder letters %(date)s.pdf", date=fields.Date.to_string(fields.Date.context_today(self))
                ),
                "raw": logs._relance_merged_letters(runs),
                "mimetype": "application/pdf",
                "res_model": "relance.log",
            }
        )
        logs._relance_record({"state": "printed"})
        return {"type": "ir.actions.act_url", "url": f"/web/content/{merged.id}?download=true", "target": "self"}

    def _relance_print_order(self):
        """These letters as they are printed together: formal notices first (they leave by registered mail),
        each kind in the order given. Letters of one report are rendered together in this order too."""
        return self.sorted(lambda log: log.level_id.tone != "formal")

    def _relance_merged_letters(self, runs):
        """One PDF of these letters, in this order: where letters follow each other as one wkhtmltopdf run
        printed them (runs, see _relance_store_letters), the run's PDF as it came; any other letter, its own
        file. A morning's letters rendered in one run are that run's PDF, not split then merged again."""
        by_first = {run_ids[0]: (run_ids, whole) for run_ids, whole in runs}
        pieces, position = [], 0
        while position < len(self):
            run_ids, whole = by_first.get(self[position].id, ([], None))
            if run_ids and self[position : position + len(run_ids)].ids == run_ids:
                pieces.append(whole)
                position += len(run_ids)
            else:
                pieces.append(self[position].letter_attachment_id.raw)
                position += 1
        return pieces[0] if len(pieces) == 1 else pdf.merge_pdf(pieces)

    def action_relance_reprint(self):
        """Print this reminder's letter again, exactly as it was first printed."""
        self.ensure_one()
        self._relance_store_letters()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.letter_attachment_id.id}?download=true",
            "target": "self",
        }

    def _relance_letter_report(self):
        """The letter of this reminder: the level's own, else the formal notice or the reminder letter."""
        self.ensure_one()
        if self.level_id.report_id:
            return self.level_id.report_id
        xmlid = (
            "odoo_relance_fr.action_report_relance_mise_en_demeure"
            if self.level_id.tone == "formal"
            else "odoo_relance_fr.action_report_relance_letter"
        )
        # Odoo's cache of xml ids: no query for each letter
        return self.env["ir.actions.report"].browse(self.env["ir.model.data"]._xmlid_to_res_id(xmlid))

    def _relance_check_printable(self):
        """A letter goes only to a customer with a postal address, for invoices still unpaid and still to remind: not
        one the customer disputes, or announced to pay on a date not yet passed, since the letter was planned."""
        today = fields.Date.context_today(self)
        for log in self:
            paid = log.move_ids.filtered(lambda move: move.payment_state in ("paid", "in_payment", "reversed"))
            if paid:
                raise UserError(
                    self.env._(
                        "The letter to %(customer)s concerns invoices already paid (%(invoices)s): "
                        "cancel this reminder instead of printing it.",
                        customer=log.partner_id.name,
                        invoices=", ".join(paid.mapped("name")),
                    )
                )
            held = log.move_ids.filtered(
                lambda move: move.relance_dispute or (move.relance_promise_date and move.relance_promise_date >= today)
            )
            if held:
                raise UserError(
                    self.env._(
                        "The letter to %(customer)s concerns invoices in dispute or with a payment date announced "
                        "since (%(invoices)s): cancel this reminder instead of printing it.",
                        customer=log.partner_id.name,
                        invoices=", ".join(held.mapped("name")),
                    )
                )
            if not (log.partner_id.street and log.partner_id.city):
                raise UserError(
                    self.env._(
                        "Customer %(customer)s has no postal address (street and city): complete it before "
                        "printing the letter.",
                        customer=log.partner_id.name,
                    )
                )

    def _relance_store_letters(self, batch_size=500):
        """Render the missing letters, one wkhtmltopdf run per report and batch_size letters, and keep
        each PDF on its reminder. A run costs about two seconds whatever its size (the engine started, the
        report's styles loaded, the print delay): a morning's letters are one run; a letter that fails costs
        a few more runs (see ir.actions.report._relance_render_chunk). Returns each run's letters and whole
        PDF, [(ids, bytes)], for _relance_merged_letters."""
        # a letter whose file is gone from the filestore is rendered again rather than printed empty
        todo = self.filtered(lambda log: (log.letter_attachment_id.raw or b"")[:5] != b"%PDF-")
        todo._relance_check_printable()
        # what each letter's invoice table reads, read once for all: portal links and payments (penalties)
        moves = todo.move_ids
        moves._relance_ensure_access_tokens()
        moves.mapped("access_token")
        moves._relance_read_payments()
        by_report = {}
        for log in todo:
            report = log._relance_letter_report()
            by_report[report] = by_report.get(report, self.browse()) | log
        runs = []
        for report, logs in by_report.items():
            letters = self.env["ir.actions.report"]._relance_store_each(
                report, logs, lambda log: log._relance_letter_filename(), batch_size, runs
            )
            failed = logs - self.browse().union(*letters)
            if failed:
                raise UserError(
                    self.env._(
                        "The letter to %(customers)s could not be rendered: try again; if it fails again, the "
                        "server log gives the reason.",
                        customers=", ".join(failed.partner_id.mapped("name")),
                    )
                )
            for log, attachment in letters.items():
                log._relance_record({"letter_attachment_id": attachment.id})
        return runs

    def _relance_letter_filename(self):
        self.ensure_one()
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env  # the customer's language
        kind = env._("Formal notice") if self.level_id.tone == "formal" else env._("Reminder")
        return f"{kind} - {self.partner_id.name} - {fields.Date.to_string(self.date)}.pdf"

    def _relance_letter_values(self, doc):
        """Everything the letters print besides the invoice table, formatted for the customer."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        env = self.with_context(lang=lang).env
        company = self.company_id
        history = self._relance_history()
        references = ", ".join(line["reference"] for line in doc["lines"])
        totals = doc["totals"]
        return dict(
            company._relance_letter_values(lang, self.date),
            deadline=doc["deadline"],
            link=doc["link"],
            subject=self._relance_subject(),
            history=history,
            history_dates=company._relance_join([format_date(env, log.date, lang_code=lang) for log in history], env),
            qr_amount=totals["to_pay"],
            qr=company._relance_qr_code(
                totals["to_pay_amount"],
                self.move_ids.currency_id,
                references,
                self.partner_id,
                self.move_ids.partner_bank_id[:1],
            ),
        )

    def _relance_is_letter_copy(self):
        """The formal notice's email is a copy of its registered letter (sent with it)."""
        self.ensure_one()
        return self.level_id.tone == "formal" and self.channel in ("letter", "email_letter")
