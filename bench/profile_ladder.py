"""Where the daily ladder spends its time, batch after batch, on a bench data set.

Usage:
    python bench/profile_ladder.py relance_bench_8000x5 [--every 20] [--top 12]

Runs the ladder cron to completion on a fresh copy of the template (built by bench.py), one batch
per call as under the scheduler, and prints for every --every-th batch its wall time, its time
inside PostgreSQL and its number of queries; then, for the first and the last quarter of the
batches, the queries (grouped by their text up to the first parameter) that took the most time.
A time per batch that grows while the queries per batch stay the same points at the queries whose
share grows between the two quarters.
"""

import argparse
import cProfile
import pstats
import re
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench


def shape(query):
    """A query's text without its values, shortened: queries differing only by their values group together."""
    text = query.decode() if isinstance(query, bytes) else str(query)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"%s(, %s)*", "?", text)
    text = re.sub(r'"[0-9a-f]{8}-[0-9a-f-]{27}"', "<name>", text)  # savepoints
    return text[:220]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("template")
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()

    copy = f"{args.template}_profile"
    bench.copy_db(args.template, copy)
    try:
        profile(copy, args.every, args.top)
    finally:
        import odoo

        odoo.sql_db.close_db(copy)
        bench.drop_db(copy)


def profile(db_name, every, top):
    odoo, registry = bench.odoo_registry(db_name)
    batches = []  # (wall, sql time, queries, {shape: [count, time]})
    current = {}

    def hook(cr, query, params, start, delay):
        stats = current.setdefault(shape(query), [0, 0.0])
        stats[0] += 1
        stats[1] += delay

    thread = threading.current_thread()
    thread.query_hooks = [hook]
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "fr_FR"})
        env = bench.as_scheduler(env, "ir_cron_relance_ladder")  # commits its batches, as under the scheduler
        Log = env["relance.log"]
        Move = env["account.move"]
        company = env.ref("base.main_company")
        today = odoo.fields.Date.context_today(Move)
        # the ladder alone, whatever the day of the run, as bench.py measures it
        company.relance_statement_day = str(today.day % 28 + 1)
        cr.commit()
        expected = -(-len(Move._read_group(Move._relance_due_domain(company, today), ["commercial_partner_id"])) // 50)
        quarter = max(expected // 4, 1)
        python_profiles = {"first": cProfile.Profile(), "last": cProfile.Profile()}
        print("batch | wall s | SQL s | queries | customers done")
        done = 0
        while True:
            current.clear()
            part = "first" if len(batches) < quarter else "last" if len(batches) >= expected - quarter else None
            start = time.perf_counter()
            if part:
                python_profiles[part].enable()
            Log._cron_relance_ladder()
            cr.commit()
            if part:
                python_profiles[part].disable()
            wall = time.perf_counter() - start
            stats = dict(current)
            logs = env["relance.log"].search_count([("kind", "=", "reminder")])
            if logs == done:
                break
            done = logs
            batches.append((wall, sum(t for _c, t in stats.values()), sum(c for c, _t in stats.values()), stats))
            if len(batches) % every == 1:
                w, s, q, _ = batches[-1]
                print(f"{len(batches):5d} | {w:6.2f} | {s:5.2f} | {q:7d} | {done}")
    thread.query_hooks = []

    first, last = batches[:quarter], batches[-quarter:]

    def totals(part):
        agg = defaultdict(lambda: [0, 0.0])
        for _w, _s, _q, stats in part:
            for key, (count, spent) in stats.items():
                agg[key][0] += count
                agg[key][1] += spent
        return agg

    def avg(part, index):
        return sum(b[index] for b in part) / len(part)

    print(
        f"\n{len(batches)} batches; first quarter: {avg(first, 0):.2f} s per batch ({avg(first, 1):.2f} s in SQL, "
        f"{avg(first, 2):.0f} queries); last quarter: {avg(last, 0):.2f} s ({avg(last, 1):.2f} s in SQL, "
        f"{avg(last, 2):.0f} queries)"
    )
    agg_first, agg_last = totals(first), totals(last)
    print("\nQueries that take the most time in the last quarter (ms per batch, calls per batch):")
    for key in sorted(agg_last, key=lambda k: agg_last[k][1], reverse=True)[:top]:
        print(f"{1000 * agg_last[key][1] / len(last):8.1f} ms ({agg_last[key][0] / len(last):6.1f} calls) {key}")
    growth = sorted(agg_last, key=lambda k: agg_last[k][1] - agg_first.get(k, [0, 0.0])[1], reverse=True)
    print("\nQueries whose time grows most (ms per batch, first quarter -> last quarter, calls per batch):")
    for key in growth[:top]:
        _f_count, f_time = agg_first.get(key, [0, 0.0])
        l_count, l_time = agg_last[key]
        print(
            f"{1000 * f_time / len(first):8.1f} -> {1000 * l_time / len(last):8.1f} ms "
            f"({l_count / len(last):6.1f} calls) {key}"
        )

    print("\nPython functions with the most cumulated time in the last quarter (ms per batch):")
    python_profiles["last"].create_stats()
    cumulated = pstats.Stats(python_profiles["last"]).stats
    for key in sorted(cumulated, key=lambda k: cumulated[k][3], reverse=True)[: 3 * top]:
        print(f"{1000 * cumulated[key][3] / len(last):8.1f} ms {Path(key[0]).name}:{key[1]} {key[2]}")
    print("\nPython functions whose own time grows most (ms per batch, first quarter -> last quarter):")
    own = {}
    for part, prof in python_profiles.items():
        prof.create_stats()
        own[part] = {
            f"{Path(key[0]).name}:{key[1]} {key[2]}": value[2] for key, value in pstats.Stats(prof).stats.items()
        }
    for key in sorted(
        own["last"], key=lambda k: own["last"][k] / len(last) - own["first"].get(k, 0) / len(first), reverse=True
    )[:top]:
        print(
            f"{1000 * own['first'].get(key, 0) / len(first):8.1f} -> "
            f"{1000 * own['last'][key] / len(last):8.1f} ms {key}"
        )


if __name__ == "__main__":
    main()
