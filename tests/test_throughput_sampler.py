"""benchmarks/throughput.py's CPU seconds per process: a real process tree, sampled from /proc."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import throughput  # noqa: E402

# a "run" whose two children burn CPU, one twice as long as the other, while the parent waits
TREE = r"""
import os, time
def burn(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
kids = []
for seconds in (0.6, 1.2):
    pid = os.fork()
    if pid == 0:
        burn(seconds)
        os._exit(0)
    kids.append(pid)
for pid in kids:
    os.waitpid(pid, 0)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_sampler_counts_each_process_of_a_run_and_when_the_workers_finished():
    proc = subprocess.Popen([sys.executable, "-c", TREE])
    sampler = throughput.ProcessCpu(proc.pid, interval=0.05)
    while proc.poll() is None:
        sampler.sample()
        time.sleep(sampler.interval)
    roles = sampler.by_role()
    assert roles["workers"] >= 1.4  # 1.8 CPU-seconds burnt, less what the last interval of each missed
    assert roles["flow"] < 0.5  # the parent waited
    spread = sampler.worker_spread()
    assert spread is not None and spread >= 0.3  # the second child ran ~0.6 CPU-seconds longer
    assert sampler.workers_done() is not None
