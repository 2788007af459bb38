"""Start Prefect for a one-off run quickly, and leave nothing behind.

A run with work needs Prefect's API (a temporary server) and worker processes. Started one
after the other, as Prefect does by itself, they cost the sum of their start-ups: the server
(uvicorn importing Prefect's server app, its database checked) and then each worker
importing Prefect and the pipeline when the first batch arrives. Here they start at once:

- ``TemporaryServer``: Prefect's temporary API server, launched directly (this process
  does not import Prefect's server app, which only the server needs), owned by this
  process: stopped when the run ends, killed by the kernel if this process dies even by
  ``kill -9`` (``PR_SET_PDEATHSIG``), so no server is ever left behind.
- ``WorkerPool``: Prefect's ``ProcessPoolTaskRunner`` whose worker processes winnow starts
  while the server starts. Where the platform has it (Linux, macOS), the workers are forked
  by multiprocessing's fork server, which loads Prefect, the pipeline and the cleaners'
  first-use state once (``winnow.worker_preload``, about 2 CPU-seconds) instead of once per
  spawned worker; elsewhere each loads them in its initializer. The flow engine then uses
  the started pool as it is, and winnow ends it (and the fork server) after the flow: the
  workers are idle then, and are terminated instead of waiting for each to unwind Prefect's
  clients.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Iterator, Optional

from winnow.settings import Settings, worker_count


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask the kernel to end this process (with ``sig``) when its parent dies, even by kill -9.

    Used for the temporary server (between fork and exec): nothing winnow starts outlives the
    run. Worker processes use ``exit_with_parent`` instead. Linux only; elsewhere a no-op.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, int(sig))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send_prefects_queues(timeout: float = 5) -> None:
    """Prefect's log and event queues sent now (they need the server), each service ended.

    Before a temporary server stops: a service left running for a server that is gone retries
    its sends at interpreter exit (a test session's exit printed "Error logging to API" and once
    waited minutes there)."""
    if "prefect" not in sys.modules:
        return
    with contextlib.suppress(Exception):
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=timeout)
        EventsWorker.drain_all(timeout=timeout)


class TemporaryServer:
    """Prefect's temporary API server (what Prefect starts when no ``PREFECT_API_URL`` is set),
    launched the same way (uvicorn on Prefect's ``create_app`` factory, UI off) by this process."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.server_process: Optional[subprocess.Popen] = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def launch(self) -> None:
        """Start the server process (returns at once; ``wait_healthy`` waits for it)."""
        import importlib.util

        prefect_dir = os.path.dirname(os.path.dirname(importlib.util.find_spec("prefect").origin))
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}
        env.pop("PREFECT_API_URL", None)
        self.server_process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", prefect_dir, "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "error", "--lifespan", "on"],
            env=env, preexec_fn=die_with_parent,
        )
        atexit.register(self._stop_at_exit)

    def _stop_at_exit(self) -> None:
        """At interpreter exit: Prefect's log and event queues are sent first (they need the server)."""
        if self.server_process is None:
            return
        send_prefects_queues()
        self.stop()

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            code = self.server_process.poll()
            if code == 3:  # the port was taken meanwhile (uvicorn's exit code): another one
                self.port = _free_port()
                self.launch()
                continue
            if code is not None:
                raise RuntimeError(f"Prefect's temporary server exited at start-up (code {code})")
            try:
                with urllib.request.urlopen(self.api_url + "/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Prefect's temporary server was not healthy after {timeout:g} s")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.server_process is not None:
            with contextlib.suppress(Exception):
                self.server_process.kill()

    def stop(self) -> None:
        proc, self.server_process = self.server_process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def prefect_rereads_its_settings() -> None:
    """Prefect reads its settings from the environment when first imported: in a program that
    imported it before winnow set or removed ``PREFECT_API_URL`` (a notebook, the test session),
    it is told to read them again. Otherwise it ignored winnow's server and started a temporary
    server of its own beside it, for the flow and again for every worker process of the run."""
    context = sys.modules.get("prefect.context")
    if context is not None:
        context.refresh_global_settings_context()


_server: Optional[TemporaryServer] = None  # this process's temporary API server, once started


