"""A worker process never outlives its run, even when the run ends while the worker is still starting."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import ROOT

RUN = '''
import multiprocessing, os, sys, time
from pathlib import Path

def worker(flag):
    while not Path(flag).exists():  # still starting (importing the pipeline) when the run ends
        time.sleep(0.05)
    from winnow.ingest import exit_with_parent
    exit_with_parent(interval=0.1)
    time.sleep(120)  # waiting for work that will never come

if __name__ == "__main__":
    p = multiprocessing.get_context("spawn").Process(target=worker, args=(sys.argv[1],))
    p.start()
    print(p.pid, flush=True)
    os._exit(0)  # the run ends (as by kill -9): the worker is re-parented before it watches
'''


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", "rb") as fh:
        return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"


def test_a_worker_whose_run_ended_while_it_started_exits(tmp_path):
    script, flag = tmp_path / "run.py", tmp_path / "started"
    script.write_text(RUN)
    run = subprocess.Popen([sys.executable, str(script), str(flag)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    pid = int(run.stdout.readline())  # the worker holds the pipe open: read its line, not to the end
    run.wait(60)
    run.stdout.close()
    try:
        assert alive(pid)
        flag.touch()
        deadline = time.monotonic() + 20
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(pid), "the worker outlived its run"
    finally:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
