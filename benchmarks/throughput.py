"""Throughput: the Prefect pipeline against a bare Python loop doing the same per-document calls.

    python benchmarks/throughput.py [--docs 2400] [--eval /work/shared/eval]

1. Generates a corpus of ``--docs`` files from real page material: the dev split's
   HTML pages (gzipped and not) and plain-text dumps, the seeds, the multilingual
   dumps; every file is made unique (a different marker line / comment), so
   nothing is skipped as already seen.
2. Runs, each in its own fresh process pinned to ONE core, side by side in this run:
   - bare loop: for each file read_candidate -> clean -> detect_language -> content hash,
     rows inserted into a DuckDB table in batches of the same size;
   - winnow: `run_ingest` (the real Prefect flow: discover, plan, batch tasks,
     one transaction per batch, dedup), without the Parquet export.
3. Prints documents/s of each and the ratio, with and without Prefect's start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import DEFAULT_EVAL, ROOT, generate


BARE = r"""
import sys, time, json
t0 = time.perf_counter()
import duckdb
from winnow.settings import Settings
from winnow.discover import discover
from winnow.read import read_candidate
from winnow.records import Document
from winnow.clean import clean
from winnow.language import detect_language
from winnow.dedup.exact import content_hash
corpus, db, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = Settings()
con = duckdb.connect(db)
con.execute("CREATE TABLE docs (path VARCHAR, title VARCHAR, text VARCHAR, language VARCHAR, prob DOUBLE, hash VARCHAR)")
rows, n = [], 0
t1 = time.perf_counter()
for c in discover([corpus]).candidates:
    n += 1
    page = read_candidate(c, s.input)
    if not isinstance(page, Document):
        continue
    ex = clean(page.raw, page.source.type, s.clean)
    lang, prob = detect_language(ex.text, s.language)
    rows.append((c.path, ex.title, ex.text, lang, prob, content_hash(ex.text)))
    if len(rows) >= batch:
        con.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
        rows = []
if rows:
    con.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
con.close()
t2 = time.perf_counter()
print(json.dumps({"docs": n, "total": t2 - t0, "work": t2 - t1}))
"""

PIPELINE = r"""
import sys, time, json, dataclasses
t0 = time.perf_counter()
from winnow.settings import Settings
from winnow.prefect_env import configure_prefect
corpus, db, batch, home = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
runner = sys.argv[5] if len(sys.argv) > 5 else "thread"
workers = int(sys.argv[6]) if len(sys.argv) > 6 else 1
s = Settings()
s = dataclasses.replace(s, warehouse=dataclasses.replace(s.warehouse, db=db),
                        flow=dataclasses.replace(s.flow, batch_size=batch, prefect_home=home, workers=workers))
configure_prefect(s)
from winnow.flow import run_ingest
summary = run_ingest([corpus], s, export=False, started=t0, runner=runner)
docs = summary["documents"]["new"] + summary["documents"]["same_content_other_name"] + summary["files"]["rejected"]
print(json.dumps({"docs": docs, "total": summary["seconds"]["total"], "work": summary["seconds"]["work"],
                  "startup": summary["seconds"]["prefect_startup"], "rejected": summary["files"]["rejected"]}))
"""


def run_pinned(code: str, *args: str, cores: set[int] | None = None) -> dict:
    """Run a benchmark step in a fresh process (pinned to core 0 unless ``cores`` says otherwise)."""
    env = dict(os.environ)
    cores = cores or {0}
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
        preexec_fn=lambda: os.sched_setaffinity(0, cores),
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2400)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="shared eval folder (page material)")
    ap.add_argument("--keep", action="store_true", help="keep the generated corpus and databases")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="winnow-throughput-"))
    corpus = work / "corpus"
    sources = generate(corpus, args.docs, args.eval)
    home = str(ROOT / ".winnow" / "bench-prefect")
    Path(home).mkdir(parents=True, exist_ok=True)
    print(f"corpus: {args.docs} files from {sources} real pages in {corpus}; one core each (taskset 0)")
    # warm-up: Prefect's home database exists before the timed run, as in everyday use
    run_pinned(PIPELINE, str(ROOT / "seeds"), str(work / "warm.duckdb"), str(args.batch), home)
    bare = run_pinned(BARE, str(corpus), str(work / "bare.duckdb"), str(args.batch))
    flow = run_pinned(PIPELINE, str(corpus), str(work / "flow.duckdb"), str(args.batch), home)

    def rate(d, key):
        return d["docs"] / d[key]

    print()
    print("| run | documents | seconds | documents/s |")
    print("|---|---:|---:|---:|")
    print(f"| bare Python loop (read, clean, detect, insert) | {bare['docs']} | {bare['total']:.1f} | {rate(bare, 'total'):.1f} |")
    print(f"| winnow Prefect flow, end to end | {flow['docs']} | {flow['total']:.1f} | {rate(flow, 'total'):.1f} |")
    print(f"| winnow Prefect flow, without the {flow['startup']:.1f} s server start-up | {flow['docs']} | "
          f"{flow['total'] - flow['startup']:.1f} | {flow['docs'] / (flow['total'] - flow['startup']):.1f} |")
    print()
    print(f"ratio flow/bare, end to end:         {rate(flow, 'total') / rate(bare, 'total'):.2f}")
    print(f"ratio flow/bare, without start-up:   {(flow['docs'] / (flow['total'] - flow['startup'])) / rate(bare, 'total'):.2f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
