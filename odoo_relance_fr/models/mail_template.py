from lxml import html

from odoo import api, models, tools


class MailTemplate(models.Model):
    _inherit = "mail.template"

    @api.model
    def _render_template_qweb(self, template_src, model, res_ids, add_context=None, options=None):
        """Reminder emails are rendered as mail renders any QWeb template, except that the template's
        text is parsed once per process and language: QWeb then compiles it once, instead of once per
        email (the daily ladder renders hundreds of them). Restricted renderings and errors go through
        mail's own path."""
        restricted = not self._unrestricted_rendering and not self.env.is_admin() \
            and not self.env.user.has_group("mail.group_mail_template_editor")
        if model != "relance.log" or restricted or not template_src or not res_ids \
                or not self._has_unsafe_expression_template_qweb(template_src, model):
            return super()._render_template_qweb(template_src, model, res_ids, add_context=add_context, options=options)
        options = options or {}
        IrQweb = self.env["ir.qweb"]
        # the element is cached under the same context keys as QWeb's compilation of it (which alters it)
        context = {**self.env.context, **options}
        element = self._relance_parsed_template(
            template_src, tuple(context.get(key) for key in IrQweb._get_template_cache_keys())
        )
        variables = {**self._render_eval_context(), **(add_context or {})}
        results = {}
        try:
            for record in self.env[model].browse(res_ids):
                variables["object"] = record
                results[record.id] = IrQweb._render(element, variables, **options)[5:-6]  # without the wrapping <div>
        except Exception:  # noqa: BLE001 - mail's own path renders it again and reports the error its way
            return super()._render_template_qweb(template_src, model, res_ids, add_context=add_context, options=options)
        return results

    @tools.ormcache("template_src", "cache_key", cache="templates")
    def _relance_parsed_template(self, template_src, cache_key):
        return html.fragment_fromstring(template_src, create_parent="div")
