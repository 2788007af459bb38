"""Load: runs, planning against what the warehouse already holds, and one-transaction batches.

A batch (documents, their removed segments, source-file rows, rejections) is
written in ONE transaction: a run killed half-way leaves only whole batches
behind, and the files of the missing batches are simply new to the next run.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

import duckdb
import numpy as np
import pyarrow as pa

from winnow import __version__
from winnow.dedup.visible import sample_keys_for
from winnow.clean.evidence import LineEvidence
from winnow.discover import Candidate
from winnow.read import hash_candidate
from winnow.records import BatchResult, Document, Rejection
from winnow.settings import Settings
from winnow.stage import Stats
from winnow.storage.db import registered, transaction
from winnow.storage.queries import named


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def db_path(path: str) -> str:
    """A path as stored in the warehouse: always valid UTF-8.

    File names are bytes; Python keeps bytes that are not UTF-8 as surrogate escapes, which no
    database column can hold (storing them failed every run). Each such byte is stored as the
    four characters ``\\xNN`` (backslash, x, two hex digits) and every other character as is,
    so the stored path names the original bytes and every run maps the file to the same row.
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


# ------------------------------------------------------------------- runs

def start_run(con, run_id: str, settings: Settings, inputs: list[str], flow_run_id: str | None) -> bool:
    """Register a run; False when it was registered already (a retried task)."""
    exists = con.execute(named("run_exists"), [run_id]).fetchone()[0]
    if exists:
        return False
    con.execute(
        named("start_run"),
        [run_id, utcnow(), __version__, settings.config_hash, settings.fingerprint, [db_path(i) for i in inputs],
         flow_run_id],
    )
    con.execute(named("mark_interrupted"), [run_id])
    return True


def last_run_completed(con) -> bool:
    """True when the latest run completed (or there is none): nothing of it is left to finish."""
    row = con.execute(named("last_run_status")).fetchone()
    return row is None or row[0] == "completed"


def corpus_size(con) -> int:
    return con.execute(named("corpus_size")).fetchone()[0]


def finish_run(con, run_id: str, status: str, summary: dict) -> None:
    con.execute(named("finish_run"), [utcnow(), status, json.dumps(summary, default=str), run_id])


# ------------------------------------------------------------------- planning

@dataclass
class Plan:
    """What a run has to do: files to process, and how many are unchanged."""

    todo: list[Candidate] = field(default_factory=list)
    unchanged: list[Candidate] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)  # paths whose content differs from the last run
    recleaned: set[str] = field(default_factory=set)  # same content, stored under other cleaning settings
    known_paths: set[str] = field(default_factory=set)
    rejected_before: int = 0  # discovery rejections an earlier run recorded already (unchanged)


def plan_files(con, candidates: Iterable[Candidate], settings: Settings) -> Plan:
    known: dict[str, set[str]] = {}
    other: dict[str, set[str]] = {}  # cleaned under other settings
    limit = settings.input.max_seconds_per_page
    for path, sha, same in con.execute(named("known_files"), [settings.fingerprint, limit, limit]).fetchall():
        (known if same else other).setdefault(path, set()).add(sha)
    plan = Plan(known_paths=set(known))
    for c in candidates:
        shas = known.get(db_path(c.path))
        if shas or db_path(c.path) in other:
            sha = hash_candidate(c, settings.input.follow_symlinks)
            if shas and sha in shas:
                plan.unchanged.append(c)
                continue
            (plan.recleaned if not shas and sha in other[db_path(c.path)] else plan.changed).add(c.path)
        plan.todo.append(c)
    return plan


# ------------------------------------------------------------------- loading

def _docs_table(docs: list[Document]) -> pa.Table:
    return pa.table(
        {
            "doc_id": [d.doc_id for d in docs],
            "sha256": [d.source.sha256 for d in docs],
            "fingerprint": [d.fingerprint for d in docs],
            "title": [d.title for d in docs],
            "text": [d.text for d in docs],
            "author": [d.author for d in docs],
            "published": [d.date for d in docs],
            "url": [d.url for d in docs],
            "language": [d.language for d in docs],
            "language_prob": pa.array([d.language_prob for d in docs], pa.float64()),
            "char_count": pa.array([d.char_count for d in docs], pa.int32()),
            "word_count": pa.array([d.word_count for d in docs], pa.int32()),
            "content_hash": [d.content_hash for d in docs],
            "source_type": [d.source.type for d in docs],
            "extractor": [d.extractor for d in docs],
            "extractor_version": [d.extractor_version for d in docs],
        },
        schema=pa.schema(
            [
                ("doc_id", pa.string()), ("sha256", pa.string()), ("fingerprint", pa.string()),
                ("title", pa.string()), ("text", pa.string()), ("author", pa.string()),
                ("published", pa.string()), ("url", pa.string()), ("language", pa.string()),
                ("language_prob", pa.float64()), ("char_count", pa.int32()), ("word_count", pa.int32()),
                ("content_hash", pa.string()), ("source_type", pa.string()), ("extractor", pa.string()),
                ("extractor_version", pa.string()),
            ]
        ),
    )


