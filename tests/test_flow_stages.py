"""The stage interface, the run summary built from the stages' counters, batch isolation, progress."""

from __future__ import annotations

import io
import time

from conftest import SEEDS, ingest, make_settings, query

from winnow.discover import discover
from winnow.pipeline import Pipeline
from winnow.progress import Progress, ProgressPrinter
from winnow.records import Document, Rejection
from winnow.settings import Settings
from winnow.stage import Stage, run_stages

WORDS = ("harbour authority terminal spring construction dispute dredging channel council budget school "
         "teachers river bridge farmers harvest railway station museum library festival hospital nurses "
         "election minister village market storm coast fishermen court judge factory workers").split()


def _article(seed: int) -> str:
    """A plain-text story of its own: no two share a run of five words."""
    import random

    rng = random.Random(seed)
    sentences = [" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(12)]
    return f"Story number {seed}\n\n" + "\n\n".join(" ".join(sentences[i:i + 3]) for i in range(0, 12, 3)) + "\n"


def _folder(tmp_path, names):
    d = tmp_path / "in"
    d.mkdir()
    for i, name in enumerate(names):
        (d / name).write_text(_article(i), encoding="utf-8")
    return d


def test_a_stage_counts_and_turns_an_exception_into_an_error_rejection(tmp_path):
    class Boom(Stage):
        name = "boom"

        def process(self, doc):
            if "b.txt" in doc.path:
                raise ValueError("bad luck")
            return doc

    folder = _folder(tmp_path, ["a.txt", "b.txt", "c.txt"])
    pipe = Pipeline(Settings())
    boom = Boom()
    out = list(run_stages([*pipe.stages, boom], discover([folder]).candidates))
    assert [type(o) for o in out] == [Document, Rejection, Document]
    assert out[1].reason == "error" and "boom: ValueError: bad luck" in out[1].detail and out[1].sha256
    assert boom.stats["boom.in"] == 3 and boom.stats["boom.out"] == 2 and boom.stats["boom.rejected:error"] == 1
    assert pipe.stages[0].stats["read.type:text"] == 3


def test_summary_counts_are_the_warehouse_counts(tmp_path):
    """One source of counts: what the summary says is what the warehouse holds."""
    settings = make_settings(tmp_path, flow={"runner": "thread"})
    summary = ingest([SEEDS, tmp_path / "nothing.html"] if False else [SEEDS], settings)
    run_id = summary["run_id"]
    langs = dict(query(settings, "SELECT language, count(*) FROM documents WHERE run_id = ? GROUP BY 1", [run_id]))
    assert summary["languages"] == langs
    rejected = dict(query(settings, "SELECT reason, count(*) FROM rejected_files WHERE run_id = ? GROUP BY 1",
                          [run_id]))
    assert summary["rejections"] == rejected
    stored = query(settings, "SELECT summary FROM runs WHERE run_id = ?", [run_id])[0][0]
    assert '"new": %d' % summary["documents"]["new"] in stored


def test_a_failing_batch_rejects_its_files_and_the_run_goes_on(tmp_path, monkeypatch):
    """Issue 11 item 8: a batch that raises (a worker crash, a bug) costs its files, not the run."""
    folder = _folder(tmp_path, ["a.txt", "b.txt", "c.txt"])
    settings = make_settings(tmp_path, flow={"runner": "thread", "batch_size": 1, "workers": 1})
    real_run = Pipeline.run

    def faulty(self, candidates):
        files = list(candidates)
        if any(c.path.endswith("b.txt") for c in files):
            raise MemoryError("worker ran out of memory")
        return real_run(self, files)

    monkeypatch.setattr(Pipeline, "run", faulty)
    summary = ingest([folder], settings, export=False)
    assert summary["status"] == "completed"
    assert summary["documents"]["corpus"] == 2
    assert summary["rejections"] == {"error": 1} and summary["files"]["rejected"] == 1
    rows = query(settings, "SELECT path, reason, detail FROM rejected_files")
    assert [(r[0].endswith("b.txt"), r[1]) for r in rows] == [(True, "error")]
    assert "MemoryError" in rows[0][2]

    monkeypatch.setattr(Pipeline, "run", real_run)
    again = ingest([folder], settings, export=False)  # the failed file was not remembered: tried again
    assert again["files"]["new"] == 1 and again["files"]["unchanged"] == 2
    assert again["documents"]["corpus"] == 3


def test_a_batch_that_cannot_be_loaded_is_recorded_as_rejected(tmp_path, monkeypatch):
    from winnow.storage import load as wload

    folder = _folder(tmp_path, ["a.txt", "b.txt", "c.txt"])
    settings = make_settings(tmp_path, flow={"runner": "thread", "batch_size": 1, "workers": 1, "retries": 0})
    real_tables = wload.tables_of

    def faulty(batch):  # in the flow's process, loading the tables the worker built
        tables = real_tables(batch)
        if any(p.endswith("b.txt") for p in tables.sources.column("path").to_pylist()):
            raise OSError("disk full")
        return tables

    monkeypatch.setattr(wload, "tables_of", faulty)
    summary = ingest([folder], settings, export=False)
    assert summary["status"] == "completed" and summary["documents"]["corpus"] == 2
    rows = query(settings, "SELECT reason, detail FROM rejected_files")
    assert len(rows) == 1 and rows[0][0] == "error" and "disk full" in rows[0][1]


def test_progress_shows_rate_and_eta_and_logs_off_a_terminal():
    p = Progress()
    p.stage("starting Prefect")
    buf = io.StringIO()
    with ProgressPrinter(p, stream=buf, log_every=0.05, terminal=False):
        time.sleep(0.12)
        p.stage("processing")
        p.files(10)
        time.sleep(0.05)
        p.advance(5, 4)
        time.sleep(0.15)
    lines = buf.getvalue().splitlines()
    assert lines[0].startswith("winnow: starting Prefect")  # from the first moment, before any file
    last = lines[-1]
    assert "5/10 files (50%)" in last and "4 documents" in last and "docs/s" in last and "ETA" in last
    snap = p.snapshot()
    assert snap.eta is not None and 0 < snap.eta < 5 and snap.rate > 0


def test_signatures_are_computed_with_the_batch_not_read_back(tmp_path):
    settings = make_settings(tmp_path, flow={"runner": "thread"})
    summary = ingest([SEEDS], settings, export=False)
    stored = query(settings, "SELECT count(*) FROM doc_signatures")[0][0]
    assert summary["duplicates"]["signatures_computed"] == stored == summary["documents"]["new"] > 0
    assert summary["duplicates"]["signatures_read_back"] == 0, "the dedup stage signed nothing itself"
    assert summary["step_seconds"]["signature"] > 0


def test_migrations_run_once_per_run_not_per_batch(tmp_path, monkeypatch):
    from winnow.storage import db as wdb

    calls = []
    real = wdb.migrate
    monkeypatch.setattr(wdb, "migrate", lambda con: calls.append(1) or real(con))
    folder = _folder(tmp_path, ["a.txt", "b.txt", "c.txt", "d.txt"])
    settings = make_settings(tmp_path, flow={"runner": "thread", "batch_size": 1})
    summary = ingest([folder], settings, export=False)
    assert summary["documents"]["corpus"] == 4
    assert len(calls) == 1, f"migrated {len(calls)} times for one run of 4 batches"


def test_every_connection_of_a_run_gets_the_warehouse_memory_limit(tmp_path, monkeypatch):
    """[warehouse] memory_limit_mb reaches each DuckDB connection the flow's process opens (plan, load,
    dedup, export, report): DuckDB's default is 80% of the machine's memory, which the flow's one
    long-lived process kept (5.6 GB at 100,000 documents)."""
    from winnow.storage import db as wdb

    limits = []
    real = wdb._connect

    def connect(db, read_only, config=None):
        con = real(db, read_only, config)
        limits.append((read_only, con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]))
        return con

    monkeypatch.setattr(wdb, "_connect", connect)
    folder = _folder(tmp_path, ["a.txt", "b.txt", "c.txt"])
    settings = make_settings(tmp_path, flow={"runner": "thread", "batch_size": 1}, warehouse={"memory_limit_mb": 200},
                             report={"after_run": True, "path": str(tmp_path / "report.html")})
    summary = ingest([folder], settings, export=True)
    assert summary["documents"]["corpus"] == 3 and summary["report"]["documents"] == 3
    # planning; the run's writer (its row, the batches, dedup, export, its end, report: kept open,
    # winnow.storage.db.Writer)
    assert len([1 for ro, _ in limits if not ro]) >= 2
    assert {limit for _, limit in limits} == {"200.0 MiB"}
    # and the summary has the peak memory of each of the flow's steps
    assert {"discover+plan", "processing", "load", "dedup", "export", "report"} <= set(summary["step_peak_mb"])
    assert all(mb > 10 for mb in summary["step_peak_mb"].values())


