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



def test_a_failed_run_prints_its_one_line_error_and_what_the_warehouse_holds_of_it(tmp_path):
    """A size whose `winnow ingest` fails prints the one-line error, what the warehouse holds of the
    run (here: none, the command refused before opening it) and the sampled peaks, where scale.py
    printed stderr's tail. A real run that fails for real: its export path is a file."""
    import shutil

    import pytest

    from conftest import DATA

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "dedup" / "crossformat" / "page.html.gz", corpus / "page.html.gz")
    db = tmp_path / "scale.duckdb"
    (tmp_path / "scale-export").write_text("a file where the export goes\n")
    with pytest.raises(SystemExit) as e:
        scale.ingest(corpus, db, tmp_path / "prefect", export=True)
    lines = str(e.value.code).splitlines()
    assert lines[0].startswith("winnow ingest failed (exit 2): winnow: error: refusing to export to "), lines
    assert lines[1].startswith("- no run summary: ") and "does not exist" in lines[1]
    assert lines[2].startswith("- sampled peaks: flow process ")


def test_a_run_that_fails_after_loading_prints_the_step_it_failed_in_and_what_it_loaded(tmp_path, monkeypatch):
    """A size whose `winnow ingest` fails mid-run, after the warehouse holds the run: the one-line
    error, then the run's row (failed, the flow step it reached, the flow's peaks by step, the
    documents loaded) and the sampled peaks. A real run; its failure is injected where a real one
    can happen after loading, the disk filling up when the export makes its version folder (a
    ``sitecustomize`` on the command's PYTHONPATH; a target winnow may not use is refused before
    the run now, so it no longer serves)."""
    import shutil
    import textwrap

    import pytest

    from conftest import DATA

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "dedup" / "crossformat" / "page.html.gz", corpus / "page.html.gz")
    shutil.copy(DATA / "dedup" / "crossformat" / "page.txt.gz", corpus / "dump.txt.gz")
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(textwrap.dedent("""
        import errno
        import winnow.storage.export as export

        def _new_version(versions):
            raise OSError(errno.ENOSPC, "No space left on device", str(versions))

        export._new_version = _new_version
    """))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(inject), os.environ.get("PYTHONPATH")])))
    db = tmp_path / "scale.duckdb"
    with pytest.raises(SystemExit) as e:
        scale.ingest(corpus, db, tmp_path / "prefect", export=True)
    lines = str(e.value.code).splitlines()
    assert lines[0].startswith("winnow ingest failed (exit 2): winnow: error: no space left to write "), lines
    assert lines[1].startswith("- run failed; failed in the step: "), lines
    step = lines[1].split("failed in the step: ")[1].split(" (")[0]
    assert step in ("dedup", "export"), lines  # the export is timed when it ends: the last step timed
    assert lines[2].startswith("- flow process peak by step (MB): ") and "load " in lines[2], lines
    assert lines[3].startswith("- documents loaded: {'new': 2, ") and "'corpus': 1" in lines[3], lines  # deduplicated
    assert "; seconds by step: " in lines[3] and "load " in lines[3].split("; seconds by step: ")[1], lines
    assert lines[4].startswith("- sampled peaks: flow process ")
