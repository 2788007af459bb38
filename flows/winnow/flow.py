"""The Prefect ingest flow: thin orchestration over winnow's plain modules.

    discover -> plan (what is new?) -> process batches (read, clean, language)
             -> load each batch (one transaction) -> dedup -> export -> summary

Tasks work on batches of files (``flow.batch_size``), so Prefect's per-task cost
stays small next to the work. Processing tasks may run anywhere (threads, or
Dask workers with ``--runner dask``); every write to DuckDB happens in the flow's
own process, one batch at a time, holding the warehouse file only while loading.

Call ``winnow.prefect_env.configure_prefect`` before importing this module.
"""

from __future__ import annotations

import os
import secrets
import time
from collections import Counter
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from winnow import __version__
from winnow.clean.evidence import LineEvidence
from winnow.discover import Candidate, Discovery, discover
from winnow.pipeline import BatchResult, process_files
from winnow.settings import Settings, load_settings, settings_from_mapping
from winnow.storage import db as wdb
from winnow.storage import load as wload
from winnow.storage.dedup import run_dedup
from winnow.storage.export import check_target, export_corpus, protected_paths
from winnow.summary import RunSummary

# Set by the CLI to draw a progress bar: progress(stage, done, total).
ProgressHook = Callable[[str, int, int], None]
progress_hook: Optional[ProgressHook] = None
_timing: dict[str, float] = {}


def _progress(stage: str, done: int, total: int) -> None:
    if progress_hook is not None:
        progress_hook(stage, done, total)


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


# ------------------------------------------------------------------ tasks

class Payload:
    """Carries a big argument (a batch, the evidence) through Prefect untouched.

    Prefect walks task arguments that are lists, dicts and dataclasses looking for futures;
    for a batch of documents that walk costs more than loading the batch. A plain object is
    not walked. (prefect's own ``quote`` does this too, but prefect-dask does not unwrap it.)
    """

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __getstate__(self):
        return self.value

    def __setstate__(self, value):
        self.value = value


