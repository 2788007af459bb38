"""The flow's steps that read the whole warehouse (dedup, export, report) on a warehouse grown k times.

    python benchmarks/grown.py WAREHOUSE.duckdb --times 20 [--out DIR] [--compare-visible]

A 100,000-document run of ``scale.py`` takes half an hour on a quiet machine and hours on a
loaded one; the memory of the steps that read the whole warehouse depends on what the warehouse
holds, not on how it was cleaned. This copies a real warehouse (one that ``scale.py --keep``
left) and adds k-1 copies of its documents, source files, removed lines and signatures under
new ids and paths: copy j of a document is ``<doc_id>-j``, with content hash ``<hash>-j`` and
its MinHash values XORed with a constant of copy j, so that within a copy documents collide in
LSH exactly as the originals do and never across copies: k times the original's dedup work
(candidates, verified pairs, clusters). Then, as a fresh run of the flow would, it forgets what
dedup compared (``dedup_seen``, ``dup_pairs``) and runs the flow's own tasks (dedup, export,
report), each in a fresh process, printing that process's peak resident set (``VmHWM``), which
includes the process's start (Python, Prefect and winnow imported: ~250 MB). Visible texts and their
signatures (``winnow.dedup.visible``) are copied the same way; ``--compare-visible`` runs dedup
twice side by side, with ``[dedup] visible_text`` false and then true, forgetting in between what
the first compared.
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
    duplicate_of || '-' || j AS duplicate_of, dup_matched || '-' || j AS dup_matched,
    content_hash || '-' || j AS content_hash) FROM documents t, copies;
INSERT INTO source_files SELECT t.* REPLACE (path || '-' || j AS path, doc_id || '-' || j AS doc_id)
    FROM source_files t, copies;
INSERT INTO removed_segments SELECT t.* REPLACE (doc_id || '-' || j AS doc_id) FROM removed_segments t, copies;
INSERT INTO doc_signatures SELECT t.* REPLACE (doc_id || '-' || j AS doc_id,
    list_transform(minhash, lambda x: xor(x, (hash(j) % 4294967296)::UINTEGER)) AS minhash) FROM doc_signatures t, copies;
INSERT INTO doc_visible SELECT t.* REPLACE (doc_id || '-' || j AS doc_id) FROM doc_visible t, copies;
INSERT INTO visible_signatures SELECT t.* REPLACE (doc_id || '-' || j AS doc_id,
    list_transform(minhash, lambda x: xor(x, (hash(j) % 4294967296)::UINTEGER)) AS minhash) FROM visible_signatures t, copies;
"""

FORGET = "DELETE FROM dedup_seen; DELETE FROM dup_pairs; DELETE FROM visible_pairs;"


STEP = """
import json, sys, time, dataclasses
from pathlib import Path
from winnow.settings import load_settings
step, db, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
s = load_settings(None).with_db(db)
s = dataclasses.replace(s, dedup=dataclasses.replace(s.dedup, **json.loads(sys.argv[4])))
s = dataclasses.replace(s, warehouse=dataclasses.replace(s.warehouse, export_dir=str(out / "export"),
                                                       **json.loads(sys.argv[5] if len(sys.argv) > 5 else "{}")))
t = time.perf_counter()
if step == "dedup":
    import duckdb
    from winnow.flow import dedup_task
    con = duckdb.connect(db, read_only=True)
    run_id = con.execute("SELECT max(run_id) FROM runs").fetchone()[0]
    con.close()
    print("GROWN " + json.dumps(dict(dedup_task.fn(run_id, s))), file=sys.stderr)
elif step == "export":
    from winnow.flow import export_task
    export_task.fn(s)
else:
    from winnow.flow import report_task
    report_task.fn(dataclasses.replace(s, report=dataclasses.replace(s.report, path=str(out / "report.html"))))
from winnow.memory import status_kb
hwm = status_kb("VmHWM")
print("GROWN " + json.dumps({"seconds": round(time.perf_counter() - t, 1), "peak_mb": round(hwm / 1024)}))
"""


def grow(warehouse: Path, db: Path, times: int) -> str:
    """``db``: a copy of ``warehouse`` grown ``times`` times, its dedup forgotten; what it holds, in words."""
    shutil.copy(warehouse, db)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))
    from winnow.storage import db as wdb

    with wdb.open_write(db, 60):  # migrated to this version first (a warehouse of an older winnow)
        pass
    con = duckdb.connect(str(db))
    try:
        con.execute("CREATE TEMP TABLE copies AS SELECT range::VARCHAR AS j FROM range(1, ?)", [times])
        con.execute(GROW)
        con.execute(FORGET)
        docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        corpus = con.execute("SELECT count(*) FROM corpus").fetchone()[0]
        segments = con.execute("SELECT count(*) FROM removed_segments").fetchone()[0]
    finally:
        con.close()
    return (f"{warehouse} grown {times}x: {docs:,} documents ({corpus:,} in the corpus), "
            f"{segments:,} removed lines, {db.stat().st_size / 1e6:.0f} MB")


def run_step(step: str, db: Path, out: Path, dedup: dict, warehouse: dict | None = None,
             python: str = sys.executable) -> tuple[dict, dict]:
    """One of the flow's tasks in a fresh process of ``python`` (another checkout's, to compare):
    (seconds and peak_mb, the dedup's counts). ``warehouse``: [warehouse] settings to override."""
    proc = subprocess.run([python, "-c", STEP, step, str(db), str(out), json.dumps(dedup), json.dumps(warehouse or {})],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return _ours(proc)


def _ours(proc) -> tuple[dict, dict]:
    ours = lambda text: json.loads(next(x for x in text.splitlines() if x.startswith("GROWN "))[6:])  # noqa: E731
    return ours(proc.stdout), ours(proc.stderr) if "dedup." in proc.stderr else {}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("warehouse", type=Path)
    ap.add_argument("--times", type=int, default=20)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "grown")
    ap.add_argument("--compare-visible", action="store_true",
                    help="run dedup twice, side by side: with [dedup] visible_text false, then true")
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    db = args.out / "grown.duckdb"
    print(grow(args.warehouse, db, args.times) + "\n")
    print("| step (fresh process) | seconds | peak memory of the process (MB) |")
    print("|---|---:|---:|")
    steps = [("dedup", {})] if not args.compare_visible else [("dedup", {"visible_text": False}), ("dedup", {})]
    for i, (step, dedup) in enumerate(steps + [("export", {}), ("report", {})]):
        if step == "dedup" and i:
            with duckdb.connect(str(db)) as c:  # the next dedup compares everything again
                c.execute(FORGET)
        r, counts = run_step(step, db, args.out, dedup)
        what = (f"{' ' + json.dumps(dedup) if dedup else ''} ({counts['dedup.compared']:,} compared, "
                f"{counts['dedup.candidate_pairs']:,} candidate pairs, {counts['dedup.new_pairs']:,} pairs, "
                f"{counts.get('dedup.visible_candidate_pairs', 0):,} visible candidates, "
                f"{counts.get('dedup.new_visible_pairs', 0):,} visible pairs, {counts['dedup.clusters']:,} clusters)"
                if counts else "")
        print(f"| {step}{what} | {r['seconds']:.1f} | {r['peak_mb']} |")


if __name__ == "__main__":
    main()
