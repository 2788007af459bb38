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

import contextvars
import os
import pickle
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Optional

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from winnow import __version__
from winnow.dedup.minhash import signature_key
from winnow.discover import Candidate, Discovery, discover
from winnow.ingest import exit_with_parent, stop_requested
from winnow.memory import meter
from winnow.planning import Prepared, close_failed, new_run_id
from winnow.progress import Progress
from winnow.records import BatchResult, Rejection
from winnow.prefect_env import ENV_ANNOUNCE, ENV_UI
from winnow.settings import Settings, load_settings, settings_from_mapping, worker_count
from winnow.stage import Stats
from winnow.storage import db as wdb
from winnow.storage import load as wload
from winnow.storage.dedup import run_dedup
from winnow.storage.export import check_target, export_corpus, protected_paths
from winnow.storage.tables import batch_tables, tabulate
from winnow.summary import RunSummary, plan_stats
from winnow.vocab import word_counts


# ------------------------------------------------------------------ tasks

_FLOW_PID = os.getpid()  # in a spawned worker this module is imported again: another pid


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


_UNSET = object()


class Packed:
    """A big value (a batch, its result, the corpus evidence) carried through Prefect as one pickled blob.

    Prefect's process pool unpickles a task's result twice in the flow's process (once in a done
    callback that only looks for errors, once for ``result()``), and pickles every argument of every
    submission anew with cloudpickle, which calls back into Python for each object. As one blob of
    bytes, the value is pickled once by the C pickler where it is first shipped (the evidence once
    for all batches), the blob is copied instead of unpickled, and it is unpickled once, on first use
    of ``value``. A value must not change once shipped (its blob is kept for the next shipment).
    """

    __slots__ = ("_value", "_blob")

    def __init__(self, value):
        self._value, self._blob = value, None

    @property
    def value(self):
        if self._value is _UNSET:  # received: unpickled once, the blob freed
            self._value, self._blob = pickle.loads(self._blob), None
        return self._value

    def __getstate__(self):
        if self._blob is None:
            self._blob = pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)
        return self._blob

    def __setstate__(self, blob):
        self._value, self._blob = _UNSET, blob


class InProcess(Payload):
    """A flow parameter that only means something in the flow's own process (the progress display).

    Prefect ships the flow run's parameters to worker processes with each task's context;
    this one travels as None instead of failing to pickle (it holds a lock).
    """

    __slots__ = ()

    def __getstate__(self):
        return None


