"""benchmarks/scale.py's memory sampler: each process of a run under its own role, ended ones not
taken for "other" processes, and the worker count of a reprinted report."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import scale  # noqa: E402


def test_a_process_that_has_ended_is_not_sampled_as_another_process():
    """A zombie (ended, not yet reaped: the Prefect server and the workers at the end of a run) has no
    sizes and no command line; sampled, it became an "other" process with its earlier peak, and the
    report took such "other" processes for workers."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 30
        while open(f"/proc/{proc.pid}/stat").read().rpartition(")")[2].split()[0] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert scale._status(proc.pid) is None
    finally:
        proc.wait()
    assert scale._status(os.getpid())[0] > 0  # a live process is still read


def test_the_reprinted_report_counts_workers_not_the_prefect_server():
    """Results of runs whose ended Prefect server was kept as an "other" process of 223 MB: the
    reprint counted it as a third worker and divided the workers' signature time by 3."""
    memory = {"worker_peaks_mb": [311.6, 320.4], "other_peaks_mb": [222.9, 12.2], "server_peak_mb": 0}
    assert scale.worker_peaks(memory) == [311.6, 320.4]
