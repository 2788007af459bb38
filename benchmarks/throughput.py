"""Throughput: the Prefect pipeline against a bare Python loop doing the same per-document calls.

    python benchmarks/throughput.py [--docs 2400] [--dask] [--eval /work/shared/eval]

1. Generates a corpus of ``--docs`` files from real page material: the dev split's
   HTML pages (gzipped and not) and plain-text dumps, the seeds, the multilingual
   dumps; every file is made unique (a different marker line / comment), so
   nothing is skipped as already seen.
2. Runs, each in its own fresh process on all cores, side by side in this run:
   - the bare library floor: a process pool of one process per core doing only the calls a
     pipeline cannot avoid (read, clean, detect_language, content hash), rows inserted into
     a DuckDB table by the parent in batches of the same size;
   - winnow: `run_ingest` with the defaults (the real Prefect flow on a process pool of one
     worker per core: plan, batch tasks, one transaction per batch, dedup), no export;
   - `winnow ingest` again on the same folder (nothing new), wall time of the command;
   - with --dask, the flow on a local Dask cluster too.
3. Prints documents/s, the ratio to the floor with and without start-up, peak memory of the
   flow process and of the largest worker, the warehouse size and the dedup stage's share.
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
import sys, time, json, os, resource
from concurrent.futures import ProcessPoolExecutor
t0 = time.perf_counter()
import duckdb
from winnow.discover import discover

def work(paths):
    from winnow.settings import Settings
    from winnow.discover import Candidate
    from winnow.read import read_candidate
    from winnow.records import Document
    from winnow.clean import clean
    from winnow.language import detect_language
    from winnow.dedup.exact import content_hash
    s = Settings()
    rows = []
    for path, root in paths:
        doc = read_candidate(Candidate(path, root), s.input)
        if not isinstance(doc, Document):
            continue
        ex = clean(doc.raw, doc.source.type, s.clean)
        lang, prob = detect_language(ex.text, s.language)
        rows.append((path, ex.title, ex.text, lang, prob, content_hash(ex.text)))
    return rows

if __name__ == "__main__":
    corpus, db, batch, procs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    con = duckdb.connect(db)
    con.execute("CREATE TABLE docs (path VARCHAR, title VARCHAR, text VARCHAR, language VARCHAR, prob DOUBLE, hash VARCHAR)")
    files = [(c.path, c.root) for c in discover([corpus]).candidates]
    chunks = [files[i:i + batch] for i in range(0, len(files), batch)]
    with ProcessPoolExecutor(procs) as pool:
        t1 = time.perf_counter()
        for rows in pool.map(work, chunks):
            if rows:
                con.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.close()
    t2 = time.perf_counter()
    print(json.dumps({"docs": len(files), "total": t2 - t0, "work": t2 - t1}))
"""

PIPELINE = r"""
import sys, time, json, dataclasses, os, resource
t0 = time.perf_counter()
from winnow.settings import Settings
from winnow.prefect_env import configure_prefect

if __name__ == "__main__":
    corpus, db, batch, home = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    runner = sys.argv[5] if len(sys.argv) > 5 else "process"
    workers = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    s = Settings()
    s = dataclasses.replace(s, warehouse=dataclasses.replace(s.warehouse, db=db),
                            flow=dataclasses.replace(s.flow, batch_size=batch, prefect_home=home, workers=workers,
                                                     runner=runner))
    configure_prefect(s)
    from winnow.ingest import run_ingest
    summary = run_ingest([corpus], s, export=False, started=t0)
    f = summary["files"]
    kib = 1024
    print(json.dumps({"docs": f["new"] + f["changed"] + f["unchanged"], "processed": f["new"] + f["changed"],
                      "total": summary["seconds"]["total"], "work": summary["seconds"]["work"],
                      "startup": summary["seconds"]["prefect_startup"] + summary["seconds"].get("planning", 0),
                      "rejected": f["rejected"], "step_seconds": summary["step_seconds"],
                      "flow_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib,
                      "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib,
                      "warehouse_mb": os.path.getsize(db) / 1e6, "corpus": summary["documents"]["corpus"]}))
"""


