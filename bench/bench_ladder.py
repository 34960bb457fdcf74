"""Benchmark of the daily reminder ladder on a large French company.

Usage:
    python bench/bench_ladder.py [--customers 2000] [--invoices 5] [--runs 1] [--render 40]

Builds (once per size) a template database ``relance_bench_<customers>`` with a French company,
N customers x 5 posted invoices (70 % overdue by 1 to 90 days, the rest not yet due) whose PDFs
are already stored (as after Odoo's "Send"), then for each run copies it (``createdb -T``) and, in
a fresh process, runs the ladder cron to completion (all batches, committing between them as the
scheduler does). Prints wall time, SQL queries, queries per customer and the peak memory of
that process. ``--render N`` also times rendering N invoice PDFs that do not exist yet, in
batches (one wkhtmltopdf run per batch of 20), through a running HTTP server for the assets.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def copy_db(template, copy):
    """createdb -T, plus the filestore (stored PDFs live there, not in PostgreSQL)."""
    import odoo
    sh("dropdb", "--if-exists", copy)
    sh("createdb", "-T", template, copy)
    filestore = Path(odoo.tools.config["data_dir"]) / "filestore"
    if (filestore / template).exists():
        sh("rm", "-rf", str(filestore / copy))
        sh("cp", "-al", str(filestore / template), str(filestore / copy))


def update_template(template):
    """Bring the template database to the addon's current code (it may have been built by an older one)."""
    sh(PY, "-m", "odoo", "-d", template, f"--addons-path={ROOT}", "-u", "odoo_relance_fr",
       "--stop-after-init", "--log-level=warn")


def drop_db(copy):
    import odoo
    sh("dropdb", "--if-exists", copy)
    sh("rm", "-rf", str(Path(odoo.tools.config["data_dir"]) / "filestore" / copy))


def db_exists(name):
    out = subprocess.run(["psql", "-d", "postgres", "-Atc", f"select 1 from pg_database where datname = '{name}'"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return out == "1"


def odoo_env(db_name):
    import odoo
    odoo.tools.config.parse_config([f"--addons-path={ROOT}", "--log-level=warn", "--db-filter=.*"])
    registry = odoo.modules.registry.Registry(db_name)
    return odoo, registry


def build(db_name, customers, per_customer):
    """Fill the template database: customers, posted invoices, their stored PDFs."""
    odoo, registry = odoo_env(db_name)
    from odoo import Command, fields
    random.seed(42)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "lang": "fr_FR"})
        today = fields.Date.context_today(env["res.users"])
        company = env.ref("base.main_company")
        company.write({"name": "Bench SAS", "email": "compta@bench.example", "city": "Paris"})
        tax = env["account.chart.template"].ref("tva_normale")
        product = env["product.product"].create({"name": "Prestation", "type": "service", "taxes_id": [Command.set(tax.ids)]})
        partners = env["res.partner"].create([
            {"name": f"Client {i:05d} SARL", "is_company": True, "email": f"client{i}@bench.example", "lang": "fr_FR"}
            for i in range(customers)
        ])
        vals = []
        for partner in partners:
            for _ in range(per_customer):
                overdue = random.random() < 0.7
                due = today - timedelta(days=random.randint(1, 90)) if overdue else today + timedelta(days=random.randint(8, 60))
                vals.append({
                    "move_type": "out_invoice", "partner_id": partner.id,
                    "invoice_date": due - timedelta(days=30), "invoice_date_due": due,
                    "invoice_line_ids": [Command.create({"product_id": product.id, "price_unit": random.randint(100, 5000),
                                                        "tax_ids": [Command.set(tax.ids)]})],
                })
        vals.sort(key=lambda v: v["invoice_date"])
        for start in range(0, len(vals), 1000):
            moves = env["account.move"].create(vals[start:start + 1000])
            moves.action_post()
            cr.commit()
            print(f"  {start + len(moves)} invoices posted", file=sys.stderr)
        moves = env["account.move"].search([("move_type", "=", "out_invoice")])
        pdf = moves[:1]._relance_render_pdfs()[moves[:1]].raw
        env["ir.attachment"].create([{
            "name": f"{move.name.replace('/', '_')}.pdf", "raw": pdf, "res_model": "account.move", "res_id": move.id,
            "res_field": "invoice_pdf_report_file", "mimetype": "application/pdf",
        } for move in moves])
        cr.commit()