def current_server() -> Optional[TemporaryServer]:
    return _server


def launch_server() -> Optional[TemporaryServer]:
    """Start this process's temporary server unless ``PREFECT_API_URL`` names one (or it runs already);
    ``PREFECT_API_URL`` is set to its address at once, before it is healthy (``ensure_server`` waits)."""
    global _server
    if _server is not None or os.environ.get("PREFECT_API_URL"):
        return _server
    server = TemporaryServer()
    server.launch()
    os.environ["PREFECT_API_URL"] = server.api_url
    prefect_rereads_its_settings()
    _server = server
    return server


def ensure_server() -> str | None:
    """Prefect's temporary API server, started once per process and healthy; None when
    ``PREFECT_API_URL`` names another server.

    Started here rather than by Prefect on first use so that (1) worker processes and Dask
    workers, started later, share it instead of starting one each, and (2) it never outlives
    this process. Runs in one process (tests, a notebook) share it.
    """
    if _server is None and os.environ.get("PREFECT_API_URL"):
        return None
    server = launch_server()
    try:
        server.wait_healthy(float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")))
    except BaseException:
        stop_server()
        raise
    if os.environ.get("PREFECT_API_URL") != server.api_url:  # the port changed
        os.environ["PREFECT_API_URL"] = server.api_url
        prefect_rereads_its_settings()
    return server.api_url


def stop_server() -> None:
    """Stop this process's temporary server now."""
    global _server
    if _server is not None:
        server, _server = _server, None
        send_prefects_queues()
        if os.environ.get("PREFECT_API_URL") == server.api_url:
            os.environ.pop("PREFECT_API_URL", None)
            prefect_rereads_its_settings()
        server.stop()


# ------------------------------------------------------------------ worker processes

def _worker_init(run_pid: int | None = None) -> None:
    """In each worker process, once: watch the run's process, import the pipeline before the first batch
    (a worker forked by the fork server has it imported already)."""
    from winnow.ingest import exit_with_parent

    # forked by the fork server, the worker's parent is not the run: it watches the run's process too
    exit_with_parent(run_pid=run_pid if run_pid is not None and run_pid != os.getppid() else None)
    import winnow.worker_preload  # noqa: F401  (Prefect, the cleaners, langdetect: seconds of imports)


def fork_server_context():
    """multiprocessing's fork server, which loads what a worker needs once (``winnow.worker_preload``)
    and forks each worker from it, where the platform has one (None elsewhere: Prefect's spawned
    workers, each loading it)."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["winnow.worker_preload"])
    return context


def stop_fork_server() -> None:
    """End this process's fork server, if one runs (it would otherwise live as long as this process)."""
    from multiprocessing import forkserver

    server = forkserver._forkserver
    with server._lock:
        if server._forkserver_pid is None:
            return
        with contextlib.suppress(OSError):
            os.kill(server._forkserver_pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            server._stop_unlocked()


def _ready() -> int:
    return os.getpid()


class WorkerLost(RuntimeError):
    """A worker process ended a batch with SystemExit, KeyboardInterrupt or a termination signal."""


def _relayed(process_future):
    import concurrent.futures

    relay: concurrent.futures.Future = concurrent.futures.Future()

    def done(f) -> None:
        if f.cancelled():
            concurrent.futures.Future.cancel(relay)
            return
        try:
            relay.set_result(f.result())
        except Exception as e:
            relay.set_exception(e)
        except BaseException as e:  # noqa: BLE001 - exactly what Prefect drops
            relay.set_exception(WorkerLost(f"the worker process ended the batch with {type(e).__name__}: {e}"))

    process_future.add_done_callback(done)
    relay.cancel = process_future.cancel  # cancelling the relay cancels the work
    return relay


@contextlib.contextmanager
def flows_server_for_workers():
    """Prefect settings naming the API server the current flow run talks to, while a task is submitted.

    A worker runs its task with the settings of the flow's process (Prefect ships them with the
    task). A flow called with no ``PREFECT_API_URL`` runs on the temporary server Prefect started
    in the flow's process, whose address is in no setting: each worker, told of no server, started
    one of its own, which outlived it (a pool's workers are terminated), one server left behind per
    worker. With the flow's address in the settings the workers use the flow's server.
    """
    from prefect.context import FlowRunContext
    from prefect.settings import PREFECT_API_URL, temporary_settings

    client = getattr(FlowRunContext.get(), "client", None)
    if PREFECT_API_URL.value() or client is None:
        yield
        return
    with temporary_settings(updates={PREFECT_API_URL: str(client.api_url).rstrip("/")}):
        yield


_serializing = threading.Lock()


@contextlib.contextmanager
def settings_serialized_once(memo: dict) -> Iterator[None]:
    """Prefect's settings context serialized once per settings, not once per submitted task.

    Prefect's process pool serializes the whole context with every task it submits, to ship it to
    the worker; its settings part (every Prefect setting, walked for secrets) costs ~12 CPU-ms,
    once per batch, in the flow's process, on the cores the workers clean on. While a task is
    submitted, ``SettingsContext.serialize`` answers from ``memo`` when it is asked for the same
    context holding the same settings object (Prefect's own pool keeps the environment it builds
    from the settings on the same condition) and serializes anew otherwise; each caller gets its
    own copy of the answer."""
    from prefect.context import SettingsContext

    with _serializing:
        original = SettingsContext.serialize

        def serialize(ctx, include_secrets: bool = True) -> dict:
            hit = memo.get(include_secrets)
            if hit is None or hit[0] is not ctx or hit[1] is not ctx.settings:
                hit = memo[include_secrets] = (ctx, ctx.settings, original(ctx, include_secrets=include_secrets))
            return copy.deepcopy(hit[2])

        SettingsContext.serialize = serialize
        try:
            yield
        finally:
            SettingsContext.serialize = original


_held_pools: set[int] = set()  # WorkerPools started and not yet closed in this process


def worker_pool(workers: int):
    """A ``WorkerPool`` of ``workers`` processes (Prefect is imported here, not at module import)."""
    from concurrent.futures import ProcessPoolExecutor

    from prefect.task_runners import ProcessPoolTaskRunner

    class WorkerPool(ProcessPoolTaskRunner):
        """Prefect's process pool, started before the flow (``start``) and ended after it (``close``).

        Between the two, the flow engine's own enter/exit leave it alone and ``duplicate``
        returns it, so the flow's batches run on the processes started with the server.
        """

        def __init__(self, max_workers: int | None = None, **kwargs):
            super().__init__(max_workers=max_workers, initializer=_worker_init, initargs=(os.getpid(),), **kwargs)
            self._held = False
            self._warming: Optional[threading.Thread] = None
            self._settings_memo: dict = {}

        def start(self) -> "WorkerPool":
            ProcessPoolTaskRunner.__enter__(self)
            context = fork_server_context()
            if context is not None:  # the same pool, its workers forked from one process that imported the pipeline
                spawned = self._executor
                self._executor = ProcessPoolExecutor(self._max_workers, mp_context=context,
                                                     initializer=spawned._initializer, initargs=spawned._initargs)
                spawned.shutdown(wait=False)
            self._held = True
            _held_pools.add(id(self))
            # workers start on demand: one call each, submitted before any is up, starts them all; from a
            # thread, because the fork server's first fork waits for its imports (the flow imports meanwhile)
            self._warming = threading.Thread(target=self._warm, name="winnow-workers-start", daemon=True)
            self._warming.start()
            return self

        def _warm(self) -> None:
            with contextlib.suppress(Exception):  # a pool that cannot start fails the flow's first batch instead
                for _ in range(self._max_workers):
                    self._executor.submit(_ready)

        def duplicate(self):
            return self if self._held else type(self)(max_workers=self._max_workers)

        def __reduce__(self):  # shipped with the flow to workers: as a pool not started (no queue, no processes)
            return worker_pool, (self._max_workers,)

        def __enter__(self):
            return self if self._held else super().__enter__()

        def __exit__(self, *exc) -> None:
            if not self._held:
                super().__exit__(*exc)

        def submit(self, *args, **kwargs):
            # the task's settings, shipped to its worker, name the flow's server; serialized once for the run
            with flows_server_for_workers(), settings_serialized_once(self._settings_memo):
                return super().submit(*args, **kwargs)

        def _resolve_futures_and_submit(self, *args, **kwargs):
            """Prefect's step that hands a task to the pool, returning the process's future, relayed:
            a BaseException from the worker (SystemExit from Prefect's engine after an error of its
            own, TerminationSignal when the worker is sent SIGTERM) reaches the flow as ``WorkerLost``.
            Prefect forwards only ``Exception`` to the task's future, so the flow waited forever on
            that batch, its worker idle (the hang once seen in a long test session)."""
            return _relayed(super()._resolve_futures_and_submit(*args, **kwargs))

        def pids(self) -> list[int]:
            if self._warming is not None:
                self._warming.join()
            return sorted(p.pid for p in (getattr(self._executor, "_processes", None) or {}).values())

        def close(self) -> None:
            """End the pool: its workers are idle (the flow has returned), so they are terminated at
            once rather than each unwinding Prefect's clients (seconds per worker)."""
            if not self._held:
                return
            self._held = False
            _held_pools.discard(id(self))
            if self._warming is not None:
                self._warming.join(5)
            executor = self._executor
            processes = list((getattr(executor, "_processes", None) or {}).values())
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)
            for p in processes:
                with contextlib.suppress(Exception):
                    p.terminate()
            for p in processes:
                with contextlib.suppress(Exception):
                    p.join(5)
            ProcessPoolTaskRunner.__exit__(self, None, None, None)
            if not _held_pools:  # the last pool of this process: its fork server goes with it
                stop_fork_server()

    return WorkerPool(max_workers=workers)


def task_runner_for(settings: Settings, runner: str | None = None, dask_address: str | None = None):
    runner = runner or settings.flow.runner
    address = dask_address if dask_address is not None else settings.flow.dask_address
    if runner == "dask" or address:
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:
            raise RuntimeError("the dask runner needs prefect-dask: pip install 'winnow[dask]'") from None
        if address:
            return DaskTaskRunner(address=address)
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": worker_count(settings.flow), "threads_per_worker": 1, "processes": True,
                            "dashboard_address": None}
        )
    if runner == "process":
        return worker_pool(worker_count(settings.flow))
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=worker_count(settings.flow))


