"""The report as the run's tail writes it: after ``charts.warm_up`` (which the flow runs while the
workers clean), ``write_report`` of a warehouse (its queries, the nine charts' first drawing, the
page; wall and CPU seconds), then the charts drawn again (CPU), each in a fresh process; with ``--baseline DIR``, the charts of another checkout
(DIR/flows) side by side, alternating.

    python benchmarks/report_charts.py WAREHOUSE [--rounds 3] [--baseline DIR]

WAREHOUSE: a winnow DuckDB file (e.g. one that ``throughput.py --keep`` leaves), opened read-only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SNIPPET = r"""
import json, os, sys, tempfile, time
import duckdb
from winnow.report import charts, page, write_report
from winnow.report.queries import gather
from winnow.storage.tables import batch_tables
batch_tables([], [])  # as the flow's warm-up: pyarrow's first conversion
t = time.process_time(); charts.warm_up(); warm = time.process_time() - t
con = duckdb.connect(sys.argv[1], read_only=True)
out = os.path.join(tempfile.mkdtemp(), "report.html")
t, c = time.perf_counter(), time.process_time()
write_report(con, out, warehouse=sys.argv[1])  # what the run's tail does: queries, charts, page
wall, cpu = time.perf_counter() - t, time.process_time() - c
data = gather(con, largest_clusters=10, browser_documents=5000)
draws = []
for _ in range(3):
    t = time.process_time(); page.render_charts(data); draws.append(time.process_time() - t)
print(json.dumps({"warm_up": warm, "report_wall": wall, "report_cpu": cpu, "next": min(draws)}))
"""


def run(db: str, flows: Path | None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(flows)) if flows else None
    out = subprocess.run([sys.executable, "-c", SNIPPET, db], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("warehouse")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="another checkout, e.g. main before a change")
    args = ap.parse_args()
    if not Path(args.warehouse).is_file():
        sys.exit(f"no such warehouse: {args.warehouse}")
    names = {"winnow": None} | ({f"baseline ({args.baseline})": args.baseline.resolve() / "flows"}
                                if args.baseline else {})
    results: dict[str, list[dict]] = {n: [] for n in names}
    for r in range(args.rounds):
        for name in (list(names) if r % 2 == 0 else list(names)[::-1]):
            results[name].append(run(args.warehouse, names[name]))
    load = os.getloadavg()[0]
    print(f"{args.rounds} rounds, fresh processes, medians, CPU seconds (load average {load:.1f} at the end):")
    for name, rs in results.items():
        med = {k: statistics.median(x[k] for x in rs) for k in rs[0]}
        print(f"- {name}: warm-up {med['warm_up']:.2f}; the report after it {med['report_wall']:.2f} s, "
              f"{med['report_cpu']:.2f} CPU-s; the nine charts drawn again {med['next']:.2f}")


if __name__ == "__main__":
    main()