def run_ladder(db_name):
    """One measured run of the ladder cron to completion, in this process."""
    odoo, registry = odoo_env(db_name)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "fr_FR"})
        Move = env["account.move"]
        company = env.ref("base.main_company")
        today = odoo.fields.Date.context_today(Move)
        customers = len(Move._read_group(Move._relance_due_domain(company, today), ["commercial_partner_id"]))
        queries_before = cr.sql_log_count
        start = time.perf_counter()
        batches = 0
        while Move._read_group(Move._relance_due_domain(company, today), ["commercial_partner_id"], limit=1):
            env["relance.log"]._cron_relance_ladder()
            cr.commit()
            batches += 1
            if batches > 10 * customers + 10:
                raise RuntimeError("the ladder does not converge")
        wall = time.perf_counter() - start
        queries = cr.sql_log_count - queries_before
        logs = env["relance.log"].search_count([("date", "=", today)])
        failed = env["relance.log"].search_count([("date", "=", today), ("state", "=", "failed")])
        mails = env["mail.mail"].search_count([("model", "=", "relance.log")])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"customers": customers, "wall": wall, "queries": queries, "logs": logs, "failed": failed,
            "mails": mails, "peak_mb": peak_mb, "batches": batches}


def run_render(db_name, count):
    """Render count invoice PDFs that do not exist yet, in batches, with a live HTTP server for the assets."""
    odoo, registry = odoo_env(db_name)
    import socket
    from odoo.service import server
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    odoo.tools.config["http_port"] = port
    odoo.tools.config["http_interface"] = "127.0.0.1"
    httpd = server.ThreadedServer(odoo.http.root)
    httpd.start(stop=False)
    try:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "fr_FR"})
            env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{port}")
            moves = env["account.move"].search([("move_type", "=", "out_invoice")], limit=count)
            env["ir.attachment"].search([
                ("res_model", "=", "account.move"), ("res_id", "in", moves.ids), ("res_field", "=", "invoice_pdf_report_file"),
            ]).unlink()
            moves.invalidate_recordset()
            start = time.perf_counter()
            pdfs = moves._relance_invoice_pdfs()
            wall = time.perf_counter() - start
            ok = sum(1 for att in pdfs.values() if att.raw.startswith(b"%PDF"))
            cr.rollback()
    finally:
        httpd.stop()
    return {"count": count, "wall": wall, "ok": ok}


def child(mode, db_name, arg):
    result = run_ladder(db_name) if mode == "ladder" else run_render(db_name, int(arg))
    print("RESULT " + json.dumps(result))


def measure(mode, db_name, arg=""):
    out = subprocess.run([PY, __file__, "--child", mode, db_name, str(arg)], capture_output=True, text=True, check=True).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--invoices", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--render", type=int, default=0)
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    template = f"relance_bench_{args.customers}x{args.invoices}"
    if not db_exists(template):
        print(f"Building {template} ...", file=sys.stderr)
        t0 = time.perf_counter()
        sh(PY, str(ROOT / "scripts" / "make_db.py"), template, str(ROOT), "odoo_relance_fr,l10n_fr_account")
        subprocess.run([PY, __file__, "--child", "build", template, f"{args.customers}:{args.invoices}"], check=True)
        print(f"  built in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    else:
        update_template(template)
    results = []
    for run in range(args.runs):
        copy = f"{template}_run"
        copy_db(template, copy)
        results.append(measure("ladder", copy))
        drop_db(copy)
    walls = [r["wall"] for r in results]
    first = results[0]
    print()
    print(f"Ladder cron to completion - {args.customers} customers x {args.invoices} invoices, {args.runs} run(s)")
    print(f"| {'measure':<34} | {'value':>14} |")
    print(f"|{'-' * 36}|{'-' * 16}|")
    rows = [
        ("customers reminded", f"{first['customers']}"),
        ("reminders logged / failed", f"{first['logs']} / {first['failed']}"),
        ("emails queued", f"{first['mails']}"),
        ("wall time min / median / max (s)", f"{min(walls):.1f} / {statistics.median(walls):.1f} / {max(walls):.1f}"),
        ("time per customer (ms)", f"{1000 * statistics.median(walls) / max(first['customers'], 1):.1f}"),
        ("SQL queries", f"{first['queries']}"),
        ("SQL queries per customer", f"{first['queries'] / max(first['customers'], 1):.1f}"),
        ("peak memory of the process (MiB)", f"{max(r['peak_mb'] for r in results):.0f}"),
        ("cron batches", f"{first['batches']}"),
    ]
    if args.render:
        copy = f"{template}_run"
        copy_db(template, copy)
        render = measure("render", copy, args.render)
        drop_db(copy)
        rows.append((f"render {render['count']} missing PDFs (s)", f"{render['wall']:.1f}"))
        rows.append(("  per invoice (s), valid PDFs", f"{render['wall'] / render['count']:.2f}, {render['ok']}"))
    for name, value in rows:
        print(f"| {name:<34} | {value:>14} |")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child" and sys.argv[2] == "build":
        customers, per_customer = (int(x) for x in sys.argv[4].split(":"))
        build(sys.argv[3], customers, per_customer)
    else:
        os.environ.setdefault("PGAPPNAME", "relance_bench")
        main()
