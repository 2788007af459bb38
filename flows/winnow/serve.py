"""Scheduled runs: the ingest flow served by Prefect on an interval or a cron schedule.

Prefect will not schedule flows on its temporary (ephemeral) API. Unless
``PREFECT_API_URL`` already points at a server, ``winnow serve`` starts a local
Prefect server itself — loopback only, on the fixed port ``[schedule] ui_port``,
state in the project's working folder — waits until it is healthy, serves the
flow, and stops the server on exit. The first run starts at once, the next ones
on the schedule; each says one line (``run_line``) on stderr when it ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator, Optional

from winnow.settings import Settings
from winnow.startup import die_with_parent


class ServeError(RuntimeError):
    """The local Prefect server could not be started (one-line message)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_port(port: int) -> None:
    """A one-line error when the UI port is taken, before Prefect tries (and fails obscurely)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise ServeError(
                f"port {port} on 127.0.0.1 is taken (another Prefect server or program): stop it, choose "
                f"another port with [schedule] ui_port or --ui-port, or use a running Prefect server with "
                f"PREFECT_API_URL=http://127.0.0.1:{port}/api") from None


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(api_url.rstrip("/") + "/health", timeout=timeout) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


@contextlib.contextmanager
def local_prefect_server(home: Path, port: Optional[int] = None, timeout: float = 180.0) -> Iterator[str]:
    """Start `prefect server start` on 127.0.0.1, yield its API URL, stop it on exit."""
    port = port or free_port()
    check_port(port)
    api_url = f"http://127.0.0.1:{port}/api"
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.update({
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_API_HOST": "127.0.0.1",
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_UI_ENABLED": "true",
        "PREFECT_UI_API_URL": api_url,
    })
    log_path = home / "server.log"
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        preexec_fn=die_with_parent,  # a kill -9 of serve takes its server with it
    )
    try:
        deadline = time.monotonic() + timeout
        while not healthy(api_url):
            if proc.poll() is not None:
                raise ServeError(f"the local Prefect server exited at start-up (code {proc.returncode}); see {log_path}")
            if time.monotonic() > deadline:
                raise ServeError(f"the local Prefect server was not healthy after {timeout:g} s; see {log_path}")
            time.sleep(0.5)
        yield api_url
    finally:
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen, grace: float = 15.0) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# prefect.yaml's deployment (for `prefect deploy --all`) is "winnow-scheduled": another name,
# so that the two never overwrite each other's schedule and parameters.
DEPLOYMENT = "winnow-serve"


def run_line(summary: dict, failure: BaseException | None = None) -> str:
    """One line per scheduled run: run id, files new, documents kept, rejected, seconds, UI link."""
    from winnow.wording import plural

    f, d = summary["files"], summary["documents"]
    secs = summary.get("seconds_work") or (summary.get("seconds") or {}).get("work", 0.0)
    head = f"run {summary['run_id']}"
    if failure is not None:
        msg = str(failure).splitlines()[0] if str(failure) else ""
        body = f"failed after {secs:.1f} s: {type(failure).__name__}: {msg}"
    else:
        body = (f"{plural(f['new'], 'file')} new, {plural(d['new'], 'document')} kept, "
                f"{f['rejected']} rejected, {secs:.1f} s")
    link = ((summary.get("prefect") or {}).get("ui"))
    return f"{head}: {body}" + (f"  {link}" if link else "")


def drop_leftover_runs() -> int:
    """Delete runs an earlier `winnow serve` scheduled but never started.

    Prefect keeps a deployment's future runs, with the parameters (inbox,
    database, settings) of the time they were scheduled, after its server
    stops; a new `serve` would otherwise work through that backlog — possibly
    against another inbox — before its own first run.
    """
    from prefect import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter, DeploymentFilterName, FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    dropped = 0
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_flow_runs(
                deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=[DEPLOYMENT])),
                flow_run_filter=FlowRunFilter(
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))),
                limit=200,
            )
            if not runs:
                return dropped
            for flow_run in runs:
                client.delete_flow_run(flow_run.id)
            dropped += len(runs)


def serve_ingest(settings: Settings, inbox: str, interval: Optional[float], cron: Optional[str],
                 ui_port: int, say=print, verbose: bool = False) -> None:
    """Serve the ingest flow (blocks until Ctrl-C or SIGTERM): one run now, then on schedule."""
    from winnow.prefect_env import ENV_ANNOUNCE, ENV_SERVE_PID, ENV_UI, configure_prefect, external_api_url, ui_url

    external = external_api_url()  # before anything sets PREFECT_API_URL
    home = configure_prefect(settings, verbose=verbose)
    if cron:
        from prefect.client.schemas.schedules import CronSchedule

        try:
            CronSchedule(cron=cron)
        except ValueError:
            raise ServeError(f"not a valid cron expression: {cron!r}") from None
    inbox_path = str(Path(inbox).absolute())
    schedule = {"cron": cron} if cron else {"interval": interval}
    os.environ[ENV_ANNOUNCE] = "1"  # each run says one line on stderr; the runner streams it here
    os.environ[ENV_SERVE_PID] = str(os.getpid())  # its runs end with it (winnow.scheduled)

    def run(api_url: str) -> None:
        os.environ["PREFECT_API_URL"] = api_url
        os.environ[ENV_UI] = ui_url(api_url) or ""
        from prefect import serve as prefect_serve

        from prefect.deployments.runner import EntrypointType

        from winnow.scheduled import scheduled_ingest  # imported once the API URL is known

        stale = drop_leftover_runs()
        if stale:
            say(f"dropped {stale} scheduled run(s) left over from an earlier `winnow serve`")
        # the ingest flow on [flow] runner/workers, as a subflow (winnow.scheduled); by module path,
        # so the run imports winnow's own modules, which the worker processes import too
        deployment = scheduled_ingest.to_deployment(
            name=DEPLOYMENT,
            parameters={"inputs": [inbox_path], "settings": settings.to_dict(), "export": True},
            paused=False,
            entrypoint_type=EntrypointType.MODULE_PATH,
            **schedule,
        )
        start_now(deployment.apply())
        say(f"serving the winnow ingest flow on {inbox_path} "
            f"({'cron ' + cron if cron else f'every {interval:g} s'}): a run now, then on schedule; "
            "one line per run; Ctrl-C stops")
        # one run at a time from this server; the run lock guards against others
        prefect_serve(deployment, limit=1, print_starting_message=False)

    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        if external:
            say(f"connecting to Prefect at {external}")
            say(f"Prefect UI: {ui_url(external)}")
            run(external)
        else:
            say(f"starting a local Prefect server on 127.0.0.1:{ui_port} (loopback only)...")
            with local_prefect_server(home, ui_port) as api_url:
                say(f"Prefect UI: {api_url.removesuffix('/api')}  (API {api_url})")
                run(api_url)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    say("stopped")


def start_now(deployment_id) -> None:
    """The first run starts at once instead of one interval after start."""
    from prefect import get_client

    with get_client(sync_client=True) as client:
        client.create_flow_run_from_deployment(deployment_id)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt
