"""Separate processes for the safety drills of test_drills.py, on the drill database.

Usage: python drill_worker.py DB ADDONS_PATH setup COUNT     -> customers with overdue invoices (JSON ids)
       python drill_worker.py DB ADDONS_PATH run [--crash-after N]
       python drill_worker.py DB ADDONS_PATH check IDS_JSON  -> what the workers left (JSON)
       python drill_worker.py DB ADDONS_PATH statements      -> the monthly statements, to completion
       python drill_worker.py DB ADDONS_PATH statement-race IDS_JSON
       python drill_worker.py DB ADDONS_PATH check-statements IDS_JSON -> the statements left (JSON)

statements: the statement cron to completion as the scheduler does it, on a statement day (today, or the
28th of this month when today is the 29th or 30th and not the last day).

statement-race: two statement runs a moment apart, as two connections to the database: the first chooses
its customers (its snapshot is taken), the second sends their statements and commits, then the first sends
them (it must find them sent, or skip them).

statement-run-race: the same, the first then running its whole batch as the scheduler does (its customers'
links and statement PDFs read together, its commits' customers locked together): it must skip them, not fail.

run: the daily ladder to completion as the scheduler does it (commit after each customer). With
--crash-after N, the process kills itself (SIGKILL, no cleanup) in the middle of the N-th customer,
after its email is queued and before its reminder is committed.

RELANCE_DRILL_DAY (an ISO date) in the environment: every mode runs on that day (statement-day drills on
the 29th or 30th, which is no statement day, run on the 28th).
"""

import io
import json
import os
import signal
import sys
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import odoo_env
from odoo_env import as_scheduler


def registry_for(db_name, addons_path):
    import odoo

    return odoo, odoo_env.registry(db_name, addons_path, "error")


def blank_pdf():
    from odoo.tools.pdf import PdfFileWriter

    writer = PdfFileWriter()
    writer.addBlankPage(595, 842)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def setup(db_name, addons_path, count, statements=False):
    """count customers, each with two overdue invoices (20 and 45 days late), PDFs stored; committed.
    statements: today is the statement day and the statement run goes alone (no daily ladder, whose
    reminders would carry the statements); statement-day: today is the statement day, with the ladder;
    otherwise today is no statement day."""
    odoo, registry = registry_for(db_name, addons_path)
    from odoo import Command, fields

    tag = uuid.uuid4().hex[:8]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "fr_FR", "tracking_disable": True})
        today = fields.Date.context_today(env["res.users"])
        company = env.ref("base.main_company")
        company.relance_auto_send = statements != "statements"
        day = statement_day()
        if statements:
            company.relance_statement_day = "last" if (day + timedelta(days=1)).month != day.month else str(day.day)
        else:
            company.relance_statement_day = str(today.day % 28 + 1)
        tax = env["account.chart.template"].with_company(company).ref("tva_normale")
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Drill {tag} {i:03d} SARL",
                    "is_company": True,
                    "email": f"drill{i}@{tag}.example",
                    "lang": "fr_FR",
                }
                for i in range(count)
            ]
        )
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": today - timedelta(days=late + 30),
                    "invoice_date_due": today - timedelta(days=late),
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Prestation", "price_unit": 100.0 * (i + 1), "tax_ids": [Command.set(tax.ids)]}
                        )
                    ],
                }
                for i, partner in enumerate(partners)
                for late in (20, 45)
            ]
        )
        moves.action_post()
        for move in moves:  # portal links exist already, as for invoices sent from Odoo or reminded before
            move._portal_ensure_token()
        pdf = blank_pdf()
        env["ir.attachment"].create(
            [
                {
                    "name": f"{move.name.replace('/', '_')}.pdf",
                    "raw": pdf,
                    "res_model": "account.move",
                    "res_id": move.id,
                    "res_field": "invoice_pdf_report_file",
                    "mimetype": "application/pdf",
                }
                for move in moves
            ]
        )
        due = moves.filtered_domain(env["account.move"]._relance_due_domain(company, today))
        print(json.dumps({"partner_ids": partners.ids, "move_ids": moves.ids, "due": len(due)}))


