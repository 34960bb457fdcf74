"""Drill: two cron workers run the ladder at the same time on the same customers.

Usage: python bench/drill_parallel.py TEMPLATE_DB [--workers 2]
Copies TEMPLATE_DB (built by bench.py), starts the workers as separate processes, each
running the ladder cron to completion and committing after each customer like the scheduler,
then checks that every reminder due exists exactly once: no invoice reminded twice the same day,
none left due, and every reminded invoice linked to exactly one reminder with its email.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from odoo_env import as_scheduler, open_env


def worker(db_name):
    import odoo

    with open_env(db_name, {"lang": "fr_FR"}, log_level="error") as env:
        cr = env.cr
        env = as_scheduler(env, "ir_cron_relance_ladder")  # commits its batches, as under the scheduler
        Move = env["account.move"]
        company = env.ref("base.main_company")
        today = odoo.fields.Date.context_today(Move)
        for _ in range(10000):
            cr.commit()  # a fresh snapshot, as the scheduler gives each batch
            if not Move._read_group(Move._relance_due_domain(company, today), ["commercial_partner_id"], limit=1):
                break
            env["relance.log"]._cron_relance_ladder(batch_size=10)
            cr.commit()


def check(db_name):
    import odoo

    with open_env(db_name, log_level="error") as env:
        cr = env.cr
        cr.execute("""
            SELECT rel.move_id, count(*) FROM relance_log log
              JOIN relance_log_account_move_rel rel ON rel.log_id = log.id
             WHERE log.state IN ('sent', 'to_print', 'planned') AND log.date = CURRENT_DATE
          GROUP BY rel.move_id HAVING count(*) > 1
        """)
        duplicates = cr.fetchall()
        Move = env["account.move"]
        today = odoo.fields.Date.context_today(Move)
        left = Move.search_count(Move._relance_due_domain(env.ref("base.main_company"), today))
        cr.execute("SELECT count(*) FROM relance_log WHERE date = CURRENT_DATE AND state = 'failed'")
        failed = cr.fetchone()[0]
        cr.execute("""SELECT count(*) FROM relance_log WHERE date = CURRENT_DATE AND state IN ('sent', 'to_print')
                      AND mail_mail_id IS NULL""")
        without_mail = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM relance_log WHERE date = CURRENT_DATE")
        logs = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM mail_mail mm JOIN mail_message msg ON msg.id = mm.mail_message_id"
            " WHERE msg.model = 'relance.log'"
        )
        mails = cr.fetchone()[0]
    odoo.sql_db.close_db(db_name)
    return {
        "logs": logs,
        "mails": mails,
        "duplicates": len(duplicates),
        "left_due": left,
        "failed": failed,
        "sent_without_mail": without_mail,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("template")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    copy = f"{args.template}_drill"
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench import copy_db, drop_db, update_template

    update_template(args.template)
    copy_db(args.template, copy)
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, __file__, "--worker", copy]) for _ in range(args.workers)]
    codes = [proc.wait() for proc in procs]
    wall = time.perf_counter() - start
    result = check(copy)
    drop_db(copy)
    print(f"{args.workers} workers, exit codes {codes}, {wall:.1f} s")
    for key, value in result.items():
        print(f"  {key:<18} {value}")
    ok = (
        not any(codes)
        and result["duplicates"] == 0
        and result["left_due"] == 0
        and result["sent_without_mail"] == 0
        and result["logs"] == result["mails"] + result["failed"]
    )
    print("OK: every due reminder exists exactly once" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
    else:
        main()
