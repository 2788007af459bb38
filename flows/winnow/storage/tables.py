"""A batch as the Arrow tables the warehouse loads (``winnow.storage.load``), built where it was cleaned.

A batch of 200 files is about 200 documents and 12,000 removed segments: as Python objects,
pickled by the worker and unpickled by the flow's process, then walked again there to build
the tables its SQL reads (``warehouse/queries/load.sql``): about 90 ms of the flow's CPU per
batch, on the cores the workers clean on, and the last batches' share of it in the run's tail.
Built by the worker (``winnow.flow.process_batch_task``), the tables cross as Arrow buffers
(a few ms to unpickle) and the flow only inserts them.

Pure pyarrow and numpy: no DuckDB, no Prefect.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from datetime import datetime, timezone
from typing import Iterable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from winnow.records import BatchResult, Document, Rejection, SourceFile


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


@dataclass
class BatchTables:
    """One batch, table by table. ``docs`` and the tables keyed by ``doc_id`` hold each document
    once (the first of a batch's documents with that id); ``sources`` holds every file version
    of the batch once; ``lines`` one row per line hash of each text document (counted on load)."""

    docs: pa.Table
    removed: pa.Table
    sources: pa.Table
    rejected: pa.Table
    lines: pa.Table
    signatures: pa.Table
    visible: pa.Table
    visible_samples: tuple[pa.Table, ...]  # (bodies, pages): the samples of winnow.dedup.visible
    documents: int  # the batch's documents, one repeated in the batch counted each time
    rejections: int

    def without(self, doc_ids: set[str]) -> "BatchTables":
        """The same batch without the documents ``doc_ids`` (already in the warehouse): their
        rows of every table keyed by document; the sources and rejections stay."""
        if not doc_ids:
            return self
        gone = pa.array(sorted(doc_ids), pa.string())

        def keep(table: pa.Table) -> pa.Table:
            return table.filter(pc.invert(pc.is_in(table.column("doc_id"), value_set=gone)))

        keyed = {f.name: keep(getattr(self, f.name)) for f in fields(self)
                 if f.name in ("docs", "removed", "lines", "signatures", "visible")}
        return replace(self, **keyed, visible_samples=tuple(keep(t) for t in self.visible_samples))


def batch_tables(documents: Sequence[Document], rejections: Sequence[Rejection],
                 containers: Iterable[SourceFile] = ()) -> BatchTables:
    unique: dict[str, Document] = {}
    for d in documents:
        unique.setdefault(d.doc_id, d)
    docs = list(unique.values())
    seen = [d for d in docs if d.visible]
    sampled = [d for d in seen if d.visible_samples is not None]
    signed = [d for d in docs if d.signature is not None]
    return BatchTables(
        docs=docs_table(docs), removed=removed_table(docs),
        sources=sources_table(documents, rejections, containers), rejected=rejected_table(rejections),
        lines=lines_table(docs), signatures=samples_table([d.doc_id for d in signed], [d.signature for d in signed]),
        visible=visible_table(seen),
        visible_samples=tuple(samples_table([d.doc_id for d in sampled], [d.visible_samples[i] for d in sampled])
                              for i in range(2)),
        documents=len(documents), rejections=len(rejections))


def tabulate(result: BatchResult) -> BatchResult:
    """``result`` with its documents and rejections as ``BatchTables`` (``result.tables``), the
    objects dropped: what a worker hands back to the flow."""
    result.tables = batch_tables(result.documents, result.rejections, result.containers)
    result.documents, result.rejections, result.containers = [], [], []
    return result


def tables_of(result: BatchResult) -> BatchTables:
    """The tables of a batch, tabulated by its worker or (a failed batch's rejections) here."""
    if result.tables is not None:
        return result.tables
    return batch_tables(result.documents, result.rejections, result.containers)


# ------------------------------------------------------------------- the tables

DOCS_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("sha256", pa.string()), ("fingerprint", pa.string()),
    ("title", pa.string()), ("text", pa.string()), ("author", pa.string()),
    ("published", pa.string()), ("url", pa.string()), ("language", pa.string()),
    ("language_prob", pa.float64()), ("char_count", pa.int32()), ("word_count", pa.int32()),
    ("content_hash", pa.string()), ("source_type", pa.string()), ("extractor", pa.string()),
    ("extractor_version", pa.string()),
])


def docs_table(docs: Sequence[Document]) -> pa.Table:
    columns = [
        [d.doc_id for d in docs], [d.source.sha256 for d in docs], [d.fingerprint for d in docs],
        [d.title for d in docs], [d.text for d in docs], [d.author for d in docs], [d.date for d in docs],
        [d.url for d in docs], [d.language for d in docs], [d.language_prob for d in docs],
        [d.char_count for d in docs], [d.word_count for d in docs], [d.content_hash for d in docs],
        [d.source.type for d in docs], [d.extractor for d in docs], [d.extractor_version for d in docs],
    ]
    return pa.table([pa.array(c, f.type) for c, f in zip(columns, DOCS_SCHEMA)], schema=DOCS_SCHEMA)


