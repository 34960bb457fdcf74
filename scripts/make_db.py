"""Create an Odoo database the way a French user would: France, EUR, French chart, French admin.

Usage: python make_db.py DBNAME ADDONS_PATH MODULE[,MODULE...]
The database gets country FR (hence EUR and the l10n_fr_account chart on the main
company), the fr_FR language for admin (password admin), and the given modules.
"""

import subprocess
import sys

import odoo
from odoo.service import db as db_service


def main(db_name, addons_path, modules):
    odoo.tools.config.parse_config([f"--addons-path={addons_path}", "--log-level=warn"])
    if db_service.exp_db_exist(db_name):
        sys.exit(f"Database {db_name} already exists: drop it first.")
    db_service.exp_create_database(db_name, False, "fr_FR", "admin", "admin", "FR")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            db_name,
            f"--addons-path={addons_path}",
            "-i",
            modules,
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )
    registry = odoo.modules.registry.Registry.new(db_name)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        installed = env["ir.module.module"].search([("name", "in", modules.split(",")), ("state", "=", "installed")])
        if (
            company.chart_template != "fr"
            or company.currency_id.name != "EUR"
            or len(installed) != len(modules.split(","))
        ):
            sys.exit(
                f"Database {db_name} is not a French company with {modules}: chart "
                f"{company.chart_template}, currency {company.currency_id.name}, installed {installed.mapped('name')}"
            )


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
