"""Memory of the flow's dedup step per document of the warehouse, apart from DuckDB's.

    python benchmarks/dedup_memory.py WAREHOUSE.duckdb --times 10,30 [--memory-limit-mb 128]
                                      [--python OTHER_CHECKOUT/.venv/bin/python]

The dedup task runs in a fresh process (``grown.py``'s step) on the warehouse grown to each size,
at a small ``[warehouse] memory_limit_mb``: DuckDB holds at most that (it spills beyond), so what
the process's peak gains from one size to the next is what winnow holds in Python per document.
(At the default limit, 1024 MB, DuckDB takes what the limit allows: the peak then says more about
the limit than about the warehouse.) ``--python`` runs the same sizes with another checkout's
interpreter too (its winnow), side by side in one run.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grown import grow, run_step  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--times", default="10,30", help="two or more growth factors")
    ap.add_argument("--memory-limit-mb", type=float, default=128.0)
    ap.add_argument("--python", action="append", default=[], help="another checkout's interpreter, to compare")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "dedup_memory")
    args = ap.parse_args()
    pythons = [sys.executable, *args.python]
    sizes = sorted(int(x) for x in args.times.split(","))
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    db = args.out / "grown.duckdb"
    rows = []
    for k in sizes:
        print(grow(args.warehouse, db, k), flush=True)
        docs = None
        for py in pythons:
            shutil.copy(db, args.out / "run.duckdb")
            try:
                r, counts = run_step("dedup", args.out / "run.duckdb", args.out, {},
                                     {"memory_limit_mb": args.memory_limit_mb}, python=py)
            except SystemExit as e:  # the step failed: its last line says why
                print(f"{py}: dedup failed: {str(e.code).strip().splitlines()[-1]}", flush=True)
                continue
            docs = counts["dedup.documents"]
            rows.append((py, docs, r["peak_mb"], r["seconds"], counts["dedup.clusters"], counts["dedup.folded"]))
    print(f"\n[warehouse] memory_limit_mb = {args.memory_limit_mb:g}; dedup in a fresh process\n")
    print("| interpreter | documents | peak of the process (MB) | seconds | clusters | folded |")
    print("|---|---:|---:|---:|---:|---:|")
    for py, docs, peak, sec, clusters, folded in rows:
        print(f"| {py} | {docs:,} | {peak} | {sec:.1f} | {clusters:,} | {folded:,} |")
    print()
    for py in pythons:
        mine = [r for r in rows if r[0] == py]
        if len(mine) < 2:
            continue
        (_, n0, p0, *_), (_, n1, p1, *_) = mine[0], mine[-1]
        print(f"{py}: {(p1 - p0) * 1024 / (n1 - n0):.2f} kB more per document ({n0:,} -> {n1:,} documents)")


if __name__ == "__main__":
    main()
