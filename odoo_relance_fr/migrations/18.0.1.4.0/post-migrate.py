"""18.0.1.4.0: the reminder mail templates, in every language, call what this release gives them."""

from odoo.addons.odoo_relance_fr import upgrade_steps


def migrate(cr, version):
    upgrade_steps.rename_template_calls(cr)
