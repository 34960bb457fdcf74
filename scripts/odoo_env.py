"""The one way the scripts, benchmarks and drills open Odoo on a database.

    from odoo_env import open_env
    with open_env("relance_demo", {"lang": "fr_FR"}) as env:
        ...

Scripts outside scripts/ put this folder on sys.path first (see bench/bench.py).
"""

import contextlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def use_setup_wkhtmltopdf():
    """Put the wkhtmltopdf that `./relance.sh setup` installed (patched Qt) first on PATH, as relance.sh does:
    the scripts then render the same PDFs when run on their own."""
    cache = Path(
        os.environ.get("RELANCE_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "odoo_relance_fr"
    )
    folder = cache / "wkhtmltox" / "bin"
    if (folder / "wkhtmltopdf").exists() and str(folder) not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([str(folder), os.environ.get("PATH", "")])


use_setup_wkhtmltopdf()


def registry(db_name, addons_path=ROOT, log_level="warn"):
    """Odoo configured for this checkout's addons, and the registry of db_name."""
    import odoo

    odoo.tools.config.parse_config([f"--addons-path={addons_path}", f"--log-level={log_level}"])
    return odoo.modules.registry.Registry(db_name)


@contextlib.contextmanager
def open_env(db_name, context=None, addons_path=ROOT, log_level="warn"):
    """A superuser environment on db_name; its cursor commits when the block ends without error."""
    import odoo

    with registry(db_name, addons_path, log_level).cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(context or {}))


def as_scheduler(env, cron_xmlid):
    """env as Odoo's scheduler runs a job: with a progress record of the job in its context, so that the
    job commits its batches and reports its progress."""
    _cron, progress = env.ref(f"odoo_relance_fr.{cron_xmlid}")._add_progress()
    return env(context=dict(env.context, ir_cron_progress_id=progress.id))