@contextlib.contextmanager
def prefect_started(settings: Settings, runner: str | None = None, dask_address: str | None = None):
    """The task runner for a one-off flow run, with Prefect's server and the workers starting at once.

    The server process starts first; while it comes up, this process imports the flow
    (Prefect, the pipeline) and DuckDB's pandas bridge (loading a batch needs it), and a
    process pool's workers start and import the pipeline. Yields when the server is healthy.
    """
    launch_server()
    with running(task_runner_for(settings, runner, dask_address)) as task_runner:
        import winnow.flow  # noqa: F401
        from winnow.prefect_tls import share_client_tls_context

        share_client_tls_context()  # the run's API clients: one CA bundle load (winnow.prefect_tls)
        with contextlib.suppress(ImportError):
            import pandas  # noqa: F401  (DuckDB imports it on the first registered Arrow table)
        ensure_server()
        yield task_runner


@contextlib.contextmanager
def without_heartbeats_on_a_temporary_server() -> Iterator[None]:
    """A flow run on winnow's temporary server sends no flow-run heartbeats.

    Prefect's flow engine sends one every ``flows.heartbeat_frequency`` seconds (180) from a thread
    that sleeps in steps of one second, and joins that thread when the flow ends: every run ended
    with up to a second of waiting (0.5 s on average, measured 1.0 s in a run's timeline), when the
    cores are otherwise idle. Heartbeats let a server mark a run whose process died as crashed; the
    temporary server dies with the run's process, so nothing would ever read them (winnow marks
    such a run ``interrupted`` itself, at the next run). Runs on a server the user started
    (``PREFECT_API_URL``) and served runs keep them.
    """
    if _server is None:
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@contextlib.contextmanager
def running(task_runner):
    """A ``WorkerPool`` started now (its processes start at once) and ended on exit; another runner
    as it is (the flow engine enters and leaves it)."""
    started = task_runner.start() if hasattr(task_runner, "start") and hasattr(task_runner, "_held") else None
    try:
        yield task_runner
    finally:
        if started is not None:
            started.close()