@task(name="discover", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def discover_task(inputs: list[str], follow_symlinks: bool) -> Discovery:
    return discover(inputs, follow_symlinks=follow_symlinks)


@task(name="plan", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def plan_task(run_id: str, inputs: list[str], found: Payload, settings: Settings,
              flow_run_id: str | None) -> Payload:
    """Register the run, record discovery rejections, split files into new/changed/unchanged,
    and take the snapshot of corpus evidence this run cleans with."""
    discovery: Discovery = found.value
    with wdb.open_write(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds) as con:
        evidence = wload.load_evidence(con) if settings.clean.corpus_evidence else None  # before begin_run
        rejected_before = wload.begin_run(con, run_id, settings, inputs, flow_run_id, discovery.rejections)
        plan = wload.plan_files(con, discovery.candidates, settings)
        plan.rejected_before = rejected_before
        return Payload((plan, evidence))


@task(name="process-batch", cache_policy=NO_CACHE, persist_result=False)
def process_batch_task(candidates: Payload, settings: Settings, evidence: Payload) -> Payload:
    """Read, clean and tag a batch of files. Pure CPU: safe to run on any worker."""
    return Payload(process_files(candidates.value, settings, evidence.value))


@task(name="load-batch", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def load_batch_task(run_id: str, batch: Payload, settings: Settings) -> wload.LoadStats:
    with wdb.open_write(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds) as con:
        return wload.load_batch(con, run_id, settings.fingerprint, batch.value)


@task(name="dedup", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def dedup_task(run_id: str, settings: Settings):
    with wdb.open_write(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds) as con:
        return run_dedup(con, run_id, settings)


@task(name="export", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def export_task(settings: Settings):
    with wdb.open_read(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds) as con:
        return export_corpus(con, settings.warehouse.export_dir, protected=protected_paths(settings))


@task(name="finish-run", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def finish_task(run_id: str, status: str, summary: dict, settings: Settings) -> dict:
    with wdb.open_write(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds) as con:
        summary["status"] = status
        summary["documents"]["corpus"] = con.execute("SELECT count(*) FROM corpus").fetchone()[0]
        wload.finish_run(con, run_id, status, summary)
    return summary


# ------------------------------------------------------------------ flow

def _batches(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


@flow(name="winnow-ingest", validate_parameters=False, log_prints=False)
def ingest_flow(inputs: Optional[list[str]] = None, config: Optional[str] = None,
                settings: Optional[dict] = None, export: bool = True) -> dict:
    """Ingest files/folders/globs into the warehouse.

    Settings come from ``settings`` (``Settings.to_dict()``, as the CLI passes them) or are
    loaded from ``config`` (a winnow.toml path, as a deployment passes it); ``inputs``
    default to the settings' ``[input] paths``.
    """
    _timing["flow_started"] = time.perf_counter()
    cfg: Settings = (settings_from_mapping(settings, source="flow parameters") if settings is not None
                     else load_settings(config))
    inputs = list(inputs) if inputs else list(cfg.input.paths)
    logger = get_run_logger()
    run_id = new_run_id()
    summary = RunSummary(run_id=run_id, pipeline_version=__version__, config_hash=cfg.config_hash)
    db = Path(cfg.warehouse.db)
    if export:  # a target winnow may not replace stops the run before any work, not after it
        check_target(cfg.warehouse.export_dir, protected_paths(cfg))
    with wdb.run_lock(db, cfg.warehouse.lock_timeout_seconds):
        with summary.timed("discover+plan"):
            found = discover_task(inputs, cfg.input.follow_symlinks)
            plan, evidence = plan_task(run_id, inputs, Payload(found), cfg,
                                       str(flow_run.id) if flow_run.id else None).value
        summary.count_plan(found, plan)
        logger.info("run %s: %d files, %d to process, %d unchanged", run_id, summary.files_seen,
                    len(plan.todo), len(plan.unchanged))
        try:
            batches = _batches(plan.todo, cfg.flow.batch_size)
            _progress("ingest", 0, len(plan.todo))
            window = max(2, 2 * cfg.flow.workers)  # batches in flight: bounded memory
            futures = [process_batch_task.submit(Payload(b), cfg, Payload(evidence)) for b in batches[:window]]
            done_files = 0
            for i in range(len(batches)):
                result: BatchResult = futures[i].result().value
                if i + window < len(batches):
                    futures.append(process_batch_task.submit(Payload(batches[i + window]), cfg, Payload(evidence)))
                futures[i] = None  # let the batch be freed once loaded
                with summary.timed("load"):
                    stats = load_batch_task.with_options(
                        retries=cfg.flow.retries, retry_delay_seconds=cfg.flow.retry_delay_seconds
                    )(run_id, Payload(result), cfg)
                summary.count_batch(result, stats)
                done_files += len(batches[i])
                _progress("ingest", done_files, len(plan.todo))
                logger.info("batch %d/%d loaded: %d documents, %d rejected", i + 1, len(batches),
                            len(result.documents), len(result.rejections))
            with summary.timed("dedup"):
                dedup = dedup_task(run_id, cfg)
            summary.count_dedup(dedup)
            if export:
                with summary.timed("export"):
                    summary.export = asdict(export_task(cfg))
            summary.seconds_work = time.perf_counter() - _timing["flow_started"]
            final = finish_task(run_id, "completed", summary.to_dict(), cfg)
        except BaseException:
            try:
                finish_task.fn(run_id, "failed", summary.to_dict(), cfg)
            except Exception:
                pass
            raise
    summary.corpus_documents = final["documents"]["corpus"]
    summary.status = final["status"]
    _publish_artifacts(summary)
    return summary.to_dict()


def _publish_artifacts(summary: RunSummary) -> None:
    try:
        create_markdown_artifact(
            markdown=summary.to_markdown(), key="winnow-run-summary", description=f"winnow run {summary.run_id}"
        )
        create_table_artifact(
            table=summary.table_rows(), key="winnow-run-counts", description=f"winnow run {summary.run_id}"
        )
    except Exception as e:  # an artifact is a convenience; never fail the run for it
        get_run_logger().warning("could not publish the run summary artifact: %s", e)


def task_runner_for(settings: Settings, runner: str | None = None, dask_address: str | None = None):
    runner = runner or settings.flow.runner
    if runner == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:
            raise RuntimeError("the dask runner needs prefect-dask: pip install 'winnow[dask]'") from None
        address = dask_address if dask_address is not None else settings.flow.dask_address
        if address:
            return DaskTaskRunner(address=address)
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": settings.flow.workers, "threads_per_worker": 1, "processes": True,
                            "dashboard_address": None}
        )
    return ThreadPoolTaskRunner(max_workers=settings.flow.workers)


def share_temporary_server() -> None:
    """Start Prefect's temporary API server now and publish its address in the environment.

    Without a server URL, every process that runs a Prefect task starts a temporary server of
    its own: each Dask worker would run one beside its work, taking CPU from it.
    Started here, the flow uses it and the Dask workers, spawned later, inherit its address.
    """
    if os.environ.get("PREFECT_API_URL"):
        return
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    server = SubprocessASGIServer()
    server.start(timeout=int(get_current_settings().server.ephemeral.startup_timeout_seconds))
    os.environ["PREFECT_API_URL"] = server.api_url


def run_ingest(inputs: list[str], settings: Settings, *, export: bool = True, runner: str | None = None,
               dask_address: str | None = None, started: float | None = None) -> dict:
    """Run the flow in this process and return its summary (with start-up vs work time)."""
    started = started if started is not None else time.perf_counter()
    _timing.clear()
    if (runner or settings.flow.runner) == "dask":
        share_temporary_server()
    f = ingest_flow.with_options(task_runner=task_runner_for(settings, runner, dask_address))
    result = f(inputs=[str(p) for p in inputs], settings=settings.to_dict(), export=export)
    total = time.perf_counter() - started
    startup = _timing.get("flow_started", started) - started
    result["seconds"] = {"total": round(total, 3), "prefect_startup": round(startup, 3),
                         "work": round(result.get("seconds_work", 0.0), 3)}
    result.pop("seconds_work", None)
    return result
