"""A one-off ingest run in this process: plan first, start Prefect only when there is work.

- Planning (``winnow.planning``) needs no Prefect: a run with nothing new is finished
  and recorded without importing it (about a second instead of Prefect's start-up).
- With work, winnow starts Prefect's temporary API server and the worker processes at
  once (``winnow.startup``); both end with the run, and nothing outlives this process,
  even ``kill -9``. Worker processes and Dask workers get the server's address.
- The flow then runs with the chosen task runner (``task_runner_for``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Iterator, Optional

from winnow.memory import frozen_heap
from winnow.planning import finish_nothing_new, new_run_id, prepare
from winnow.progress import Progress
from winnow.settings import Settings
from winnow.startup import (current_server, die_with_parent, ensure_server, prefect_started,  # noqa: F401
                            stop_fork_server, stop_server, task_runner_for, without_heartbeats_on_a_temporary_server)
from winnow.storage import db as wdb
from winnow.storage.export import check_target, protected_paths


_watching = False


def exit_with_parent(interval: float = 0.5, run_pid: int | None = None) -> None:
    """In a worker process: exit as soon as the process that started it is gone (even by kill -9).

    ``PR_SET_PDEATHSIG`` is not used here: the kernel sends it when the *thread* that spawned
    the worker exits, and a process pool may spawn its workers from a short-lived thread, which
    killed workers in the middle of a run. A daemon thread that sees the worker re-parented
    (its parent process died) ends it instead, within ``interval`` seconds. ``run_pid``: the
    run's process, when it is not the parent (a worker forked by multiprocessing's fork server,
    which lives as long as its workers do): its end ends the worker too.
    """
    global _watching
    if _watching:
        return
    _watching = True
    parent = os.getppid()
    # and the process that started this one, as multiprocessing recorded it at start: a worker whose
    # run ended while it was still starting was re-parented before it got here, and os.getppid()
    # alone named its new parent (such workers waited for work for ever after a stopped `serve`)
    import multiprocessing

    started_by = multiprocessing.parent_process()
    watched = [run_pid] if run_pid is not None else []
    if started_by is not None and os.name == "posix":  # (on Windows os.kill(pid, 0) would end that process)
        watched.append(started_by.pid)

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent or any(process_gone(pid) for pid in watched):
                os._exit(143)

    threading.Thread(target=watch, name="winnow-parent-watch", daemon=True).start()


def process_gone(pid: int) -> bool:
    """The process ``pid`` has ended (or is a zombie nobody has reaped yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


STOPPING = threading.Event()  # set the moment a stop signal arrives


def stop_requested(wait: float = 0.0) -> bool:
    """True once a stop signal arrived (a function, not the Event itself: the flow, shipped to
    worker processes by value, must not reference an object holding a lock).

    ``wait``: give a signal that has arrived, but whose watcher thread has not yet had the GIL,
    that long to register. An exception caused by the stop (Prefect's own SIGTERM handling, an
    API call cut short) can reach the flow before the watcher runs on a loaded machine; without
    the wait the run was recorded as 'failed' instead of left to be marked interrupted.
    """
    return STOPPING.wait(wait) if wait > 0 else STOPPING.is_set()


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal (Ctrl-C: SIGINT, or SIGTERM); ``exit_code`` is 128 + its number."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum


def _stop_workers() -> None:
    """Terminate this process's worker processes (process pool, local Dask cluster) at once."""
    import multiprocessing

    for child in multiprocessing.active_children():
        with contextlib.suppress(Exception):
            child.terminate()
    stop_fork_server()


def _stop_resource_tracker() -> None:
    """multiprocessing's helper process: ended quietly (it warns about the pool's semaphores at exit)."""
    with contextlib.suppress(Exception):
        from multiprocessing import resource_tracker

        pid = resource_tracker._resource_tracker._pid
        if pid:
            os.kill(pid, signal.SIGKILL)


def exit_stopped(exit_code: int) -> None:
    """End a stopped run now: one line, the exit code, nothing left running."""
    _stop_workers()
    _stop_resource_tracker()
    server = current_server()
    if server is not None:
        server.kill()
    say_stopped(exit_code)
    os._exit(exit_code)


STOP_GRACE_SECONDS = 2.0  # then the process ends itself, whatever Prefect is still doing


def stop_message(exit_code: int) -> str:
    what = "SIGTERM" if exit_code == 143 else "Ctrl-C" if exit_code == 130 else f"signal {exit_code - 128}"
    return f"winnow: stopped ({what}): loaded batches are kept; the next run processes the rest"


def say_stopped(exit_code: int) -> None:
    with contextlib.suppress(Exception):
        sys.stderr.write(("\r\033[K" if sys.stderr.isatty() else "") + stop_message(exit_code) + "\n")
        sys.stderr.flush()


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM stop the run within seconds.

    Worker processes are terminated at once and ``Stopped`` is raised in the flow, which
    unwinds: the batch being loaded rolls back (one transaction), loaded batches stay, the
    run stays 'running' until the next run marks it interrupted and processes the rest.
    Should unwinding take longer than ``STOP_GRACE_SECONDS`` (Prefect waiting on its
    server, a pool shutting down), the process ends itself as ``kill -9`` would, which
    the warehouse survives by design, after killing the server and the workers.
    A second signal ends the process at once the same way.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        STOPPING.set()
        code = 128 + signum
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, lambda n, f: exit_stopped(code))
        _stop_workers()
        raise Stopped(signum)

    # The Python handler runs only when the main thread next executes Python code, which a
    # long DuckDB statement can delay. The wakeup fd is written by the C-level handler at
    # once: a watcher thread starts the grace period from the moment the signal arrives.
    r, w = os.pipe()
    os.set_blocking(w, False)
    stop_signal = [signal.SIGINT]

    def watch():
        while True:
            try:
                data = os.read(r, 1)
            except OSError:
                return
            if not data:
                return
            if data[0] in (signal.SIGINT, signal.SIGTERM):
                stop_signal[0] = data[0]
                STOPPING.set()
                _stop_workers()
                time.sleep(STOP_GRACE_SECONDS)
                exit_stopped(128 + data[0])

    STOPPING.clear()
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    old_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    threading.Thread(target=watch, name="winnow-stop-watch", daemon=True).start()
    try:
        yield
    except Stopped:
        raise
    except BaseException as e:
        # While the flow runs, Prefect's own SIGTERM handler may raise first (TerminationSignal,
        # sometimes wrapped): a stop is a stop, whatever exception it surfaced as.
        surfaced_by_signal = isinstance(e, (KeyboardInterrupt, SystemExit)) or "TerminationSignal" in repr(e)
        if STOPPING.is_set() or (surfaced_by_signal and STOPPING.wait(1.0)):
            raise Stopped(stop_signal[0]) from None
        raise
    finally:
        signal.set_wakeup_fd(old_fd)
        os.close(w)
        for s, h in previous.items():
            signal.signal(s, h)


