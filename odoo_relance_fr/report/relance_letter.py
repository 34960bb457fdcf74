from odoo import api, models


class ReportRelanceLetter(models.AbstractModel):
    """What a reminder letter prints: each reminder's pieces, made once per letter (see relance.log's
    _relance_document)."""

    _name = "report.odoo_relance_fr.report_relance_letter"
    _description = "Reminder letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        logs = self.env["relance.log"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "relance.log",
            "docs": logs,
            "letters": {log.id: log._relance_document(letter=True) for log in logs},
        }


class ReportRelanceMiseEnDemeure(models.AbstractModel):
    """The formal notice's registered letter: the same pieces as a reminder letter."""

    _name = "report.odoo_relance_fr.report_relance_mise_en_demeure"
    _inherit = ["report.odoo_relance_fr.report_relance_letter"]
    _description = "Formal notice letter"
