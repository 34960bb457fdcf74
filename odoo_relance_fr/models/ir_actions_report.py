import logging
import secrets

from odoo import api, models

_logger = logging.getLogger(__name__)


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _run_wkhtmltopdf(self, bodies, *args, **kwargs):
        """Odoo's run; for a caller that names it (relance_run_key in the context, see _relance_try_render),
        the run's whole PDF is also kept on the cursor, before Odoo splits it per record."""
        content = super()._run_wkhtmltopdf(bodies, *args, **kwargs)
        key = self.env.context.get("relance_run_key")
        if key:
            self.env.cr.cache.setdefault("relance_runs", {})[key] = content
        return content

    def _relance_render_each(self, report, res_ids, batch_size=50, runs=None):
        """PDF of each record, rendered batch_size records per wkhtmltopdf run and split per record:
        {res_id: bytes}, see _relance_render_chunk; a record that fails even alone is left out (the caller
        says so) and the reason logged. runs, a list when given, receives (res_ids, whole PDF) for each
        run that rendered all its records, in the order of res_ids: a document printing them all together
        takes those runs as they are instead of merging each record's PDF again."""
        pdfs = {}
        for start in range(0, len(res_ids), batch_size):
            pdfs.update(self._relance_render_chunk(report, list(res_ids[start : start + batch_size]), runs))
        return pdfs

    def _relance_render_chunk(self, report, chunk, runs=None):
        """One wkhtmltopdf run for chunk, split per record: {res_id: bytes}. A run that fails is done again in
        two halves, and so on: one record that cannot be rendered costs a few runs, not one per record of a
        large chunk. Output that cannot be split (an engine without patched Qt) is done again one record per
        run."""
        streams, whole = self._relance_try_render(report, chunk)
        if set(streams) != set(chunk) and len(chunk) > 1:
            half = len(chunk) // 2
            parts = [[res_id] for res_id in chunk] if streams else [chunk[:half], chunk[half:]]
            pdfs = {}
            for part in parts:
                pdfs.update(self._relance_render_chunk(report, part, runs))
            return pdfs
        if whole and runs is not None:
            runs.append((chunk, whole))
        return {res_id: streams[res_id]["stream"].getvalue() for res_id in chunk if res_id in streams}

    def _relance_store_each(self, report, records, filename, batch_size=50, runs=None, **vals):
        """Render each record's PDF (see _relance_render_each, and its runs) and keep it as an attachment of
        the record: {record: attachment} for those rendered. filename(record) names each file."""
        pdfs = self._relance_render_each(report, records.ids, batch_size, runs)
        rendered = records.filtered(lambda record: record.id in pdfs)
        attachments = self.env["ir.attachment"].create(
            [
                dict(
                    vals,
                    name=filename(record),
                    raw=pdfs[record.id],
                    res_model=record._name,
                    res_id=record.id,
                    mimetype="application/pdf",
                )
                for record in rendered
            ]
        )
        return dict(zip(rendered, attachments, strict=True))

    def _relance_try_render(self, report, res_ids):
        """One wkhtmltopdf run for these records: (Odoo's streams per record, the run's whole PDF), or
        ({}, None) if it fails (nothing it wrote is kept). The whole PDF is None unless the run printed
        every one of these records (a report may take some from their stored file instead)."""
        key = secrets.token_hex(8)  # this run's own: Odoo shares one environment between equal contexts
        try:
            with self.env.cr.savepoint():
                streams = self.with_context(relance_run_key=key)._render_qweb_pdf_prepare_streams(
                    report, {}, res_ids=res_ids
                )
        except Exception:
            _logger.warning(
                "Report %s could not be rendered for records %s", report.report_name, res_ids, exc_info=True
            )
            return {}, None
        finally:
            whole = self.env.cr.cache.get("relance_runs", {}).pop(key, None)
        if self._get_report(report).attachment_use and any(data["attachment"] for data in streams.values()):
            whole = None
        return streams, whole
