"""The flow's last steps (export, report) on a warehouse grown k times from a finished one.

    python benchmarks/grown.py WAREHOUSE.duckdb --times 20 [--out DIR]

A 100,000-document run of ``scale.py`` takes half an hour on a quiet machine and hours on a
loaded one; the memory of the steps that read the whole warehouse (export and report) depends
on what the warehouse holds, not on how it was cleaned. This copies a real warehouse (one that
``scale.py --keep`` left) and adds k-1 copies of its documents, their source files, removed lines
and signatures under new ids and paths (copy j of a document: ``<doc_id>-j``, its cluster and
representative renamed alike, so each copy is a cluster of its own), then runs each step in a fresh
process, as the flow does, and prints that process's peak resident set (``VmHWM``) and seconds.
Dedup is not run here: the copies are exact duplicates of each other (see scale.py's dedup replay).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

GROW = """
INSERT INTO documents SELECT t.* REPLACE (doc_id || '-' || j AS doc_id, cluster_id || '-' || j AS cluster_id,
    duplicate_of || '-' || j AS duplicate_of, dup_matched || '-' || j AS dup_matched) FROM documents t, copies;
INSERT INTO source_files SELECT t.* REPLACE (path || '-' || j AS path, doc_id || '-' || j AS doc_id)
    FROM source_files t, copies;
INSERT INTO removed_segments SELECT t.* REPLACE (doc_id || '-' || j AS doc_id) FROM removed_segments t, copies;
INSERT INTO doc_signatures SELECT t.* REPLACE (doc_id || '-' || j AS doc_id) FROM doc_signatures t, copies;
"""

STEP = """
import json, sys, time, dataclasses
from pathlib import Path
from winnow.settings import load_settings
step, db, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
s = load_settings(None).with_db(db)
s = dataclasses.replace(s, warehouse=dataclasses.replace(s.warehouse, export_dir=str(out / "export")))
t = time.perf_counter()
if step == "export":
    from winnow.flow import export_task
    export_task.fn(s)
else:
    from winnow.flow import report_task
    report_task.fn(dataclasses.replace(s, report=dataclasses.replace(s.report, path=str(out / "report.html"))))
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"seconds": round(time.perf_counter() - t, 1), "peak_mb": round(hwm / 1024)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--times", type=int, default=20)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "grown")
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    db = args.out / "grown.duckdb"
    shutil.copy(args.warehouse, db)
    con = duckdb.connect(str(db))
    try:
        con.execute("CREATE TEMP TABLE copies AS SELECT range::VARCHAR AS j FROM range(1, ?)", [args.times])
        con.execute(GROW)
        docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        corpus = con.execute("SELECT count(*) FROM corpus").fetchone()[0]
        segments = con.execute("SELECT count(*) FROM removed_segments").fetchone()[0]
    finally:
        con.close()
    print(f"{args.warehouse} grown {args.times}x: {docs:,} documents ({corpus:,} in the corpus), "
          f"{segments:,} removed lines, {db.stat().st_size / 1e6:.0f} MB\n")
    print("| step (fresh process) | seconds | peak memory of the process (MB) |")
    print("|---|---:|---:|")
    for step in ("export", "report"):
        proc = subprocess.run([sys.executable, "-c", STEP, step, str(db), str(args.out)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-3000:])
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"| {step} | {r['seconds']:.1f} | {r['peak_mb']} |")


if __name__ == "__main__":
    main()
