"""winnow's temporary Prefect server, stopped and started again in one process (tests, a notebook)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import subprocess_env

SCRIPT = textwrap.dedent(
    """
    from prefect import flow, get_run_logger
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from winnow.startup import ensure_server, stop_server

    @flow
    def say(text: str):
        get_run_logger().info(text)

    def services():
        return len(APILogWorker._instances) + len(EventsWorker._instances)

    ensure_server()
    say("to the first server")
    print("RUNNING", services())
    stop_server()
    print("AFTER STOP", services())
    ensure_server()  # another server, on another port
    say("to the second server")
    """
)


def test_stopping_the_server_sends_prefects_queues_first_and_leaves_no_service_behind(tmp_path):
    """Prefect's log and event services outlived the server they send to: what they still held,
    and what came after, was sent at interpreter exit to a server that was gone ("Error logging to
    API", retried; in the test session, once minutes of waiting at exit). Stopping the server now
    sends Prefect's queues first and ends the services; the next run starts its own."""
    env = subprocess_env()
    env["PREFECT_HOME"] = str(tmp_path / "prefect")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = dict(line.rsplit(" ", 1) for line in proc.stdout.splitlines() if line.startswith(("RUNNING", "AFTER")))
    assert int(out["RUNNING"]) > 0  # the run had services sending to the server
    assert out["AFTER STOP"] == "0", proc.stdout
    assert "Error logging to API" not in proc.stderr, proc.stderr[-3000:]
