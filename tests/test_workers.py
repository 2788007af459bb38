"""Worker processes and batches: started with Prefect's server, ended with the run, never waited on forever."""

from __future__ import annotations

import os
import sys
import time

import pytest
from prefect import flow, task

from conftest import SEEDS, make_settings, prefect_servers, winnow_cli
from winnow.flow import Packed, batch_sizes, batches_of
from winnow.startup import WorkerLost, ensure_server, stop_server, worker_pool


@task(persist_result=False)
def _pid_or_exit(what: str) -> int:
    if what == "exit":
        raise SystemExit(3)  # what Prefect's engine does in a worker after an error of its own
    return os.getpid()


@flow(validate_parameters=False)
def _run_one(what: str):
    future = _pid_or_exit.submit(what)
    try:
        return future.result(timeout=240)
    except TimeoutError:
        return "waited forever"
    except Exception as e:
        return e


@pytest.mark.slow
def test_a_worker_ending_a_task_with_system_exit_fails_that_task_instead_of_leaving_the_flow_waiting():
    """Prefect's process pool forwards only ``Exception`` from a worker to the task's future: a task
    ended by SystemExit (Prefect's engine exits a worker task that way after an error of its own) or
    KeyboardInterrupt left its future pending forever, the flow waiting and the worker idle: the hang
    once seen in a long test session. winnow's pool hands the flow ``WorkerLost`` instead, and the
    pool goes on working."""
    pool = worker_pool(2)
    pool.start()
    try:
        lost = _run_one.with_options(task_runner=pool)("exit")
        assert isinstance(lost, WorkerLost) and "SystemExit" in str(lost), lost
        assert _run_one.with_options(task_runner=pool)("pid") in pool.pids()  # the pool still works
    finally:
        pool.close()


class CountsUnpickling:
    """Counts, per process, how often an instance is unpickled."""

    unpickled = 0

    def __getstate__(self):
        return {"rows": list(range(10))}

    def __setstate__(self, state):
        type(self).unpickled += 1
        self.rows = state["rows"]


@task(persist_result=False)
def _packed_result() -> Packed:
    return Packed(CountsUnpickling())


@flow(validate_parameters=False)
def _fetch_packed():
    return _packed_result.submit().result(timeout=240).value


@pytest.mark.slow
def test_a_batch_result_from_a_worker_is_unpickled_once_in_the_flow():
    """Prefect's process pool unpickles a task's result twice in the flow's process (a done callback
    that only looks for errors, then ``result()``): for a batch of 200 documents, CPU taken
    each time from the cores the workers need. A ``Packed`` result crosses as bytes and is unpickled
    once, when the flow reads it."""
    pool = worker_pool(1)
    pool.start()
    CountsUnpickling.unpickled = 0
    try:
        got = _fetch_packed.with_options(task_runner=pool)()
    finally:
        pool.close()
    assert isinstance(got, CountsUnpickling) and got.rows == list(range(10))
    assert CountsUnpickling.unpickled == 1


@task(persist_result=False)
def _who_loaded_the_pipeline() -> tuple[int, int, int]:
    import gc

    import winnow.worker_preload

    return os.getpid(), winnow.worker_preload.LOADED_BY, gc.get_freeze_count()


@flow(validate_parameters=False)
def _loaded_by():
    return _who_loaded_the_pipeline.submit().result(timeout=240)


@pytest.mark.slow
def test_workers_are_forked_with_the_pipeline_loaded_once():
    """Each spawned worker imported Prefect and the pipeline and loaded the cleaners' first-use state
    itself (about 2 CPU-seconds each, on the cores the run needs); forked by the fork server, which
    loaded them once, a worker starts with them in memory."""
    pool = worker_pool(2)
    pool.start()
    try:
        worker, loader, frozen = _loaded_by.with_options(task_runner=pool)()
        assert worker in pool.pids()
    finally:
        pool.close()
    assert loader not in (worker, os.getpid()), "the worker loaded the pipeline itself"
    # and what the fork server loaded is frozen out of the worker's garbage collections
    assert frozen > 100_000, frozen


def test_the_fork_servers_preload_is_frozen_out_of_the_garbage_collector():
    """A worker's cyclic garbage collections walked every object of Prefect and the cleaners' tables
    (about 2% of a worker's CPU on the throughput corpus): the preload freezes them (``gc.freeze``),
    and the workers forked from it inherit the frozen heap (checked in a forked worker above)."""
    import subprocess

    code = "import gc, winnow.worker_preload; print(gc.get_freeze_count(), len(gc.get_objects()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    frozen, tracked = int(out[0]), int(out[1])
    assert frozen > 100_000 and tracked < frozen / 10, (frozen, tracked)


