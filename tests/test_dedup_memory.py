"""What comparing new documents with the warehouse (``find_new_pairs``: signatures, LSH candidates,
verification) holds in Python per document of the warehouse, measured with ``tracemalloc`` (every
Python object and numpy array; not DuckDB's own memory, which ``[warehouse] memory_limit_mb``
bounds) on one warehouse grown as ``benchmarks/grown.py`` grows it: the peak's gain from one size
to the next, with the chunks (candidates, verification) smaller than the warehouse. Deterministic:
allocations, not a sampled resident set. The code that held every compared document's signature,
band hashes and their sorted copies in Python fails it (8.1 kB per document here)."""

from __future__ import annotations

import json
import sys
import tracemalloc
from pathlib import Path

from conftest import DATA, ROOT, ingest, make_settings

sys.path.insert(0, str(ROOT / "benchmarks"))

import grown  # noqa: E402

MAX_KB_PER_DOCUMENT = 1.0


def _corpus(folder: Path, n: int) -> None:
    """``n`` short text files: versions of the dedup fixtures' articles, a paragraph dropped and the
    others rotated, so that versions of one article are near copies (candidates to verify)."""
    articles = list(json.loads((DATA / "dedup" / "articles.json").read_text(encoding="utf-8"))["articles"].values())
    folder.mkdir()
    for i in range(n):
        paras = [p for p in articles[i % len(articles)]["body"].split("\n") if p.strip()]
        k = (i // len(articles)) % len(paras)
        kept = paras[k + 1:] + paras[:k]
        (folder / f"{i:03d}.txt").write_text("\n\n".join(kept) + "\n", encoding="utf-8")


def _python_peak_kb(settings, db: Path) -> tuple[float, dict]:
    from winnow.storage import dedup
    from winnow.storage.db import open_write, transaction
    from winnow.storage.queries import named

    s = settings.with_db(str(db))
    stats = dedup.DedupStats()
    with open_write(db, 20, memory_mb=s.warehouse.memory_limit_mb) as con, transaction(con):
        first = {}  # one document per content hash, as run_dedup compares them
        for doc_id, content_hash, *_ in con.execute(named("active_docs")).fetchall():
            first.setdefault(content_hash, doc_id)
        reps = sorted(first.values())
        tracemalloc.start()
        try:
            dedup.find_new_pairs(con, "grown", s, reps, stats)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak / 1024, stats.as_stats()


def test_comparing_with_the_warehouse_holds_little_python_memory_per_document(tmp_path, monkeypatch):
    import winnow.storage.dedup
    import winnow.storage.lsh_candidates

    monkeypatch.setattr(winnow.storage.dedup, "VERIFY_CHUNK", 50)
    monkeypatch.setattr(winnow.storage.lsh_candidates, "CHUNK", 100)
    _corpus(tmp_path / "corpus", 54)
    s = make_settings(tmp_path / "base", dedup={"visible_text": False})
    ingest([tmp_path / "corpus"], s, export=False)
    rows = []
    for times in (2, 60, 300):  # the first: a warm-up (what the first comparison of a process loads once)
        db = tmp_path / f"grown{times}" / "w.duckdb"
        db.parent.mkdir()
        grown.grow(Path(s.warehouse.db), db, times)
        kb, st = _python_peak_kb(s, db)
        rows.append((st["dedup.compared"], kb, st["dedup.candidate_pairs"], st["dedup.new_pairs"]))
    (n0, p0, c0, f0), (n1, p1, c1, f1) = rows[1:]
    assert n1 == 5 * n0 and f0 > 0 and (c1, f1) == (5 * c0, 5 * f0), rows  # each copy finds the original's pairs
    per_doc = (p1 - p0) / (n1 - n0)
    assert per_doc < MAX_KB_PER_DOCUMENT, f"{per_doc:.2f} kB more per document: {rows}"
