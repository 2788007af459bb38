"""The boilerplate filter of dedup on N stored signatures: every signature sorted per slot in
Python (``drop_boilerplate_pairs``, what each run did) against the count in DuckDB over the stored
signatures (``winnow.storage.dedup._drop_boilerplate_pairs``, what each run does), side by side.

    python benchmarks/boilerplate_cost.py [--docs 100000] [--pairs 7000] [--repeat 2]

A warehouse of N signatures of 128 slots (values drawn from a pool so that some repeat across
documents, as quoted sentences and sidebars do) and P verified pairs is written to a temporary
DuckDB file; both ways run on it in this process, alternately, and must keep the same pairs.
Printed: seconds of each (the best of ``--repeat``) and their ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "flows"))

from winnow.dedup.boilerplate import drop_boilerplate_pairs  # noqa: E402
from winnow.settings import DedupSettings  # noqa: E402
from winnow.storage import dedup as wdedup  # noqa: E402
from winnow.storage.db import open_write, registered  # noqa: E402
from winnow.storage.queries import named  # noqa: E402

KEY = "bench"


def build(db: Path, n: int, n_pairs: int, seed: int = 0) -> tuple[list[str], list[tuple]]:
    rng = np.random.default_rng(seed)
    ids = [f"d{i:07d}" for i in range(n)]
    sigs = rng.integers(0, 2**32, (n, 128), dtype=np.uint64).astype(np.uint32)
    pool = rng.integers(0, 2**32, (64, 128), dtype=np.uint64).astype(np.uint32)  # a few "sidebars"
    holders = rng.random((n, 128)) < 0.05
    sigs[holders] = pool[rng.integers(0, 64, holders.sum()), np.nonzero(holders)[1]]
    pairs = set()
    for a, b in rng.integers(0, n, (n_pairs, 2)):
        if a != b:
            a, b = min(a, b), max(a, b)
            take = rng.random(128) < 0.8
            sigs[b, take] = sigs[a, take]
            pairs.add((ids[a], ids[b], 0.9, 0.9))
    with open_write(db, 60) as con, registered(con, _signatures=pa.table({
            "doc_id": pa.array(ids, pa.string()),
            "minhash": pa.FixedSizeListArray.from_arrays(pa.array(sigs.ravel(), pa.uint32()), 128).cast(
                pa.list_(pa.uint32()))})):
        con.execute(named("insert_signatures"), [KEY])
    return ids, sorted(pairs)


def in_python(con, ids, pairs, s) -> list:
    loaded, sigs = wdedup._load_signatures(con, KEY, ids)
    return drop_boilerplate_pairs(pairs, loaded, sigs, s.boilerplate_clusters, cluster_share=s.boilerplate_share)


def in_duckdb(con, ids, pairs, s) -> list:
    return wdedup._drop_boilerplate_pairs(con, KEY, pairs, ids, s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--pairs", type=int, default=7_000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    s = DedupSettings()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "w.duckdb"
        ids, pairs = build(db, args.docs, args.pairs)
        best = {"python": float("inf"), "duckdb": float("inf")}
        kept = {}
        with open_write(db, 60) as con:
            for _ in range(args.repeat):
                for name, way in (("python", in_python), ("duckdb", in_duckdb)):
                    t0 = time.perf_counter()
                    kept[name] = way(con, ids, pairs, s)
                    best[name] = min(best[name], time.perf_counter() - t0)
    print(f"{args.docs:,} signatures, {len(pairs):,} pairs; kept {len(kept['duckdb']):,} "
          f"(same pairs both ways: {kept['python'] == kept['duckdb']})")
    print(f"sorted per slot in Python (all signatures loaded): {best['python']:.2f} s")
    print(f"counted in DuckDB (the pairs' signatures loaded):  {best['duckdb']:.2f} s")
    print(f"ratio: {best['python'] / best['duckdb']:.1f}x")


if __name__ == "__main__":
    main()