def _removed_table(docs: list[Document]) -> pa.Table:
    rows = [(d.doc_id, i, r.line_no, r.reason, r.score, r.text) for d in docs for i, r in enumerate(d.removed)]
    cols = list(zip(*rows)) if rows else [[]] * 6
    return pa.table(
        [
            pa.array(cols[0], pa.string()), pa.array(cols[1], pa.int32()), pa.array(cols[2], pa.int32()),
            pa.array(cols[3], pa.string()), pa.array(cols[4], pa.float64()), pa.array(cols[5], pa.string()),
        ],
        names=["doc_id", "seq", "line_no", "reason", "score", "text"],
    )


def _sources_table(docs: list[Document], rejections: list[Rejection], containers=()) -> pa.Table:
    rows = []

    def when(s):
        return datetime.fromtimestamp(s.mtime, timezone.utc)

    for s in containers:  # WARC files: their own version, first (a bad record's rejection shares its sha256)
        rows.append((db_path(s.path), s.sha256, s.size, when(s), s.type, None, s.compressed, None, None,
                     "container", None, None, None, None))
    for d in docs:
        s = d.source
        rows.append((db_path(s.path), s.sha256, s.size, when(s), s.type, s.encoding, s.compressed,
                     s.decode_errors, d.doc_id, "document", s.record_offset, s.record_id, s.target_uri,
                     s.warc_date))
    for r in rejections:
        if r.sha256:  # readable content: remembered, so an unchanged bad file is not retried every run
            rows.append((db_path(r.path), r.sha256, r.size, None, None, None, None, None, None, "rejected",
                         None, None, None, None))
    names = ["path", "sha256", "size", "mtime", "type", "encoding", "compressed", "decode_errors", "doc_id", "outcome",
             "record_offset", "record_id", "target_uri", "warc_date"]
    types = [pa.string(), pa.string(), pa.int64(), pa.timestamp("us", tz="UTC"), pa.string(), pa.string(),
             pa.bool_(), pa.int32(), pa.string(), pa.string(), pa.int64(), pa.string(), pa.string(), pa.string()]
    cols = list(zip(*rows)) if rows else [[]] * len(names)
    # one row per (path, sha256): the same file listed twice in a batch counts once
    table = pa.table([pa.array(c, t) for c, t in zip(cols, types)], names=names)
    seen, keep = set(), []
    for i, (p, h) in enumerate(zip(table.column("path").to_pylist(), table.column("sha256").to_pylist())):
        if (p, h) not in seen:
            seen.add((p, h))
            keep.append(i)
    return table.take(pa.array(keep, pa.int64()))


def _rejected_table(rejections: list[Rejection]) -> pa.Table:
    return pa.table(
        {
            "path": pa.array([db_path(r.path) for r in rejections], pa.string()),
            "sha256": pa.array([r.sha256 for r in rejections], pa.string()),
            "size": pa.array([r.size for r in rejections], pa.int64()),
            "reason": pa.array([r.reason for r in rejections], pa.string()),
            "detail": pa.array([db_path(r.detail) for r in rejections], pa.string()),
            "text": pa.array([r.text for r in rejections], pa.string()),
            "time_limit_seconds": pa.array([r.time_limit for r in rejections], pa.float64()),
        }
    )


def _lines_table(docs: list[Document]) -> pa.Table:
    counts: dict[int, int] = {}
    for d in docs:
        for h in d.line_hashes:
            counts[h] = counts.get(h, 0) + 1
    keys = sorted(counts)
    return pa.table({"line_hash": pa.array(keys, pa.uint64()),
                     "documents": pa.array([counts[k] for k in keys], pa.int32())})


def load_evidence(con) -> LineEvidence:
    """Snapshot of the line counts up to the last completed run, for the text cleaner."""
    counts = {int(h): int(n) for h, n in con.execute(named("evidence_counts")).fetchall()}
    total = con.execute(named("evidence_total")).fetchone()[0]
    return LineEvidence(counts, total)


