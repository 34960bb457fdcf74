"""Run the day's scheduled reminders on a database, then write every queued email to read it.

Usage: python scripts/render_mails.py DBNAME OUTDIR [--validate] [--statements] [--days N] [--png]

Runs the daily ladder cron to completion (with --validate, then validates the reminders it left
waiting for a person, as the formal notice; with --statements, runs the statement cron as if today
were statement day), commits; with --days N, does the same on each of the N following days (the
ladder every day, the statements on the company's statement day), as time passes. Then writes each
email queued by the addon to OUTDIR as NNN-<customer>.html (subject, recipient, attachments, body)
and, with --png, as a PNG screenshot taken by headless Chromium, to be looked at, with every PDF it
carries (formal notice letter, statement, invoices) as NNN-<customer>-K.pdf and one PNG per page;
the letters waiting to be printed are written too, as letter-<customer>-<id>.pdf and PNG pages.
Prints one line per email. Run it on a copy of the demo database: it sends (queues) what is due today.
"""

import argparse
import re
import shutil
import subprocess
import sys
from html import escape
from pathlib import Path

from freezegun import freeze_time
from odoo_env import open_env

from odoo import fields

ROOT = Path(__file__).resolve().parent.parent


def run_crons(env, validate, statements, today=None):
    """The ladder (and the statements) to completion, batch after batch, as the scheduler does."""
    Log = env["relance.log"]
    company = env.company
    today = today or fields.Date.context_today(Log)
    Move = env["account.move"]
    for _batch in range(1000):
        if not Move.search_count(Move._relance_due_domain(company, today), limit=1):
            break
        Log._cron_relance_ladder()
        env.cr.commit()
    if validate:
        Log.search([("state", "=", "planned"), ("channel", "!=", "phone")]).action_relance_validate()
        env.cr.commit()
    if statements is True:
        company.relance_statement_day = (
            "last" if (today + fields.date.resolution).month != today.month else str(today.day)
        )
    if statements:
        for _batch in range(1000):
            if not env["relance.statement"].with_company(company)._relance_statement_partners(today):
                break
            Log._cron_relance_statement()
            env.cr.commit()


def write_mails(env, outdir, png):
    mails = env["mail.mail"].search(
        [("model", "=", "relance.log"), ("mail_message_id.message_type", "!=", "user_notification")], order="id"
    )  # the emails to customers, not the notices of activities assigned to staff
    outdir.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    for number, mail in enumerate(mails, start=1):
        log = env["relance.log"].browse(mail.res_id)
        slug = re.sub(r"[^a-z0-9]+", "-", log.partner_id.name.lower()).strip("-")
        path = outdir / f"{number:03d}-{slug}.html"
        head = (
            f"<p style='font: 12px monospace; background: #eee; padding: 6px'>"
            f"<b>{escape(mail.subject or '')}</b><br/>To: {escape(', '.join(mail.recipient_ids.mapped('email')))}"
            f"<br/>From: {escape(mail.email_from or '')}<br/>Attachments: "
            f"{escape(', '.join(mail.attachment_ids.mapped('name')))}</p>"
        )
        path.write_text(f"<html><head><meta charset='utf-8'/></head><body>{head}{mail.body_html}</body></html>")
        if png and chromium:
            subprocess.run(
                [
                    chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--hide-scrollbars",
                    "--disable-background-networking",
                    "--no-first-run",
                    "--window-size=900,1400",
                    f"--screenshot={path.with_suffix('.png')}",
                    path.as_uri(),
                ],
                check=True,
                capture_output=True,
            )
        if png:
            for k, attachment in enumerate(mail.attachment_ids.filtered(lambda a: a.mimetype == "application/pdf"), 1):
                write_pdf(outdir / f"{number:03d}-{slug}-{k}.pdf", attachment.raw)
        kind = log.level_id.name if log.kind == "reminder" else "Statement"
        print(f"{number:03d} {kind:<28} {log.partner_id.name:<30} {mail.subject}")
    return mails


def write_pdf(path, raw):
    """The PDF and a PNG of each of its pages (pdftoppm), to be looked at."""
    path.write_bytes(raw)
    subprocess.run(["pdftoppm", "-r", "80", "-png", path, path.with_suffix("")], check=True, capture_output=True)


def write_letters(env, outdir):
    logs = env["relance.log"].search([("state", "=", "to_print")], order="id")
    logs._relance_store_letters()
    for log in logs:
        slug = re.sub(r"[^a-z0-9]+", "-", log.partner_id.name.lower()).strip("-")
        write_pdf(outdir / f"letter-{slug}-{log.id}.pdf", log.letter_attachment_id.raw)
        print(f"letter {log.level_id.name:<25} {log.partner_id.name:<30} {len(log.move_ids)} invoice(s)")
    env.cr.commit()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--validate", action="store_true")
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--days", type=int, default=0)
    parser.add_argument("--png", action="store_true")
    args = parser.parse_args()
    with open_env(args.db, {"lang": "fr_FR"}) as env:
        run_crons(env, args.validate, args.statements)
        start = fields.Date.context_today(env["res.users"])
        for offset in range(1, args.days + 1):
            day = fields.Date.add(start, days=offset)
            with freeze_time(day):
                env.invalidate_all()
                run_crons(env, args.validate, env.company._relance_is_statement_day(day) and "due", day)
        mails = write_mails(env, args.outdir, args.png)
        if args.png:
            write_letters(env, args.outdir)
    print(f"{len(mails)} emails written to {args.outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
