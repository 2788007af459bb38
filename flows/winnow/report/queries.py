"""The report's numbers: the SQL files in ``warehouse/report/`` run on a read-only connection.

The words of the removed lines are counted here with winnow's word counter (``winnow.vocab``,
the one behind ``documents.word_count``) and registered as ``report_segment_words``; then
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


def _segment_words(con: duckdb.DuckDBPyConnection) -> pa.Table:
    ids, seqs, texts = [], [], []
    for doc_id, seq, text in con.execute(report_sql("segment_texts")).fetchall():
        ids.append(doc_id)
        seqs.append(seq)
        texts.append(text)
    words = word_counts(texts) if texts else []
    return pa.table({"doc_id": pa.array(ids, pa.string()), "seq": pa.array(seqs, pa.int32()),
                     "words": pa.array([int(w) for w in words], pa.int64())})


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
