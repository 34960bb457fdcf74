"""18.0.1.4.0: the reminder mail templates, in every language, call what this release gives them."""

from odoo.addons.odoo_relance_fr import upgrades


def migrate(cr, version):
    upgrades.rename_template_calls(cr)
