from odoo import api, fields, models


class ReportRelanceStatement(models.AbstractModel):
    """What a statement of account prints for each customer, at the date in context (relance_date, as the
    penalties to date are computed), else today."""

    _name = "report.odoo_relance_fr.report_relance_statement"
    _description = "Statement of account"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        date = fields.Date.to_date(self.env.context.get("relance_date")) or fields.Date.context_today(self)
        sections = partners._relance_statements(date, self.env.company)  # all the customers' items read at once
        links = self.env["relance.access"]._relance_links(partners, date)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "statements": {
                partner.id: partner._relance_statement_values(
                    date, sections[partner.id], links[partner.commercial_partner_id.id]
                )
                for partner in partners
            },
        }