def check(db_name, addons_path, ids):
    """What the workers left for these customers and invoices."""
    odoo, registry = registry_for(db_name, addons_path)
    from odoo import fields

    partner_ids, move_ids = ids["partner_ids"], ids["move_ids"]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "fr_FR"})
        today = fields.Date.context_today(env["res.users"])
        logs = env["relance.log"].search([("partner_id", "in", partner_ids), ("date", "=", today)])
        moves = env["account.move"].browse(move_ids)
        company = env.ref("base.main_company")
        cr.execute(
            """
            SELECT rel.move_id FROM relance_log log JOIN relance_log_account_move_rel rel ON rel.log_id = log.id
             WHERE log.state != 'failed' AND log.kind = 'reminder' AND log.date = %s AND rel.move_id = ANY(%s)
          GROUP BY rel.move_id HAVING count(*) > 1
        """,
            [today, move_ids],
        )
        twice = cr.fetchall()
        mails = env["mail.mail"].search([("model", "=", "relance.log"), ("res_id", "in", logs.ids)])
        per_customer = {}
        for mail in mails:
            per_customer[mail.recipient_ids.id] = per_customer.get(mail.recipient_ids.id, 0) + 1
        level_1 = env.ref("odoo_relance_fr.relance_level_1")
        print(
            json.dumps(
                {
                    "customers reminded": len(logs.filtered(lambda log: log.state == "sent").partner_id),
                    "logs": len(logs),
                    "failed": len(logs.filtered(lambda log: log.state == "failed")),
                    "sent without email": len(logs.filtered(lambda log: log.state == "sent" and not log.mail_mail_id)),
                    "emails": len(mails),
                    "emails per customer": sorted({per_customer.get(partner_id, 0) for partner_id in partner_ids}),
                    "invoices reminded twice": len(twice),
                    "invoices still due": len(
                        moves.filtered_domain(env["account.move"]._relance_due_domain(company, today))
                    ),
                    "invoices at Relance 1": len(
                        moves.filtered(lambda m: m.relance_level_id == level_1 and m.relance_last_date == today)
                    ),
                }
            )
        )


def statement_day():
    """Today if statements can be sent on it, else the 28th of this month."""
    from datetime import date

    today = date.today()
    last_day = (today + timedelta(days=1)).month != today.month
    return today if today.day <= 28 or last_day else today.replace(day=28)


def statements(db_name, addons_path):
    from freezegun import freeze_time

    odoo, registry = registry_for(db_name, addons_path)
    day = statement_day()
    with freeze_time(day), registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "fr_FR"})
        env = as_scheduler(env, "ir_cron_relance_statement")  # commits its batches, as under the scheduler
        company = env.ref("base.main_company")
        Log = env["relance.log"]
        calls = 0
        while calls < 10000:
            cr.commit()  # a fresh snapshot, as the scheduler gives each run of the job
            if not env["relance.statement"].with_company(company)._relance_statement_partners(day):
                break
            Log._cron_relance_statement(batch_size=10)
            cr.commit()
            calls += 1
        print(json.dumps({"calls": calls}))