def _signatures_table(docs: list[Document]) -> pa.Table:
    signed = [d for d in docs if d.signature is not None]
    return samples_table([d.doc_id for d in signed], [d.signature for d in signed])


def samples_table(doc_ids: list[str], values: list) -> pa.Table:
    """Rows of ``doc_signatures``/``visible_signatures``: a document and a list of ``uint32``."""
    return pa.table({
        "doc_id": pa.array(doc_ids, pa.string()),
        "minhash": pa.array([np.asarray(v).tolist() for v in values], pa.list_(pa.uint32())),
    })


def _visible_table(docs: list[Document]) -> pa.Table:
    return pa.table({"doc_id": pa.array([d.doc_id for d in docs], pa.string()),
                     "text": pa.array([d.visible for d in docs], pa.string())})


def _store_visible(con, docs: list[Document], signature_key: str) -> None:
    """The visible texts of new documents and their signatures (``winnow.dedup.visible``)."""
    seen = [d for d in docs if d.visible]
    if not seen:
        return
    with registered(con, _visible=_visible_table(seen)):
        con.execute(named("insert_visible"))
    sampled = [d for d in seen if d.visible_samples is not None]
    for i, key in enumerate(sample_keys_for(signature_key)):
        if sampled:
            with registered(con, _signatures=samples_table([d.doc_id for d in sampled],
                                                           [d.visible_samples[i] for d in sampled])):
                con.execute(named("insert_visible_signatures"), [key])


def load_batch(con: duckdb.DuckDBPyConnection, run_id: str, fingerprint: str, batch: BatchResult,
               signature_key: str | None = None) -> Stats:
    """Write one batch in one transaction; the counts come back as ``load.*`` stats.

    With ``signature_key``, the documents' MinHash signatures are stored under it, and their visible
    texts with theirs when the workers kept them (``winnow.dedup.visible``)."""
    stats: Stats = Counter()
    now = utcnow()
    unique: dict[str, Document] = {}
    for d in batch.documents:
        unique.setdefault(d.doc_id, d)
    with transaction(con):
        with registered(con, _batch_ids=pa.table({"doc_id": pa.array(list(unique), pa.string())})):
            existing = {r[0] for r in con.execute(named("existing_docs")).fetchall()}
        new_docs = [d for d in unique.values() if d.doc_id not in existing]
        stats["load.documents_new"] = len(new_docs)
        stats["load.documents_existing"] = len(batch.documents) - len(new_docs)
        stats["load.rejected"] = len(batch.rejections)
        lines = _lines_table(new_docs)
        with registered(con, _batch_docs=_docs_table(new_docs), _batch_removed=_removed_table(new_docs),
                        _batch_sources=_sources_table(batch.documents, batch.rejections, batch.containers),
                        _batch_rejected=_rejected_table(batch.rejections), _batch_lines=lines):
            con.execute(named("insert_docs"), [run_id, now])
            con.execute(named("insert_removed"))
            con.execute(named("supersede_sources"), [run_id, fingerprint])
            con.execute(named("upsert_sources"), [fingerprint, run_id])
            stats["load.superseded_documents"] = con.execute(named("supersede_docs"), [now, run_id]).fetchone()[0]
            con.execute(named("resolve_retried"), [run_id, now])
            con.execute(named("insert_rejected"), [run_id, now])
            if lines.num_rows:
                con.execute(named("upsert_line_counts"), [run_id])
        if signature_key:
            sigs = _signatures_table(new_docs)
            if sigs.num_rows:
                with registered(con, _signatures=sigs):
                    con.execute(named("insert_signatures"), [signature_key])
            _store_visible(con, new_docs, signature_key)
    return stats


def record_rejections(con, run_id: str, rejections: list[Rejection]) -> int:
    """Rejections found before any batch (e.g. discovery: links leaving the input folder).

    Returns how many of them were recorded by an earlier run already (and are not again)."""
    if not rejections:
        return 0
    with registered(con, _batch_rejected=_rejected_table(rejections)):
        added = con.execute(named("insert_rejected"), [run_id, utcnow()]).fetchone()[0]
    return len(rejections) - added


def begin_run(con, run_id: str, settings: Settings, inputs: list[str], flow_run_id: str | None,
              rejections: list[Rejection]) -> int:
    """Register the run and its discovery rejections in one transaction (safe to retry).

    Returns the number of discovery rejections already recorded by an earlier run."""
    with transaction(con):
        if start_run(con, run_id, settings, inputs, flow_run_id):
            return record_rejections(con, run_id, rejections)
    return 0
