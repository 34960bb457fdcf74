"""Separate processes for the safety drills of test_drills.py, on the drill database.

Usage: python drill_worker.py DB ADDONS_PATH setup COUNT     -> customers with overdue invoices (JSON ids)
       python drill_worker.py DB ADDONS_PATH run [--crash-after N]
       python drill_worker.py DB ADDONS_PATH check IDS_JSON  -> what the workers left (JSON)

run: the daily ladder to completion as the scheduler does it (commit after each customer). With
--crash-after N, the process kills itself (SIGKILL, no cleanup) in the middle of the N-th customer,
after its email is queued and before its reminder is committed.
"""

import io
import json
import os
import signal
import sys
import uuid
from datetime import timedelta


def registry_for(db_name, addons_path):
    import odoo

    odoo.tools.config.parse_config([f"--addons-path={addons_path}", "--log-level=error"])
    return odoo, odoo.modules.registry.Registry(db_name)


def blank_pdf():
    from odoo.tools.pdf import PdfFileWriter

    writer = PdfFileWriter()
    writer.addBlankPage(595, 842)
    stream = io.BytesIO()
    writer.write(stream)
    return stream.getvalue()


def setup(db_name, addons_path, count):
    """count customers, each with two overdue invoices (20 and 45 days late), PDFs stored; committed."""
    odoo, registry = registry_for(db_name, addons_path)
    from odoo import Command, fields

    tag = uuid.uuid4().hex[:8]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "fr_FR", "tracking_disable": True})
        today = fields.Date.context_today(env["res.users"])
        company = env.ref("base.main_company")
        company.relance_auto_send = True
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
             WHERE log.state != 'failed' AND log.date = CURRENT_DATE AND rel.move_id = ANY(%s)
          GROUP BY rel.move_id HAVING count(*) > 1
        """,
            [move_ids],
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


def run(db_name, addons_path, crash_after=None):
    odoo, registry = registry_for(db_name, addons_path)
    if crash_after:
        RelanceLog = registry["relance.log"]
        mark_moves = RelanceLog._relance_mark_moves
        calls = []

        def mark_moves_then_crash(self, moves_levels):
            calls.append(1)
            if len(calls) == crash_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return mark_moves(self, moves_levels)

        RelanceLog._relance_mark_moves = mark_moves_then_crash
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "fr_FR", "relance_autocommit": True})
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


if __name__ == "__main__":
    db, addons, mode, *rest = sys.argv[1:]
    if mode == "setup":
        setup(db, addons, int(rest[0]))
    elif mode == "check":
        check(db, addons, json.loads(rest[0]))
    else:
        run(db, addons, int(rest[1]) if rest[:1] == ["--crash-after"] else None)