def removed_table(docs: Sequence[Document]) -> pa.Table:
    rows = [(d.doc_id, i, r.line_no, r.reason, r.score, r.text) for d in docs for i, r in enumerate(d.removed)]
    cols = list(zip(*rows)) if rows else [[]] * 6
    return pa.table(
        [
            pa.array(cols[0], pa.string()), pa.array(cols[1], pa.int32()), pa.array(cols[2], pa.int32()),
            pa.array(cols[3], pa.string()), pa.array(cols[4], pa.float64()), pa.array(cols[5], pa.string()),
        ],
        names=["doc_id", "seq", "line_no", "reason", "score", "text"],
    )


SOURCE_COLUMNS = [
    ("path", pa.string()), ("sha256", pa.string()), ("size", pa.int64()), ("mtime", pa.timestamp("us", tz="UTC")),
    ("type", pa.string()), ("encoding", pa.string()), ("compressed", pa.bool_()), ("decode_errors", pa.int32()),
    ("doc_id", pa.string()), ("outcome", pa.string()), ("record_offset", pa.int64()), ("record_id", pa.string()),
    ("target_uri", pa.string()), ("warc_date", pa.string()),
]


def sources_table(docs: Sequence[Document], rejections: Sequence[Rejection],
                  containers: Iterable[SourceFile] = ()) -> pa.Table:
    """One row per file version (path, sha256) of the batch: a file listed twice counts once."""
    rows, seen = [], set()

    def when(s):
        return datetime.fromtimestamp(s.mtime, timezone.utc)

    def add(row):
        if (row[0], row[1]) not in seen:
            seen.add((row[0], row[1]))
            rows.append(row)

    for s in containers:  # WARC files: their own version, first (a bad record's rejection shares its sha256)
        add((db_path(s.path), s.sha256, s.size, when(s), s.type, None, s.compressed, None, None,
             "container", None, None, None, None))
    for d in docs:
        s = d.source
        add((db_path(s.path), s.sha256, s.size, when(s), s.type, s.encoding, s.compressed,
             s.decode_errors, d.doc_id, "document", s.record_offset, s.record_id, s.target_uri, s.warc_date))
    for r in rejections:
        if r.sha256:  # readable content: remembered, so an unchanged bad file is not retried every run
            add((db_path(r.path), r.sha256, r.size, None, None, None, None, None, None, "rejected",
                 None, None, None, None))
    cols = list(zip(*rows)) if rows else [[]] * len(SOURCE_COLUMNS)
    return pa.table([pa.array(c, t) for c, (_, t) in zip(cols, SOURCE_COLUMNS)],
                    names=[n for n, _ in SOURCE_COLUMNS])


def rejected_table(rejections: Sequence[Rejection]) -> pa.Table:
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


def lines_table(docs: Sequence[Document]) -> pa.Table:
    """The line hashes of the documents' text (corpus evidence), one row each, with the document."""
    counts = [len(d.line_hashes) for d in docs]
    hashes = np.fromiter((h for d in docs for h in d.line_hashes), np.uint64, sum(counts))
    return pa.table({"doc_id": pa.array(np.repeat(np.array([d.doc_id for d in docs], dtype=object), counts)
                                        if docs else [], pa.string()),
                     "line_hash": pa.array(hashes, pa.uint64())})


def samples_table(doc_ids: Sequence[str], values: Sequence) -> pa.Table:
    """Rows of ``doc_signatures``/``visible_signatures``: a document and a list of ``uint32``
    (a MinHash signature, or a sample of shingle hashes), built from the arrays in one piece."""
    arrays = [np.asarray(v, dtype=np.uint32) for v in values]
    offsets = np.zeros(len(arrays) + 1, dtype=np.int32)
    np.cumsum([len(a) for a in arrays], out=offsets[1:])
    flat = np.concatenate(arrays) if arrays else np.empty(0, dtype=np.uint32)
    return pa.table({
        "doc_id": pa.array(list(doc_ids), pa.string()),
        "minhash": pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(flat, pa.uint32())),
    })


def visible_table(docs: Sequence[Document]) -> pa.Table:
    return pa.table({"doc_id": pa.array([d.doc_id for d in docs], pa.string()),
                     "text": pa.array([d.visible for d in docs], pa.string())})


def doc_ids_table(ids: Iterable[str]) -> pa.Table:
    return pa.table({"doc_id": pa.array(list(ids), pa.string())})

