"""The report's numbers: the SQL files in ``warehouse/report/`` run on a read-only connection.

The words of the removed lines are counted here with winnow's word counter (``winnow.vocab``,
the one behind ``documents.word_count``), summed per document and reason as the lines stream
in, and registered as ``report_segment_words``; then
``setup.sql`` defines a temporary macro and view (nothing is written to the warehouse), and
every other file is one query whose rows become a list of dicts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from winnow.storage.db import sql_dir
from winnow.storage.queries import dicts
from winnow.vocab import word_counts


def report_sql(name: str) -> str:
    return (sql_dir() / "report" / f"{name}.sql").read_text(encoding="utf-8")


def rows(con: duckdb.DuckDBPyConnection, name: str, params: list | None = None) -> list[dict[str, Any]]:
    return dicts(con.execute(report_sql(name), params or []))


@dataclass
class ReportData:
    glance: dict[str, Any]
    languages: list[dict]
    source_types: list[dict]
    sites: list[dict]
    boilerplate: list[dict]
    removal_reasons: list[dict]
    rejection_reasons: list[dict]
    cluster_sizes: list[dict]
    largest_clusters: list[dict]  # one row per member
    runs: list[dict]
    documents: list[dict]  # the browser's documents, each with its "removed" lines
    documents_total: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


SEGMENT_CHUNK = 100_000  # removed lines whose words are counted at a time


def _segment_words(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Words of the corpus documents' removed lines, per document and reason: (doc_id, reason, lines, words).

    The lines stream from DuckDB ``SEGMENT_CHUNK`` at a time and each chunk is summed as it
    arrives, so memory follows the number of documents, not the number of removed lines
    (fetching them all held every removed line of the corpus in the flow's process: the report
    was the flow's largest step, ~1 GB at 5,000 documents, growing ~45 kB per document).
    """
    keys, parts = ["doc_id", "reason"], []
    with con.cursor() as cur:  # a streaming result holds its connection until it is read to the end
        rel = cur.sql(report_sql("segment_texts"))
        reader = (rel.to_arrow_reader(SEGMENT_CHUNK) if hasattr(rel, "to_arrow_reader")
                  else rel.fetch_arrow_reader(SEGMENT_CHUNK))
        for batch in reader:
            words = word_counts(batch.column("text").to_pylist())
            chunk = pa.table({"doc_id": batch.column("doc_id"), "reason": batch.column("reason"),
                              "words": pa.array(words, pa.int64())})
            parts.append(chunk.group_by(keys).aggregate([("words", "count"), ("words", "sum")]))
    if not parts:
        return pa.table({"doc_id": pa.array([], pa.string()), "reason": pa.array([], pa.string()),
                         "lines": pa.array([], pa.int64()), "words": pa.array([], pa.int64())})
    total = pa.concat_tables(parts).group_by(keys).aggregate([("words_count", "sum"), ("words_sum", "sum")])
    return pa.table({"doc_id": total.column("doc_id"), "reason": total.column("reason"),
                     "lines": total.column("words_count_sum"), "words": total.column("words_sum_sum")})


def gather(con: duckdb.DuckDBPyConnection, *, largest_clusters: int, browser_documents: int) -> ReportData:
    con.register("report_segment_words", _segment_words(con))
    con.execute(report_sql("setup"))
    glance = rows(con, "glance")[0]
    runs = rows(con, "runs")
    for r in runs:
        r["step_seconds"] = json.loads(r["step_seconds"]) if r["step_seconds"] else {}
    docs = rows(con, "browser_documents", [browser_documents])
    removed: dict[str, list[dict]] = {d["doc_id"]: [] for d in docs}
    for r in rows(con, "browser_removed", [list(removed)]):
        removed[r.pop("doc_id")].append(r)
    for d in docs:
        d["removed"] = removed[d["doc_id"]]
    return ReportData(
        glance=glance,
        languages=rows(con, "languages"),
        source_types=rows(con, "source_types"),
        sites=rows(con, "sites"),
        boilerplate=rows(con, "boilerplate"),
        removal_reasons=rows(con, "removal_reasons"),
        rejection_reasons=rows(con, "rejection_reasons"),
        cluster_sizes=rows(con, "cluster_sizes"),
        largest_clusters=rows(con, "largest_clusters", [largest_clusters]),
        runs=runs,
        documents=docs,
        documents_total=glance["documents"],
    )
