"""Scheduled runs you can watch: `winnow serve` with a real local Prefect server."""

from __future__ import annotations

import os
import pty
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, SEEDS, winnow_cli

WINNOW = str(Path(sys.executable).parent / "winnow")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra) -> dict:
    """The environment of a new user's shell: no telemetry opt-outs, no CI markers, no Prefect server."""
    from prefect._internal.analytics.ci_detection import CI_ENV_VARS

    env = {k: v for k, v in os.environ.items()
           if k not in CI_ENV_VARS and k != "DO_NOT_TRACK" and not k.startswith(("PREFECT_", "WINNOW_"))}
    env.update(extra)
    return env


def test_deployment_names_differ_between_prefect_deploy_and_serve():
    from winnow.serve import DEPLOYMENT

    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    names = [d["name"] for d in spec["deployments"]]
    assert DEPLOYMENT not in names, (DEPLOYMENT, names)
    # both deploy the same flow, so only the deployment name keeps their schedules apart
    assert all(d["entrypoint"] == "flows/winnow/scheduled.py:scheduled_ingest" for d in spec["deployments"])


def test_taken_ui_port_is_one_line_and_prefect_telemetry_is_off(tmp_path):
    """Run as a new user at a terminal would (a pty: Prefect's telemetry only starts on a terminal)."""
    home = tmp_path / "prefect"
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    master, slave = pty.openpty()
    try:
        # --cron makes serve import Prefect (to check the expression) before it looks at the port
        proc = subprocess.Popen([WINNOW, "serve", "--inbox", SEEDS, "--cron", "*/5 * * * *", "--ui-port", str(port),
                                 "--db", tmp_path / "s.duckdb"], stdin=slave, stdout=slave, stderr=slave,
                                cwd=ROOT, env=clean_env(PREFECT_HOME=str(home)))
        os.close(slave)
        output = b""
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                output += os.read(master, 4096)
            except OSError:
                break
        proc.wait(30)
        try:
            while chunk := os.read(master, 4096):
                output += chunk
        except OSError:
            pass
    finally:
        os.close(master)
        taken.close()
    text = output.decode(errors="replace")
    assert proc.returncode == 2, text
    errors = [line for line in text.splitlines() if "error" in line]
    assert len(errors) == 1 and f"port {port}" in errors[0] and "ui_port" in errors[0], text
    assert "Traceback" not in text and "telemetry" not in text.lower(), text
    assert home.is_dir() and not (home / ".sdk_telemetry").exists(), sorted(p.name for p in home.iterdir())


class Lines:
    """Collects a process's output lines in the background."""

    def __init__(self, *streams):
        self.lines: list[str] = []
        for s in streams:
            threading.Thread(target=self._read, args=(s,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float, proc: subprocess.Popen) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                m = re.search(pattern, line)
                if m:
                    return m
            if proc.poll() is not None:
                break
            time.sleep(0.5)
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines[-40:]))


