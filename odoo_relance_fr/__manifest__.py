{
    "name": "Relances clients (France)",
    "summary": "Relances clients à la française : avis avant échéance, "
    "relances graduées, mise en demeure, pénalités de retard",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "odoo_relance_fr developers",
    "depends": ["account", "mail", "portal"],
    "data": [
        "security/relance_security.xml",
        "security/ir.model.access.csv",
        "data/relance_mail_parts.xml",
        "data/mail_template_data.xml",
        "data/relance_level_data.xml",
        "data/ir_cron_data.xml",
        "data/relance_rate_data.xml",
        "views/relance_rate_views.xml",
        "views/relance_level_views.xml",
        "views/relance_log_views.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "odoo_relance_fr/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "_post_init_hook",
    "installable": True,
    "application": False,
}