def statement_race(db_name, addons_path, ids, whole_run=False):
    """The second run sends the chosen customers' statements and commits; then the first, whose snapshot is
    older, sends them one by one (or, whole_run, runs its batch as the scheduler does)."""
    from freezegun import freeze_time

    odoo, registry = registry_for(db_name, addons_path)
    day = statement_day()
    with freeze_time(day), registry.cursor() as first_cr, registry.cursor() as second_cr:
        envs = [odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "fr_FR"}) for cr in (first_cr, second_cr)]
        first, second = (env["relance.statement"].with_company(env.ref("base.main_company")) for env in envs)
        chosen = first._relance_statement_partners(day) & first.env["res.partner"].browse(ids["partner_ids"])
        for partner in second.env["res.partner"].browse(chosen.ids):
            second._relance_send_statement(partner, day)
        second_cr.commit()
        Log = first.env["relance.log"]
        if whole_run:
            before = Log.search([("partner_id", "in", chosen.ids)])
            first._relance_run_monthly()
            sent_again = Log.search([("partner_id", "in", chosen.ids)]) - before
        else:
            sent_again = Log.union(*(first._relance_send_statement(partner, day) for partner in chosen))
        first_cr.commit()
        print(json.dumps({"chosen by the first run": len(chosen), "sent by the first run": len(sent_again)}))


def check_statements(db_name, addons_path, ids):
    """The statements left: for these customers, and per customer for every customer of the day."""
    odoo, registry = registry_for(db_name, addons_path)
    partner_ids = ids["partner_ids"]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "fr_FR"})
        logs = env["relance.log"].search([("kind", "=", "statement"), ("date", "=", statement_day())])
        sent = logs.filtered(lambda log: log.state == "sent")
        per_customer = {}
        for log in sent:
            per_customer[log.partner_id.id] = per_customer.get(log.partner_id.id, 0) + 1
        mails = env["mail.mail"].search([("model", "=", "relance.log"), ("res_id", "in", sent.ids)])
        print(
            json.dumps(
                {
                    "statements": len(sent.filtered(lambda log: log.partner_id.id in partner_ids)),
                    "failed": len(logs) - len(sent),
                    "statements per customer": sorted(set(per_customer.values())),
                    "emails per statement": len(mails) / max(len(sent), 1),
                }
            )
        )


def run(db_name, addons_path, crash_after=None):
    odoo, registry = registry_for(db_name, addons_path)
    if crash_after:
        RelanceLog = registry["relance.log"]
        mark_moves = RelanceLog._relance_mark_moves
        calls = []

        def mark_moves_then_crash(self, moves_levels, *args, **kwargs):
            calls.append(1)
            if len(calls) == crash_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return mark_moves(self, moves_levels, *args, **kwargs)

        RelanceLog._relance_mark_moves = mark_moves_then_crash
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "fr_FR"})
        env = as_scheduler(env, "ir_cron_relance_ladder")  # commits its batches, as under the scheduler
        Move = env["account.move"]
        today = odoo.fields.Date.context_today(Move)
        companies = env["res.company"].search([("relance_auto_send", "=", True)])
        for _ in range(10000):
            cr.commit()  # a fresh snapshot, as the scheduler gives each run of the job
            if not any(
                Move._read_group(Move._relance_due_domain(company, today), ["commercial_partner_id"], limit=1)
                for company in companies
            ):
                break
            env["relance.log"]._cron_relance_ladder(batch_size=10)
            cr.commit()


def main(db, addons, mode, *args):
    rest = list(args)
    if mode == "setup":
        setup(db, addons, int(rest[0]), statements=rest[1] if rest[1:] else False)
    elif mode == "check":
        check(db, addons, json.loads(rest[0]))
    elif mode == "statements":
        statements(db, addons)
    elif mode == "statement-race":
        statement_race(db, addons, json.loads(rest[0]))
    elif mode == "statement-run-race":
        statement_race(db, addons, json.loads(rest[0]), whole_run=True)
    elif mode == "check-statements":
        check_statements(db, addons, json.loads(rest[0]))
    else:
        run(db, addons, int(rest[1]) if rest[:1] == ["--crash-after"] else None)


if __name__ == "__main__":
    if os.environ.get("RELANCE_DRILL_DAY"):
        from freezegun import freeze_time

        with freeze_time(os.environ["RELANCE_DRILL_DAY"]):
            main(*sys.argv[1:])
    else:
        main(*sys.argv[1:])
