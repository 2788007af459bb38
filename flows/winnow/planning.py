"""Plan a run before starting Prefect: what is new, and a run with nothing new done at once.

A one-off ``winnow ingest`` first discovers its inputs and compares them with the
warehouse (plain Python, no Prefect). With files to process, the plan is handed to
the Prefect flow, which does not discover or hash again. With nothing new, the run
is finished here in about a second, without starting Prefect's server: it is still
recorded in ``runs`` (with its summary; ``prefect_started: false``, no Prefect flow run), and still finishes
what an interrupted run left undone (dedup, and the export when the last run did
not complete). Scheduled and deployed runs always go through the flow.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from winnow import __version__
from winnow.clean.evidence import LineEvidence
from winnow.discover import Discovery, discover
from winnow.settings import Settings
from winnow.storage import db as wdb
from winnow.storage import load as wload
from winnow.storage.dedup import run_dedup
from winnow.storage.export import export_corpus, protected_paths
from winnow.summary import RunSummary, plan_stats


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


@dataclass
class Prepared:
    """What a run has to do, worked out before it starts."""

    inputs: list[str]
    discovery: Discovery
    plan: wload.Plan
    evidence: Optional[LineEvidence]
    last_run_completed: bool  # False when the latest run died or failed: finish its export too

    @property
    def nothing_new(self) -> bool:
        return not self.plan.todo


def prepare(inputs: list[str], settings: Settings) -> Prepared:
    """Discover the inputs and plan them against the warehouse (the caller holds the run lock)."""
    discovery = discover(inputs, follow_symlinks=settings.input.follow_symlinks)
    with wdb.open_write(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds,
                       memory_mb=settings.warehouse.memory_limit_mb) as con:
        evidence = wload.load_evidence(con) if settings.clean.corpus_evidence else None
        plan = wload.plan_files(con, discovery.candidates, settings)
        completed = wload.last_run_completed(con)
    return Prepared(list(inputs), discovery, plan, evidence, completed)


def close_failed(run_id: str, summary: RunSummary, settings: Settings) -> None:
    """Close a run's row as ``failed`` with the summary it reached, on a new connection (the failed
    one may be in an aborted transaction), waiting out a ``winnow sql`` reader; if even that fails,
    the row stays ``running`` and the next run marks it interrupted."""
    patient = max(settings.warehouse.lock_timeout_seconds, settings.sql.timeout_seconds + 5)
    summary.status = "failed"
    try:
        with wdb.open_write(Path(settings.warehouse.db), patient,
                            memory_mb=settings.warehouse.memory_limit_mb) as con:
            summary.corpus_documents = wload.corpus_size(con)
            wload.finish_run(con, run_id, "failed", summary.to_dict())
    except Exception:
        pass


def finish_nothing_new(run_id: str, prepared: Prepared, settings: Settings, export: bool) -> dict:
    """A run with no file to process, done without Prefect and recorded in ``runs``."""
    started = time.perf_counter()
    summary = RunSummary(run_id=run_id, pipeline_version=__version__, config_hash=settings.config_hash)
    try:
        with wdb.open_write(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds,
                           memory_mb=settings.warehouse.memory_limit_mb) as con:
            rejected_before = wload.begin_run(con, run_id, settings, prepared.inputs, None,
                                              prepared.discovery.rejections)
            prepared.plan.rejected_before = rejected_before
            summary.add(plan_stats(prepared.discovery, prepared.plan))
            with summary.timed("dedup"):
                dedup = run_dedup(con, run_id, settings)
            summary.add(dedup.as_stats())
            stale = dedup.changed > 0 or not prepared.last_run_completed
            if export and (stale or not Path(settings.warehouse.export_dir).exists()):
                with summary.timed("export"):
                    summary.export = asdict(export_corpus(con, settings.warehouse.export_dir,
                                                          protected=protected_paths(settings)))
            summary.seconds_work = time.perf_counter() - started
            summary.status = "completed"
            summary.corpus_documents = wload.corpus_size(con)
            wload.finish_run(con, run_id, "completed", summary.to_dict())
    except Exception:  # the run row is closed as `failed` (as a flow run's is), then the error goes on
        summary.seconds_work = time.perf_counter() - started
        close_failed(run_id, summary, settings)
        raise
    return summary.to_dict()
