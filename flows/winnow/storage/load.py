"""Load: runs, planning against what the warehouse already holds, and one-transaction batches.

A batch (documents, their removed segments, source-file rows, rejections) is
written in ONE transaction: a run killed half-way leaves only whole batches
behind, and the files of the missing batches are simply new to the next run.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable

import duckdb

from winnow import __version__
from winnow.dedup.visible import sample_keys_for
from winnow.clean.evidence import LineEvidence
from winnow.discover import Candidate
from winnow.read import hash_candidate
from winnow.records import BatchResult, Rejection
from winnow.settings import Settings
from winnow.stage import Stats
from winnow.storage.db import registered, transaction
from winnow.storage.queries import named
from winnow.storage.tables import BatchTables, db_path, rejected_table, tables_of


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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

def load_evidence(con) -> LineEvidence:
    """Snapshot of the line counts up to the last completed run, for the text cleaner."""
    counts = {int(h): int(n) for h, n in con.execute(named("evidence_counts")).fetchall()}
    total = con.execute(named("evidence_total")).fetchone()[0]
    return LineEvidence(counts, total)


def load_batch(con: duckdb.DuckDBPyConnection, run_id: str, fingerprint: str, batch: BatchResult,
               signature_key: str | None = None) -> Stats:
    """Write one batch in one transaction; the counts come back as ``load.*`` stats.

    The batch arrives as Arrow tables built by its worker (``winnow.storage.tables``), or as
    documents and rejections (a failed batch, a caller of its own), tabulated here. With
    ``signature_key``, the documents' MinHash signatures are stored under it, and their visible
    texts with theirs when the workers kept them (``winnow.dedup.visible``)."""
    tables = tables_of(batch)
    stats: Stats = Counter()
    now = utcnow()
    with transaction(con):
        with registered(con, _batch_ids=tables.docs.select(["doc_id"])):
            existing = {r[0] for r in con.execute(named("existing_docs")).fetchall()}
        new = tables.without(existing)
        stats["load.documents_new"] = new.docs.num_rows
        stats["load.documents_existing"] = tables.documents - new.docs.num_rows
        stats["load.rejected"] = tables.rejections
        with registered(con, _batch_docs=new.docs, _batch_removed=new.removed, _batch_sources=new.sources,
                        _batch_rejected=new.rejected, _batch_lines=new.lines):
            con.execute(named("insert_docs"), [run_id, now])
            con.execute(named("insert_removed"))
            con.execute(named("supersede_sources"), [run_id, fingerprint])
            con.execute(named("upsert_sources"), [fingerprint, run_id])
            stats["load.superseded_documents"] = con.execute(named("supersede_docs"), [now, run_id]).fetchone()[0]
            con.execute(named("resolve_retried"), [run_id, now])
            con.execute(named("insert_rejected"), [run_id, now])
            if new.lines.num_rows:
                con.execute(named("upsert_line_counts"), [run_id])
        if signature_key:
            if new.signatures.num_rows:
                with registered(con, _signatures=new.signatures):
                    con.execute(named("insert_signatures"), [signature_key])
            _store_visible(con, new, signature_key)
    return stats


def _store_visible(con, new: BatchTables, signature_key: str) -> None:
    """The visible texts of new documents and their signatures (``winnow.dedup.visible``)."""
    if not new.visible.num_rows:
        return
    with registered(con, _visible=new.visible):
        con.execute(named("insert_visible"))
    for key, sampled in zip(sample_keys_for(signature_key), new.visible_samples):
        if sampled.num_rows:
            with registered(con, _signatures=sampled):
                con.execute(named("insert_visible_signatures"), [key])


def record_rejections(con, run_id: str, rejections: list[Rejection]) -> int:
    """Rejections found before any batch (e.g. discovery: links leaving the input folder).

    Returns how many of them were recorded by an earlier run already (and are not again)."""
    if not rejections:
        return 0
    with registered(con, _batch_rejected=rejected_table(rejections)):
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