@pytest.mark.slow
def stop_serve(proc: subprocess.Popen) -> None:
    """Ctrl-C a `winnow serve` and wait up to 60 s for it to exit; kill its process group if it does not
    (the caller's assertion on its exit code then fails)."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_serve_runs_at_once_says_one_line_per_run_and_links_the_ui(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEEDS / "000_6854359e01b304fc.txt", inbox)
    db = tmp_path / "serve.duckdb"
    port = free_port()
    # an hour between runs: the first run must not wait for it
    proc = subprocess.Popen([WINNOW, "serve", "--inbox", inbox, "--interval", "3600", "--ui-port", str(port),
                             "--db", db], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=clean_env(PREFECT_HOME=str(tmp_path / "prefect")), start_new_session=True)
    out = Lines(proc.stdout, proc.stderr)
    try:
        out.wait_for(rf"Prefect UI: http://127\.0\.0\.1:{port}\b", 240, proc)
        m = out.wait_for(r"^run (\S+): 1 file new, 1 document kept, 0 rejected, [\d.]+ s  "
                         rf"http://127\.0\.0\.1:{port}/runs/flow-run/([0-9a-f-]+)$", 300, proc)
        import duckdb

        con = duckdb.connect(str(db), read_only=True)
        try:
            assert con.execute("SELECT run_id, prefect_flow_run_id FROM runs").fetchall() == [(m.group(1), m.group(2))]
        finally:
            con.close()
        # a one-off ingest pointed at this server says so, and its summary links the run in the UI
        api = f"http://127.0.0.1:{port}/api"
        one = winnow_cli("ingest", SEEDS / "002_dc365b1f32c8c620.txt", "--db", tmp_path / "other.duckdb",
                         "--no-export", env={"PREFECT_API_URL": api})
        assert one.returncode == 0, one.stderr
        assert f"connecting to Prefect at {api}" in one.stderr and "starting Prefect" not in one.stderr
        link = re.search(rf"^prefect +flow run \S+ \(([0-9a-f-]+)\) http://127\.0\.0\.1:{port}/runs/flow-run/(\S+)$",
                         one.stdout, re.M)
        assert link and link.group(1) == link.group(2), one.stdout
    finally:
        stop_serve(proc)
    assert proc.returncode == 0, "\n".join(out.lines[-40:])
    assert not (tmp_path / "prefect" / ".sdk_telemetry").exists()


def prefect_logs(api: str) -> list[str]:
    """Every log message the Prefect server at ``api`` holds (its REST API, as the UI reads them)."""
    import json
    import urllib.request

    req = urllib.request.Request(f"{api}/logs/filter", data=json.dumps({"limit": 200}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return [log["message"] for log in json.load(r)]


def corpus_rows(db: Path) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT doc_id, title, text, language, content_hash, cluster_id, cluster_size "
                           "FROM corpus ORDER BY doc_id").fetchall()
    finally:
        con.close()


@pytest.mark.slow
def test_served_runs_clean_on_the_process_pool_and_make_the_corpus_winnow_ingest_makes(tmp_path):
    """A scheduled run cleans its batches on `[flow] workers` processes, not in the flow's own process
    (Prefect's default thread runner did, on one core), and makes the corpus `winnow ingest` makes."""
    from conftest import page_html, pages_gold

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, inbox)
    shutil.copy(SEEDS / "000_6854359e01b304fc.txt", inbox / "copy-of-000.txt")  # an exact duplicate
    for page_id in sorted(pages_gold())[:3]:
        (inbox / f"{page_id}.html").write_text(page_html(page_id), encoding="utf-8")
    config = tmp_path / "winnow.toml"
    config.write_text("[flow]\nrunner = \"process\"\nworkers = 2\nbatch_size = 2\n\n[report]\nafter_run = false\n")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    proc = subprocess.Popen([WINNOW, "serve", "--config", config, "--inbox", inbox, "--interval", "3600",
                             "--ui-port", str(port), "--db", tmp_path / "served.duckdb"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=clean_env(PREFECT_HOME=str(tmp_path / "prefect")), start_new_session=True)
    out = Lines(proc.stdout, proc.stderr)
    try:
        line = out.wait_for(r"^run \S+: .*", 400, proc).group(0)
        files = len(list(inbox.iterdir()))
        assert f": {files} files new, {files - 1} documents kept, 0 rejected" in line, line
        deadline = time.monotonic() + 60  # the flow run's logs reach the server in batches
        while time.monotonic() < deadline:
            logs = prefect_logs(api)
            if any(m.startswith("task runner") for m in logs):
                break
            time.sleep(1)
        text = "\n".join(logs)
        flow_pid = {int(p) for p in re.findall(r"flow process (\d+)", text)}
        cleaned_in = {int(p) for p in re.findall(r"cleaned in process (\d+)", text)}
        pool = re.search(r"^task runner (\w+); worker processes ([\d, ]+);", text, re.M)
        assert len(flow_pid) == 1 and len(re.findall("cleaned in process", text)) == files // 2, text
        assert cleaned_in and not cleaned_in & flow_pid, text  # no batch was cleaned in the flow's process
        assert pool and pool.group(1) == "WorkerPool", text
        workers = {int(p) for p in pool.group(2).split(", ")}
        assert len(workers) == 2 and not workers & flow_pid and cleaned_in <= workers, text

        one = winnow_cli("ingest", inbox, "--config", config, "--db", tmp_path / "once.duckdb", "--no-export",
                         env={"PREFECT_API_URL": api})
        assert one.returncode == 0, one.stderr
    finally:
        stop_serve(proc)
    served = corpus_rows(tmp_path / "served.duckdb")
    assert len(served) == files - 1 and served == corpus_rows(tmp_path / "once.duckdb")


def test_the_prefect_yaml_deployment_cleans_on_the_process_pool(tmp_path):
    """The flow `prefect deploy` deploys, loaded from prefect.yaml's entry point as a Prefect worker loads
    it, runs winnow-ingest as a subflow with `[flow] workers` processes: no batch is cleaned in its own."""
    import logging

    from prefect.flows import load_flow_from_entrypoint

    from conftest import make_settings, query
    from winnow.startup import ensure_server

    ensure_server()
    entry = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"][0]["entrypoint"]
    path, _, name = entry.partition(":")
    deployed = load_flow_from_entrypoint(f"{ROOT / path}:{name}")
    settings = make_settings(tmp_path, flow={"runner": "process", "workers": 2, "batch_size": 2})
    messages: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    keep = Keep()
    logging.getLogger("prefect.flow_runs").addHandler(keep)
    try:
        summary = deployed(inputs=[str(SEEDS)], settings=settings.to_dict(), export=False)
    finally:
        logging.getLogger("prefect.flow_runs").removeHandler(keep)
    assert summary["documents"]["new"] == 5 and query(settings, "SELECT count(*) FROM corpus") == [(5,)]
    text = "\n".join(messages)
    cleaned_in = {int(p) for p in re.findall(r"cleaned in process (\d+)", text)}
    assert len(re.findall("cleaned in process", text)) == 4, text  # 5 files, at most 2 a batch, 2 workers: 2+1+1+1
    assert cleaned_in and os.getpid() not in cleaned_in, text
    pool = re.search(r"^task runner WorkerPool; worker processes ([\d, ]+);", text, re.M)
    assert pool and cleaned_in <= {int(p) for p in pool.group(1).split(", ")}, text
