"""Scale-out: one thread against the process pool (the default) and Dask with 1 and 2 workers, in one run.

    python benchmarks/scaleout.py [--docs 2400] [--batch 100]

Each configuration runs the real ingest flow in a fresh process over the same
generated corpus (see corpus.py), into its own warehouse, with both cores
available. Batches carry seconds of work each: a Prefect task on Dask costs
~0.1-0.2 s and a LocalCluster takes seconds to start, so tiny batches would only
measure overhead. Reported: documents/s over the flow's work time (Prefect's
server start-up excluded, the Dask cluster start-up included), the speed-up of
2 workers over 1, and a check that every configuration built the same corpus.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import duckdb

from corpus import DEFAULT_EVAL, ROOT, generate
from throughput import PIPELINE, run_pinned


def corpus_rows(db: Path) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT doc_id, text, language, cluster_id, duplicate_of FROM documents ORDER BY doc_id").fetchall()
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2400)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="winnow-scaleout-"))
    corpus = work / "corpus"
    generate(corpus, args.docs, args.eval)
    home = str(ROOT / ".winnow" / "bench-prefect")
    Path(home).mkdir(parents=True, exist_ok=True)
    both = {0, 1}
    run_pinned(PIPELINE, str(ROOT / "seeds"), str(work / "warm.duckdb"), "50", home, cores=both)
    configs = [("thread runner, 1 thread", "thread", 1), ("process pool, 1 worker", "process", 1),
               ("process pool, 2 workers (default)", "process", 2), ("Dask LocalCluster, 1 worker", "dask", 1),
               ("Dask LocalCluster, 2 workers", "dask", 2)]
    results, rows = {}, {}
    for label, runner, workers in configs:
        db = work / f"{runner}-{workers}.duckdb"
        results[label] = run_pinned(PIPELINE, str(corpus), str(db), str(args.batch), home, runner, str(workers),
                                    cores=both)
        rows[label] = corpus_rows(db)
    print(f"corpus: {args.docs} files, batches of {args.batch}, 2 cores")
    print()
    print("| runner | documents | work seconds | documents/s |")
    print("|---|---:|---:|---:|")
    rate = {}
    for label, r in results.items():
        rate[label] = r["docs"] / r["work"]
        print(f"| {label} | {r['docs']} | {r['work']:.1f} | {rate[label]:.1f} |")
    print()
    one, two = rate["Dask LocalCluster, 1 worker"], rate["Dask LocalCluster, 2 workers"]
    print(f"Dask 2 workers / 1 worker: {two / one:.2f}x")
    same = all(v == rows["thread runner, 1 thread"] for v in rows.values())
    print(f"same documents and clusters in every configuration: {same}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
