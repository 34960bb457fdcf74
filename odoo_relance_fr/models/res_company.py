from odoo import api, fields, models

DEFAULT_LEVEL_XMLIDS = (
    "odoo_relance_fr.relance_level_pre_due",
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