def test_a_run_opens_the_warehouse_for_writing_once_for_all_its_batches(tmp_path, monkeypatch):
    """Opening the warehouse and closing it (a checkpoint) was most of a batch's loading in the flow's
    process: the run's writer keeps it open from its row through the batches and dedup to the run's
    row and the report after it (each opened the file again: ~0.05-0.1 s of the run's tail apiece)."""
    from winnow.storage import db as wdb

    opened = []
    real = wdb._connect

    def connect(db, read_only, config=None):
        opened.append(read_only)
        return real(db, read_only, config)

    monkeypatch.setattr(wdb, "_connect", connect)
    folder = _folder(tmp_path, [f"{c}.txt" for c in "abcdef"])
    settings = make_settings(tmp_path, flow={"runner": "thread", "batch_size": 1},
                             report={"after_run": True, "path": str(tmp_path / "report.html")})
    summary = ingest([folder], settings, export=True)
    assert summary["documents"]["corpus"] == 6 and summary["report"]["documents"] == 6
    assert summary["export"]["rows"] == 6
    assert opened.count(False) == 2, opened  # planning; the writer (row, 6 batches, dedup, the run's end)
    assert opened.count(True) == 0, opened  # the export and the report read through the writer's connection


def test_a_step_peak_is_the_peak_of_that_step_not_of_the_process():
    from winnow.memory import meter, rss_mb

    peaks: dict[str, float] = {}
    with meter(peaks, "big"):
        block = bytearray(200 * 1024 * 1024)  # touched: resident
        block[:: 4096] = b"x" * len(block[:: 4096])
        del block
    with meter(peaks, "small"):
        sum(range(1000))
    assert peaks["big"] >= rss_mb() + 150, peaks
    assert peaks["small"] < peaks["big"] - 150, "the peak was not reset at the start of the step"
