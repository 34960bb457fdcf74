import logging

from odoo import models

_logger = logging.getLogger(__name__)


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _relance_render_each(self, report, res_ids, batch_size=50):
        """PDF of each record, rendered batch_size records per wkhtmltopdf run and split per record:
        {res_id: bytes}, see _relance_render_chunk; a record that fails even alone is left out (the caller
        says so) and the reason logged."""
        pdfs = {}
        for start in range(0, len(res_ids), batch_size):
            pdfs.update(self._relance_render_chunk(report, list(res_ids[start : start + batch_size])))
        return pdfs

    def _relance_render_chunk(self, report, chunk):
        """One wkhtmltopdf run for chunk, split per record: {res_id: bytes}. A run that fails is done again in
        two halves, and so on: one record that cannot be rendered costs a few runs, not one per record of a
        large chunk. Output that cannot be split (an engine without patched Qt) is done again one record per
        run."""
        streams = self._relance_try_render(report, chunk)
        if set(streams) != set(chunk) and len(chunk) > 1:
            if streams:
                streams = {}
                for res_id in chunk:
                    streams.update(self._relance_try_render(report, [res_id]))
            else:
                half = len(chunk) // 2
                return self._relance_render_chunk(report, chunk[:half]) | self._relance_render_chunk(
                    report, chunk[half:]
                )
        return {res_id: streams[res_id]["stream"].getvalue() for res_id in chunk if res_id in streams}

    def _relance_store_each(self, report, records, filename, batch_size=50, **vals):
        """Render each record's PDF (see _relance_render_each) and keep it as an attachment of the
        record: {record: attachment} for those rendered. filename(record) names each file."""
        pdfs = self._relance_render_each(report, records.ids, batch_size)
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
        """One wkhtmltopdf run for these records, {} if it fails (nothing it wrote is kept)."""
        try:
            with self.env.cr.savepoint():
                return self._render_qweb_pdf_prepare_streams(report, {}, res_ids=res_ids)
        except Exception:
            _logger.warning(
                "Report %s could not be rendered for records %s", report.report_name, res_ids, exc_info=True
            )
            return {}