def run_ingest(inputs: list[str], settings: Settings, *, export: bool = True, runner: str | None = None,
               dask_address: str | None = None, started: float | None = None,
               progress: Progress | None = None, say: Optional[Callable[[str], None]] = None) -> dict:
    """Ingest ``inputs`` once and return the run summary.

    ``seconds`` in the summary: total, planning, Prefect start-up (0 when nothing was new
    and Prefect was not started) and work. ``say`` is told, in one line, when Prefect is
    started (only then: a run with nothing new does not start it).
    """
    started = started if started is not None else time.perf_counter()
    shown = progress or Progress()
    inputs = [str(p) for p in inputs]
    if export:
        check_target(settings.warehouse.export_dir, protected_paths(settings))
    with stop_on_signals(), wdb.run_lock(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds):
        shown.stage("planning")
        prepared = prepare(inputs, settings)
        planned = time.perf_counter()
        if prepared.nothing_new:
            shown.stage("nothing new: checking dedup")
            result = finish_nothing_new(new_run_id(), prepared, settings, export)
            result["prefect_started"] = False  # nothing new: no Prefect flow run
            flow_started = planned
        else:
            external = current_server() is None and os.environ.get("PREFECT_API_URL")
            what = f"connecting to Prefect at {external}" if external else "starting Prefect"
            shown.stage(what)
            if say is not None:
                say(f"{len(prepared.plan.todo)} files to process; {what}...")
            with prefect_started(settings, runner, dask_address) as task_runner:
                from winnow.flow import InProcess, ingest_flow

                f = ingest_flow.with_options(task_runner=task_runner)
                # Prefect's and the flow's imports frozen (not walked by every collection); no heartbeats
                with frozen_heap(), without_heartbeats_on_a_temporary_server():
                    result = f(inputs=inputs, settings=settings, export=export, progress=InProcess(shown),
                               prepared=InProcess(prepared))
            flow_started = result.pop("flow_started", planned)
    total = time.perf_counter() - started
    result["seconds"] = {"total": round(total, 3), "planning": round(planned - started, 3),
                         "prefect_startup": round(flow_started - planned, 3),
                         "work": round(result.get("seconds_work", 0.0), 3)}
    result.pop("seconds_work", None)
    return result