@task(name="discover", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def discover_task(inputs: list[str], follow_symlinks: bool) -> Discovery:
    return discover(inputs, follow_symlinks=follow_symlinks)


@task(name="plan", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def plan_task(run_id: str, inputs: list[str], found: Payload, settings: Settings,
              flow_run_id: str | None) -> Payload:
    """Register the run, record discovery rejections, split files into new/changed/unchanged,
    and take the snapshot of corpus evidence this run cleans with."""
    discovery: Discovery = found.value
    with wdb.open_write(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds,
                       memory_mb=settings.warehouse.memory_limit_mb) as con:
        evidence = wload.load_evidence(con) if settings.clean.corpus_evidence else None  # before begin_run
        rejected_before = wload.begin_run(con, run_id, settings, inputs, flow_run_id, discovery.rejections)
        plan = wload.plan_files(con, discovery.candidates, settings)
        plan.rejected_before = rejected_before
        return Payload((plan, evidence))


@task(name="begin-run", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def begin_task(run_id: str, prepared: InProcess, settings: Settings, flow_run_id: str | None,
               writer: InProcess) -> int:
    """Register a run planned before the flow started (``winnow.planning``) and its discovery rejections."""
    p: Prepared = prepared.value
    with writer.value.connection() as con:
        return wload.begin_run(con, run_id, settings, p.inputs, flow_run_id, p.discovery.rejections)


@task(name="process-batch", cache_policy=NO_CACHE, persist_result=False)
def process_batch_task(candidates: Packed, settings: Settings, evidence: Packed) -> Packed:
    """Read, clean and tag a batch of files. Pure CPU: safe to run on any worker."""
    if os.getpid() != _FLOW_PID:  # a worker process: it must not outlive the run
        exit_with_parent()
    from winnow.pipeline import process_files  # the cleaners: imported where batches are cleaned

    result = process_files(candidates.value, settings, evidence.value)
    result.worker_pid = os.getpid()
    return Packed(tabulate(result))  # as Arrow tables: the flow's process only inserts them


@task(name="load-batch", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def load_batch_task(run_id: str, batch: Payload, settings: Settings, writer: InProcess) -> Stats:
    with writer.value.connection() as con:
        key = signature_key(settings.dedup) if settings.dedup.near else None
        return wload.load_batch(con, run_id, settings.fingerprint, batch.value, key)


@task(name="dedup", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def dedup_task(run_id: str, settings: Settings, writer: InProcess) -> Stats:
    with writer.value.connection(counted=False) as con:
        return run_dedup(con, run_id, settings).as_stats()


@task(name="export", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def export_task(settings: Settings, writer: InProcess):
    with writer.value.connection(counted=False) as con:
        return export_corpus(con, settings.warehouse.export_dir, protected=protected_paths(settings), settings=settings)


@task(name="report", cache_policy=NO_CACHE, persist_result=False)
def report_task(settings: Settings, writer: InProcess) -> dict:
    from winnow.report import report_warehouse  # altair and vl-convert load only when a report is written

    with writer.value.connection(counted=False) as con:  # the run's connection: its data, no second open
        res = report_warehouse(settings, con=con)
    return asdict(res) | {"summary": res.summary_line()}


@task(name="finish-run", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=1)
def finish_task(run_id: str, status: str, summary: RunSummary, settings: Settings,
                writer: InProcess) -> RunSummary:
    with writer.value.connection(counted=False) as con:
        summary.status = status
        summary.corpus_documents = wload.corpus_size(con)
        wload.finish_run(con, run_id, status, summary.to_dict())
    return summary


# ------------------------------------------------------------------ flow

def batch_sizes(n: int, size: int, workers: int) -> list[int]:
    """Sizes of the batches of ``n`` files: at most ``size``, as many as a whole number of rounds of
    ``workers`` batches, as equal as can be, so that every worker gets the same work and none works
    through a last batch alone (600 files, batches of 200, 2 workers: 4 x 150, not 3 x 200); and
    when there are two rounds or more, the last round's batches are each split into three quarters
    and one quarter, the quarters last (2,400 files: 10 x 200, 2 x 150, 2 x 50), unless they hold
    fewer than 4 files (8 files, batches of 2: 4 x 2; no empty batch).

    The run's tail is what the flow does alone after the workers' last batch: it loads the last
    round's batches, and the worker that finished first waits for the other meanwhile. With a last
    round a quarter of the size, both shrink to a quarter (measured on the throughput corpus: the
    workers finished 0.6 s apart, the last two loads 0.3 s each), for two more small tasks."""
    if n <= 0:
        return []
    workers = max(1, workers)
    rounds = -(-n // (size * workers))
    count = min(n, rounds * workers)
    sizes = [n // count + (1 if i < n % count else 0) for i in range(count)]
    if rounds < 2:
        return sizes
    last = sizes[-workers:]
    if min(last) < 4:  # too small to split: a quarter of it would be an empty batch
        return sizes
    quarters = [k // 4 for k in last]
    return sizes[:-workers] + [k - q for k, q in zip(last, quarters)] + quarters


def batches_of(items: list, size: int, workers: int = 1) -> list[list]:
    """The files split into ``batch_sizes`` batches, dealt in proportion rather than cut in runs:
    a batch of k files out of n takes the files at about every (n / k)-th place of the listing.
    Files that sit together in a listing tend to cost the same (a folder of text dumps, then one of
    HTML pages), so a run cut in runs gave one worker a costlier last batch and the other an idle core
    at the end; dealt, every batch has the same mix. (Batches of equal size: batch j takes files j,
    j + count, j + 2 count, ...)"""
    sizes = batch_sizes(len(items), size, workers)
    n = len(items)
    places = sorted(((m + 0.5) * n / k, j) for j, k in enumerate(sizes) for m in range(k))
    batches: list[list] = [[] for _ in sizes]
    for item, (_, j) in zip(items, places):
        batches[j].append(item)
    return batches


def _batching(plan, evidence, cfg: Settings):
    """The run's batches, how many are in flight at a time (bounded memory), how one is submitted,
    and the futures of the first ``window`` batches, submitted here."""
    batches = batches_of(plan.todo, cfg.flow.batch_size, worker_count(cfg.flow))
    shipped_evidence = Packed(evidence)  # pickled once for all batches
    window = 2 * worker_count(cfg.flow)

    def submit(i: int):
        return process_batch_task.submit(Packed(batches[i]), cfg, shipped_evidence)

    return batches, window, submit, [submit(i) for i in range(min(window, len(batches)))]


def _failed_batch(files: list[Candidate], error: BaseException) -> BatchResult:
    """A batch that could not be processed: each of its files rejected with reason ``error``.

    No hash is recorded, so the next run tries these files again.
    """
    detail = f"batch failed: {type(error).__name__}: {error}"[:500]
    rejected = [Rejection(c.path, "error", detail) for c in files]
    return BatchResult(rejections=rejected, files=len(files),
                       stats=Counter({"batch.rejected:error": len(files), "batch.failed": 1}))


def _load(run_id: str, result: BatchResult, files: list[Candidate], cfg: Settings, logger,
          writer: InProcess) -> BatchResult:
    """Load a batch; when loading fails after its retries, record its files as rejected instead."""
    load = load_batch_task.with_options(retries=cfg.flow.retries, retry_delay_seconds=cfg.flow.retry_delay_seconds)
    try:
        result.stats.update(load(run_id, Payload(result), cfg, writer))
        return result
    except Exception as e:
        if isinstance(e, wdb.WarehouseError) or wdb.disk_full(e):
            raise  # the warehouse itself cannot take writes (full disk, busy): no batch would load
        logger.warning("batch of %d files could not be loaded (%s: %s): its files are rejected as 'error'",
                       len(files), type(e).__name__, e)
        failed = _failed_batch(files, e)
    try:
        failed.stats.update(load(run_id, Payload(failed), cfg, writer))
    except Exception as e2:  # even the rejections cannot be written: say so, keep going
        logger.error("could not record the rejections of a failed batch: %s: %s", type(e2).__name__, e2)
    return failed


@flow(name="winnow-ingest", validate_parameters=False, log_prints=False)
def ingest_flow(inputs: Optional[list[str]] = None, config: Optional[str] = None,
                settings: Settings | dict | None = None, export: bool = True,
                progress: Optional[InProcess] = None, prepared: Optional[InProcess] = None) -> dict:
    """Ingest files/folders/globs into the warehouse.

    ``settings`` is the parsed ``Settings`` (as ``run_ingest`` passes it), or their
    ``to_dict()`` form from a deployment's JSON parameters; without it they are loaded
    from ``config`` (a winnow.toml path). ``inputs`` default to ``[input] paths``.
    """
    started = time.perf_counter()
    cfg: Settings = (settings if isinstance(settings, Settings)
                     else settings_from_mapping(settings, source="flow parameters") if settings is not None
                     else load_settings(config))
    shown: Progress = progress.value if progress is not None and progress.value is not None else Progress()
    inputs = list(inputs) if inputs else list(cfg.input.paths)
    logger = get_run_logger()
    run_id = new_run_id()
    summary = RunSummary(run_id=run_id, pipeline_version=__version__, config_hash=cfg.config_hash,
                         prefect=_prefect_run())
    db = Path(cfg.warehouse.db)
    if export:  # a target winnow may not replace stops the run before any work, not after it
        check_target(cfg.warehouse.export_dir, protected_paths(cfg))
    # the warehouse stays open from batch to batch, for this run's writes only (winnow.storage.db.Writer)
    with wdb.run_lock(db, cfg.warehouse.lock_timeout_seconds), \
            wdb.Writer(db, cfg.warehouse.lock_timeout_seconds, cfg.warehouse.memory_limit_mb) as open_writer:
        writer = InProcess(open_writer)
        shown.stage("planning")
        flow_run_id = str(flow_run.id) if flow_run.id else None
        if prepared is not None:  # planned before Prefect started (a one-off run): the first batches go
            p: Prepared = prepared.value  # to the workers at once, and are cleaned while the run is registered
            batches, window, submit, futures = _batching(p.plan, p.evidence, cfg)
        with summary.timed("discover+plan"):
            if prepared is not None:
                found, plan, evidence = p.discovery, p.plan, p.evidence
                # (should it fail, the pool is ended with the run, its batches cancelled: nothing was written)
                plan.rejected_before = begin_task(run_id, prepared, cfg, flow_run_id, writer)
            else:
                found = discover_task(inputs, cfg.input.follow_symlinks)
                plan, evidence = plan_task(run_id, inputs, Payload(found), cfg, flow_run_id).value
        summary.add(plan_stats(found, plan))
        logger.info("run %s: %d files, %d to process, %d unchanged; flow process %d", run_id,
                    summary.stats["plan.seen"], len(plan.todo), len(plan.unchanged), os.getpid())
        try:
            shown.stage("processing")
            shown.files(len(plan.todo))
            if prepared is None:  # planned by this flow run: its batches start now
                batches, window, submit, futures = _batching(plan, evidence, cfg)
            if batches:
                threading.Thread(target=_warm_up, args=(cfg.report.after_run,), name="winnow-warm-up",
                                 daemon=True).start()
            for i in range(len(batches)):
                try:
                    with summary.metered("processing"):  # waiting on the workers
                        result: BatchResult = futures[i].result().value
                except Exception as e:  # one batch failing (a worker died, a bug) must not end the run
                    if stop_requested():  # ... unless its worker was stopped with the run
                        raise KeyboardInterrupt("stopped") from None
                    logger.warning("batch %d/%d failed (%s: %s): its files are rejected as 'error'",
                                   i + 1, len(batches), type(e).__name__, e)
                    result = _failed_batch(batches[i], e)
                if i + window < len(batches):
                    futures.append(submit(i + window))
                futures[i] = None  # let the batch be freed once loaded
                with summary.timed("load"):
                    result = _load(run_id, result, batches[i], cfg, logger, writer)
                summary.add(result.stats)
                shown.advance(len(batches[i]), result.document_count)
                logger.info("batch %d/%d loaded: %d documents, %d rejected; cleaned in process %d", i + 1,
                            len(batches), result.document_count, result.rejection_count, result.worker_pid)
            shown.stage("dedup")
            with summary.timed("dedup"):
                summary.add(dedup_task(run_id, cfg, writer))
            # the export, the run's row and the report read and write through the run's connection:
            # opening the file again for each cost ~0.05-0.1 s of the run's tail apiece
            if export:
                shown.stage("export")
                with summary.timed("export"):
                    summary.export = asdict(export_task(cfg, writer))
            summary.seconds_work = time.perf_counter() - started
            shown.stage("finishing")
            with summary.metered("finish"):
                summary = finish_task(run_id, "completed", summary, cfg, writer)
        except BaseException as e:
            open_writer.close()
            if (isinstance(e, KeyboardInterrupt) or type(e).__name__ == "TerminationSignal"
                    or stop_requested(wait=1.0)):
                raise  # stopped: the run stays 'running'; the next run marks it interrupted
            summary.seconds_work = time.perf_counter() - started
            close_failed(run_id, summary, cfg)  # waits out a `winnow sql` reader ([sql] timeout_seconds)
            _announce(summary.to_dict(), failure=e)
            raise
        # the summary's artifacts are two calls to Prefect's server: they wait on it while the report is made
        artifacts = _in_background(_publish_artifacts, summary)
        out = summary.to_dict()
        out["flow_started"] = started
        t_report, peaks = time.perf_counter(), {}
        with meter(peaks, "report"):
            report = _publish_report(cfg, writer) if cfg.report.after_run else None
        artifacts.join()
    if report:
        out["step_seconds"]["report"] = round(time.perf_counter() - t_report, 3)
        out["step_peak_mb"].update(peaks)
    out = out | ({"report": report} if report else {})
    _announce(out)
    return out


def _prefect_run() -> dict | None:
    """The Prefect flow run behind this winnow run, with its UI link when a UI exists."""
    if not flow_run.id:
        return None
    ui = os.environ.get(ENV_UI)
    return {"flow_run_id": str(flow_run.id), "flow_run_name": flow_run.name,
            "ui": f"{ui.rstrip('/')}/runs/flow-run/{flow_run.id}" if ui else None}


def _announce(summary: dict, failure: BaseException | None = None) -> None:
    if os.environ.get(ENV_ANNOUNCE):
        from winnow.serve import run_line

        print(run_line(summary, failure), file=sys.stderr, flush=True)


def _in_background(fn, *args) -> threading.Thread:
    """``fn(*args)`` in a thread started now, in this thread's context (the flow run's, for Prefect)."""
    thread = threading.Thread(target=contextvars.copy_context().run, args=(fn, *args), name=f"winnow-{fn.__name__}",
                              daemon=True)
    thread.start()
    return thread


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


def _warm_up(report: bool) -> None:
    """What the flow's process needs first after the workers, set up while they clean, so that the
    run's tail does not pay it: pyarrow's first conversion of Python objects, which imports pandas
    (0.2 CPU-seconds; dedup's and the report's tables; the batches' tables no longer do it here,
    their workers build them), the word counter's table of character classes (dedup's shingles and
    the report's word counts; ~0.03 s), and with a report after the run its libraries, chart renderer
    and compiled page template."""
    try:
        batch_tables([], [])
        word_counts(["warm"])
        if report:
            from winnow.report import charts, page

            charts.warm_up()
            page.warm_up()
    except Exception:  # the step that needs it says what is wrong, if anything is
        pass


def _publish_report(settings: Settings, writer: InProcess) -> dict | None:
    """Write the HTML report of the warehouse and link it as an artifact; never fails the run."""
    try:
        report = report_task(settings, writer)
        create_markdown_artifact(
            markdown=f"# winnow report\n\n[{report['path']}]({Path(report['path']).as_uri()})\n\n{report['summary']}",
            key="winnow-report", description="the warehouse as one HTML page (winnow report)")
        return report
    except Exception as e:
        get_run_logger().warning("could not write the report: %s", e)
        return None


from winnow.ingest import run_ingest  # noqa: E402,F401  (the one-off entry point, re-exported)
