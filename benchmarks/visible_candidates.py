"""The visible-text candidates' join at scale: memory, time and planted copies proposed, with and
without the cut of common sampled shingles, side by side in one run.

    python benchmarks/visible_candidates.py [--docs 100000] [--common 100,400,0] [--samples DB]

A 100,000-document run of ``scale.py`` takes half an hour to hours; the join that ran out of memory
there (``winnow.storage.dedup.visible_candidates``) needs only the stored samples. This builds them
for ``scale.py``'s corpus (``scalecorpus.py``, same seed and material) without cleaning: each
document's page is rendered as scale.py writes it and its visible text taken as the pipeline takes
it (``winnow.dedup.visible.visible_text``); its body is the generator's own (title and paragraphs:
what a perfect cleaner keeps). Their samples (``winnow.dedup.visible.samples``) go to a DuckDB file
(``--samples``, kept: generating 100,000 takes ~15 minutes on a loaded machine). Then, for each
``--common`` (the number of pages above which a sampled shingle is common; 0: no cut, every
shingle counts, as before), in a fresh process limited as the flow is ([warehouse]
memory_limit_mb), every document is compared as new: candidates, planted copies proposed (a copy
and its original), seconds and the process's peak resident set (``VmHWM``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa

from corpus import DEFAULT_EVAL, ROOT

OUT = ROOT / "benchmarks" / "out" / "visible"


def build(db: Path, n: int, eval_dir: Path, seed: int = 7, dup_share: float = 0.07) -> None:
    import scalecorpus as sc
    from winnow.dedup.visible import sample_keys, samples, visible_text
    from winnow.settings import load_settings

    s = load_settings(ROOT / "config" / "winnow.toml").dedup
    body_key, page_key = sample_keys(s)
    m = sc.load_material(eval_dir)
    origin = sc.plan(n, dup_share, seed)
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    con.execute("CREATE OR REPLACE TABLE visible_signatures (doc_id VARCHAR, signature_key VARCHAR, minhash UINTEGER[])")
    con.execute("CREATE OR REPLACE TABLE truth (doc_id VARCHAR, copy_of VARCHAR)")
    step = 2000
    for lo in range(0, n, step):
        ids, bodies, pages, copies = [], [], [], []
        for i in range(lo, min(n, lo + step)):
            title, paras = sc.content(i, origin[i], m, seed, random.Random(f"{seed}:doc:{i}"))
            suffix, data = sc.document(i, origin[i], m, seed)
            text = (gzip.decompress(data) if suffix == ".html.gz" else data).decode("utf-8")
            pages.append(visible_text(text, "html" if "html" in suffix else "text"))
            bodies.append(title + "\n\n" + "\n\n".join(paras))
            ids.append(f"d{i:07d}")
            copies.append(None if origin[i] is None else f"d{origin[i]:07d}")
        rows = [(d, key, smp.tolist()) for key, texts in ((body_key, bodies), (page_key, pages))
                for d, smp in zip(ids, samples(texts, s))]
        batch = pa.table({"doc_id": [r[0] for r in rows], "signature_key": [r[1] for r in rows],  # noqa: F841
                          "minhash": pa.array([r[2] for r in rows], pa.list_(pa.uint32()))})
        con.execute("INSERT INTO visible_signatures SELECT * FROM batch")
        planted = pa.table({"doc_id": ids, "copy_of": pa.array(copies, pa.string())})  # noqa: F841
        con.execute("INSERT INTO truth SELECT * FROM planted")
        print(f"  {min(n, lo + step):,} documents sampled", flush=True)
    con.close()


MEASURE = """
import json, sys, time
import duckdb
from winnow.settings import load_settings
from winnow.storage.dedup import visible_candidates
db, n, common, config = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
s = load_settings(config)
con = duckdb.connect(db, config={"memory_limit": f"{s.warehouse.memory_limit_mb}MiB"})
ids = [r[0] for r in con.execute("SELECT DISTINCT doc_id FROM visible_signatures ORDER BY 1 LIMIT ?", [n]).fetchall()]
truth = con.execute("SELECT doc_id, copy_of FROM truth WHERE copy_of IS NOT NULL AND doc_id <= ?", [ids[-1]]).fetchall()
t = time.perf_counter()
out = {"documents": len(ids), "planted": len(truth)}
con.begin()
try:
    c = set(visible_candidates(con, s.dedup, ids, ids, common_pages=common or 10**9))
    out |= {"candidates": len(c), "proposed": sum(1 for a, b in truth if (min(a, b), max(a, b)) in c)}
except duckdb.Error as e:
    out["error"] = f"{type(e).__name__}: {str(e).splitlines()[0]}"
out["seconds"] = round(time.perf_counter() - t, 1)
out["peak_mb"] = round(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024)
print("VISIBLE " + json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--common", default="100,400,0", help="pages above which a sampled shingle is common; 0: no cut")
    ap.add_argument("--samples", type=Path, default=OUT / "samples.duckdb", help="built if missing (or --rebuild)")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    args = ap.parse_args()
    if args.rebuild or not args.samples.exists():
        print(f"sampling {args.docs:,} documents of scale.py's corpus into {args.samples}", flush=True)
        build(args.samples, args.docs, args.eval)
    config = ROOT / "config" / "winnow.toml"
    print(f"\n`python benchmarks/visible_candidates.py --docs {args.docs} --common {args.common}`\n")
    print("| common shingle: on more pages than | documents | candidates | planted copies proposed | seconds "
          "| process peak (MB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for common in (int(x) for x in args.common.split(",")):
        proc = subprocess.run([sys.executable, "-c", MEASURE, str(args.samples), str(args.docs), str(common), str(config)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-3000:])
        r = json.loads(next(x for x in proc.stdout.splitlines() if x.startswith("VISIBLE "))[8:])
        got = (f"{r['candidates']:,} | {r['proposed']:,} of {r['planted']:,}" if "error" not in r
               else f"**{r['error']}** | —")
        print(f"| {common if common else 'no cut (every shingle counts)'} | {r['documents']:,} | {got} | "
              f"{r['seconds']:.1f} | {r['peak_mb']} |", flush=True)


if __name__ == "__main__":
    main()