def _api_url() -> str:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return str(client.api_url)


@task(persist_result=False)
def _workers_server() -> tuple[str, bool]:
    server = sys.modules.get("prefect.server.api.server")  # a server this worker started would be here
    started_own = bool(server and any(s.server_process for s in server.SubprocessASGIServer._instances.values()))
    return _api_url(), started_own


@flow(validate_parameters=False)
def _servers_seen():
    return (_api_url(), *_workers_server.submit().result(timeout=240))


@pytest.mark.slow
def test_workers_use_the_flows_prefect_server_and_leave_none_behind(monkeypatch):
    """A flow run on winnow's pool with no ``PREFECT_API_URL`` (a flow called directly, as
    ``winnow-scheduled-ingest`` can be): Prefect starts its temporary server in the flow's process,
    and each worker, told of no server, started one of its own, which outlived the worker (the
    pool terminates its workers). Workers now use the server the flow uses."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    before = prefect_servers()
    pool = worker_pool(2)
    pool.start()
    try:
        flows_url, workers_url, worker_started_one = _servers_seen.with_options(task_runner=pool)()
    finally:
        pool.close()
    assert not worker_started_one
    assert workers_url == flows_url
    time.sleep(1)
    children = {p for p in prefect_servers() if open(f"/proc/{p}/stat").read().split()[3] == str(os.getpid())}
    assert prefect_servers() - before - children == set()  # the flow's own server is this process's child


def test_the_fork_server_loads_prefects_collections_for_the_workers():
    """Prefect loads its collections (``prefect.collections`` entry points: prefect-dask, which imports
    dask) the first time a task's context is rebuilt in a worker: about 0.3 CPU-seconds per worker,
    on the cores cleaning needs. Loaded by the fork server's preload, each worker starts with them."""
    import subprocess
    import sys

    code = ("import sys, winnow.worker_preload, prefect._internal.plugins.collections as c; "
            "print(c._collections is not None and 'prefect_dask' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "True"


@pytest.mark.slow
def test_the_runs_own_process_does_not_import_the_cleaners():
    """Planning, loading and dedup run in the run's own process and need no cleaner: trafilatura,
    lxml and langdetect (about half a second of imports) load only in the workers."""
    import subprocess
    import sys

    code = ("import sys, winnow.ingest, winnow.flow, winnow.planning, winnow.storage.load; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('trafilatura', 'lxml', 'langdetect', 'readability')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


@task(persist_result=False)
def _setting_seen() -> str:
    from prefect.settings import PREFECT_LOGGING_LEVEL

    return PREFECT_LOGGING_LEVEL.value()


@flow(validate_parameters=False)
def _settings_shipped() -> tuple[list[str], str]:
    from prefect.settings import PREFECT_LOGGING_LEVEL, temporary_settings

    same = [f.result(timeout=240) for f in [_setting_seen.submit() for _ in range(3)]]
    with temporary_settings(updates={PREFECT_LOGGING_LEVEL: "ERROR"}):
        changed = _setting_seen.submit().result(timeout=240)
    return same, changed


@pytest.mark.slow
def test_the_settings_are_serialized_once_per_run_and_anew_when_they_change(monkeypatch):
    """Prefect's pool serialized the whole settings context with every task it submitted (~12 CPU-ms
    in the flow's process, per batch); now once, and again only when the settings change, which
    the worker then sees."""
    from prefect.context import SettingsContext

    calls = []
    original = SettingsContext.serialize

    def counted(ctx, include_secrets: bool = True):
        calls.append(ctx)
        return original(ctx, include_secrets=include_secrets)

    monkeypatch.setattr(SettingsContext, "serialize", counted)
    ensure_server()  # as a one-off run: winnow's temporary server, named by PREFECT_API_URL
    pool = worker_pool(2)
    pool.start()
    try:
        same, changed = _settings_shipped.with_options(task_runner=pool)()
    finally:
        pool.close()
        stop_server()
    from prefect.settings import PREFECT_LOGGING_LEVEL

    assert same == [PREFECT_LOGGING_LEVEL.value()] * 3 and changed == "ERROR"
    assert len(calls) == 2  # the three tasks under the same settings, then the one under the changed settings
    assert SettingsContext.serialize is counted  # put back as it was after each submission


@pytest.mark.slow
def test_workers_start_before_the_flow_run_its_tasks_and_end_with_the_pool():
    pool = worker_pool(2)
    pool.start()
    started = pool.pids()
    try:
        assert len(started) == 2  # spawned at start, not at the first task
        assert _run_one.with_options(task_runner=pool)("pid") in started
        assert pool.pids() == started
    finally:
        pool.close()
    time.sleep(0.5)
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.parametrize("n,size,workers", [(2400, 200, 2), (600, 200, 2), (30, 5, 2), (7, 200, 4), (1000, 200, 16),
                                            (1, 200, 2), (201, 200, 2), (2401, 200, 2), (100_000, 200, 2),
                                            (5, 2, 2), (8, 2, 2), (9, 2, 2), (13, 3, 2), (16, 4, 2), (40, 3, 4)])
def test_batches_give_every_worker_the_same_work(n, size, workers):
    sizes = batch_sizes(n, size, workers)
    assert sum(sizes) == n and all(0 < k <= size for k in sizes)
    assert len(sizes) % workers == 0 or len(sizes) == n  # whole rounds: no worker left with a batch alone
    rounds = -(-n // (size * workers))
    if rounds < 2:  # one round: as equal as can be
        assert max(sizes) - min(sizes) <= 1
        assert len(sizes) == min(n, workers)
        return
    if len(sizes) == rounds * workers:  # not split: the last round's batches hold fewer than 4 files
        assert max(sizes) - min(sizes) <= 1 and min(sizes[-workers:]) < 4
        return
    # two rounds or more: as equal as can be, but the last round's batches split into 3/4 and 1/4, quarters last
    body, split, last = sizes[:-2 * workers], sizes[-2 * workers:-workers], sizes[-workers:]
    assert max(body + [s + q for s, q in zip(split, last)]) - min(body + [s + q for s, q in zip(split, last)]) <= 1
    assert all(s + q >= 4 and q == (s + q) // 4 for s, q in zip(split, last))
    assert len(sizes) == rounds * workers + workers  # no more batches than that needs


def test_batches_of_an_uneven_run_are_split_across_the_workers():
    assert batch_sizes(600, 200, 2) == [150] * 2 + [113] * 2 + [37] * 2
    assert batch_sizes(2400, 200, 2) == [200] * 10 + [150] * 2 + [50] * 2
    assert batch_sizes(300, 200, 2) == [150] * 2  # one round: nothing to split


def test_the_last_round_is_small_so_the_workers_finish_together_and_the_flow_loads_little_alone():
    """The tail of a run (the flow alone after the workers' last batch) loads the last round's
    batches, and the worker that finished first idles until the other one ends: with batches of
    200 both were a full batch long. The last round is a quarter of a batch."""
    sizes = batch_sizes(2400, 200, 2)
    assert sizes[-2:] == [50, 50] and max(sizes) == 200


@pytest.mark.parametrize("n,size,workers", [(2400, 200, 2), (601, 200, 2), (7, 200, 4), (1, 200, 2), (0, 200, 2)])
def test_batches_take_every_file_once_in_the_sizes_planned(n, size, workers):
    files = [f"f{i:05d}" for i in range(n)]
    batches = batches_of(files, size, workers)
    assert [len(b) for b in batches] == batch_sizes(n, size, workers)
    assert sorted(f for b in batches for f in b) == files


def test_a_folder_listed_by_kind_gives_every_batch_the_same_mix():
    """A listing sorted by name groups files that cost alike (dump-*.txt, then page-*.html): cut
    in runs, the last round's batches were all pages while earlier ones were all dumps, and the
    worker with the costlier batch finished alone. Dealt in turn, each batch has both kinds
    in the listing's proportion."""
    files = [f"dump-{i:05d}.txt" for i in range(1152)] + [f"page-{i:05d}.html" for i in range(1152, 2400)]
    for batch in batches_of(files, 200, 2):
        pages = sum(f.startswith("page") for f in batch)
        assert abs(pages / len(batch) - 1248 / 2400) < 0.01, pages


def test_a_run_with_nothing_new_does_not_say_it_starts_prefect(tmp_path):
    s = make_settings(tmp_path)
    first = winnow_cli("ingest", SEEDS, "--db", s.warehouse.db, "--no-export", timeout=600)
    assert first.returncode == 0, first.stderr
    assert "files to process; starting Prefect..." in first.stderr
    again = winnow_cli("ingest", SEEDS, "--db", s.warehouse.db, "--no-export", timeout=600)
    assert again.returncode == 0, again.stderr
    assert again.stderr.startswith("winnow ") and "ingesting" in again.stderr.splitlines()[0]
    assert "Prefect" not in again.stderr, again.stderr  # nothing new: Prefect is not started, nor announced


def test_a_stop_whose_watcher_has_not_run_yet_is_still_seen_as_a_stop():
    """An exception caused by a stop can reach the flow before the signal's watcher thread sets
    the flag (seen under load: a SIGTERM'd run recorded as 'failed', not interrupted). The flow
    asks with a wait, and a flag set during that wait counts."""
    import threading

    from winnow import ingest

    ingest.STOPPING.clear()
    try:
        late = threading.Timer(0.2, ingest.STOPPING.set)
        late.start()
        assert not ingest.stop_requested()
        t0 = time.monotonic()
        assert ingest.stop_requested(wait=5.0)
        assert time.monotonic() - t0 < 4.0
        late.join()
    finally:
        ingest.STOPPING.clear()
    t0 = time.monotonic()
    assert not ingest.stop_requested(wait=0.3)  # no stop: a false answer after the wait
    assert time.monotonic() - t0 >= 0.25


@pytest.mark.slow
def test_the_runs_process_loads_batches_with_its_imports_frozen_and_unfreezes_after(tmp_path, monkeypatch):
    """Loading a batch unpickles and tabulates tens of thousands of objects in the run's own process,
    and each full garbage collection walked every object of Prefect and DuckDB's imports again (about
    a quarter of the loading's CPU, measured): the flow runs with the heap of its start-up frozen
    (``winnow.memory.frozen_heap``), and gives it back to the collector when the run ends."""
    import gc

    from winnow.storage import load as wload

    frozen_while_loading = []
    load_batch = wload.load_batch

    def spy(*args, **kwargs):
        frozen_while_loading.append(gc.get_freeze_count())
        return load_batch(*args, **kwargs)

    monkeypatch.setattr(wload, "load_batch", spy)
    from conftest import ingest

    summary = ingest([SEEDS], make_settings(tmp_path), export=False)
    assert summary["documents"]["new"] > 0
    assert frozen_while_loading and min(frozen_while_loading) > 100_000, frozen_while_loading
    assert gc.get_freeze_count() == 0  # handed back: a long-lived process (serve, a notebook) keeps collecting


def test_a_frozen_heap_nests_and_is_handed_back():
    import gc

    from winnow.memory import frozen_heap

    assert gc.get_freeze_count() == 0
    with frozen_heap():
        assert gc.get_freeze_count() > 0
        with frozen_heap():
            kept = []  # made inside the inner block: not frozen by it (the outer block froze already)
            assert any(o is kept for o in gc.get_objects())
        assert gc.get_freeze_count() > 0  # the inner block did not unfreeze the outer one's heap
    assert gc.get_freeze_count() == 0


def test_a_run_on_the_temporary_server_sends_no_heartbeats_and_keeps_the_setting_after(tmp_path, monkeypatch):
    """Prefect's flow engine joins its heartbeat thread at the end of every flow run, and that thread
    sleeps in steps of a second: each run ended with up to a second of idle waiting. On winnow's
    temporary server (which dies with the run, so nothing reads heartbeats) the flow sends none."""
    from prefect.settings import get_current_settings

    from conftest import ingest
    from winnow.startup import current_server
    from winnow.storage import load as wload

    seen = []
    load_batch = wload.load_batch

    def spy(*args, **kwargs):
        seen.append(get_current_settings().flows.heartbeat_frequency)
        return load_batch(*args, **kwargs)

    monkeypatch.setattr(wload, "load_batch", spy)
    if current_server() is None:  # no server of this session's yet: winnow starts its temporary one
        monkeypatch.delenv("PREFECT_API_URL", raising=False)
    before = get_current_settings().flows.heartbeat_frequency
    ingest([SEEDS], make_settings(tmp_path), export=False)
    assert current_server() is not None  # the run used winnow's temporary server
    assert before and seen and set(seen) == {None}, (before, seen)
    assert get_current_settings().flows.heartbeat_frequency == before  # outside the run: as it was
