from odoo import models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    """The invoice PDFs a reminder email attaches: Odoo's own when the invoice was sent, else rendered in
    batches and kept."""

    _inherit = "account.move"

    def _relance_invoice_pdfs(self, batch_size=50, known=None):
        """PDF of each invoice: the one Odoo stored when it was sent, else rendered in batches and kept;
        known: {invoice id: attachment id} already found for a batch of reminders."""
        known = known or {}
        Attachment = self.env["ir.attachment"].with_prefetch(tuple(known.values()))  # read for the batch at once
        pdfs = {move: Attachment.browse(known[move.id]) for move in self if move.id in known}
        stored = self.browse(set(self.ids) - set(known))._relance_stored_pdfs()
        pdfs.update({move: stored[move.id] for move in self if move.id in stored})
        missing = self.filtered(lambda move: move not in pdfs)
        pdfs.update(missing._relance_render_pdfs(batch_size))
        failed = missing.filtered(lambda move: move not in pdfs)
        if failed:
            raise UserError(
                self.env._(
                    "The PDF of invoice %(invoice)s could not be rendered.", invoice=", ".join(failed.mapped("name"))
                )
            )
        return {move: pdfs[move] for move in self}

    def _relance_stored_pdfs(self):
        """{invoice id: its stored PDF} for those of these invoices that have one (Odoo's, else ours).

        A stored PDF whose file is gone from the filestore (a database restored without it) or is not
        a PDF is passed over: the invoice is then rendered again rather than sent with an empty file."""
        stored = (
            self.env["ir.attachment"].search(
                [
                    ("res_model", "=", "account.move"),
                    ("res_id", "in", self.ids),
                    ("file_size", ">", 0),
                    "|",
                    ("res_field", "=", "invoice_pdf_report_file"),
                    "&",
                    ("res_field", "=", False),
                    ("description", "=", "odoo_relance_fr:invoice_pdf"),
                ],
                order="res_field desc nulls last, id",
            )
            if self
            else self.env["ir.attachment"]
        )
        by_move = {}
        for att in stored:
            if att.res_id not in by_move and (att.raw or b"")[:5] == b"%PDF-":
                by_move[att.res_id] = att
        return by_move

    def _relance_render_pdfs(self, batch_size=50):
        """Render these invoices, batch_size per wkhtmltopdf run, and store each PDF: {invoice: attachment}
        for those rendered (a failure is logged, its invoice left out)."""
        if not self:
            return {}
        return self.env["ir.actions.report"]._relance_store_each(
            self.env.ref("account.account_invoices"),
            self,
            lambda move: move._get_invoice_report_filename(),
            batch_size,
            description="odoo_relance_fr:invoice_pdf",
        )