def run_pinned(code: str, *args: str, cores: set[int] | None = None) -> dict:
    """Run a benchmark step in a fresh process, on ``cores`` (default: every core this one may use)."""
    cores = cores or os.sched_getaffinity(0)
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=dict(os.environ),
        preexec_fn=lambda: os.sched_setaffinity(0, cores),
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def rerun_wall(corpus: Path, db: Path, home: str) -> float:
    """Wall seconds of `winnow ingest` (the command, imports included) on a folder it has seen."""
    env = dict(os.environ, PREFECT_HOME=home)
    t = time.perf_counter()
    proc = subprocess.run([str(Path(sys.executable).parent / "winnow"), "ingest", str(corpus), "--db", str(db),
                           "--no-export", "--json"], capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t
    if proc.returncode != 0 or json.loads(proc.stdout)["files"]["new"]:
        raise SystemExit(f"the re-run failed or found new files:\n{proc.stderr[-2000:]}")
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2400)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--dask", action="store_true", help="also run the flow on a local Dask cluster")
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="shared eval folder (page material)")
    ap.add_argument("--keep", action="store_true", help="keep the generated corpus and databases")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="winnow-throughput-"))
    corpus = work / "corpus"
    sources = generate(corpus, args.docs, args.eval)
    home = str(ROOT / ".winnow" / "bench-prefect")
    Path(home).mkdir(parents=True, exist_ok=True)
    cores = len(os.sched_getaffinity(0))
    print(f"corpus: {args.docs} files from {sources} real pages in {corpus}; {cores} cores, batches of {args.batch}")
    # warm-up: Prefect's home database exists before the timed run, as in everyday use
    run_pinned(PIPELINE, str(ROOT / "seeds"), str(work / "warm.duckdb"), str(args.batch), home)
    bare = run_pinned(BARE, str(corpus), str(work / "bare.duckdb"), str(args.batch), str(cores))
    flow = run_pinned(PIPELINE, str(corpus), str(work / "flow.duckdb"), str(args.batch), home, "process", "0")
    noop = rerun_wall(corpus, work / "flow.duckdb", home)
    runs = [("winnow, process pool (default)", flow)]
    if args.dask:
        runs.append(("winnow, local Dask cluster", run_pinned(
            PIPELINE, str(corpus), str(work / "dask.duckdb"), str(args.batch), home, "dask", "0")))

    def rate(d, seconds):
        return d["docs"] / seconds

    floor = rate(bare, bare["total"])
    print()
    print("| run | documents | seconds | documents/s | vs. the floor |")
    print("|---|---:|---:|---:|---:|")
    print(f"| bare library floor, {cores} processes (read, clean, detect, insert) | {bare['docs']} | "
          f"{bare['total']:.1f} | {floor:.1f} | 1.00 |")
    for name, d in runs:
        lean = d["total"] - d["startup"]
        print(f"| {name}, end to end | {d['docs']} | {d['total']:.1f} | {rate(d, d['total']):.1f} | "
              f"{rate(d, d['total']) / floor:.2f} |")
        print(f"| {name}, without {d['startup']:.1f} s planning + Prefect start-up | {d['docs']} | {lean:.1f} | "
              f"{rate(d, lean):.1f} | {rate(d, lean) / floor:.2f} |")
    print(f"| `winnow ingest` again, nothing new (wall, imports included) | {flow['docs']} | {noop:.1f} | - | - |")
    print()
    for name, d in runs:
        steps = d["step_seconds"]
        print(f"{name}: peak memory flow {d['flow_peak_mb']:.0f} MB, largest worker {d['worker_peak_mb']:.0f} MB; "
              f"warehouse {d['warehouse_mb']:.1f} MB; dedup stage {steps.get('dedup', 0):.1f} s = "
              f"{100 * steps.get('dedup', 0) / d['total']:.1f}% of the run (signatures on the workers: "
              f"{steps.get('signature', 0):.1f} s of worker time); corpus {d['corpus']} documents")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
