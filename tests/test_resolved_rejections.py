"""An `error` rejection (a failed batch) is resolved when a later run takes the file in: kept as history,
no longer counted as rejected by `winnow stats`, the report or the dataset card (migration 017)."""

from __future__ import annotations

import duckdb

from conftest import ingest, make_settings, query, warehouse_before
from test_flow_stages import _folder
from winnow.pipeline import LanguageTagger, Pipeline
from winnow.report.queries import rows as report_rows
from winnow.storage import db as wdb
from winnow.storage import queries


def _fail_on(monkeypatch, name: str):
    real = Pipeline.run

    def faulty(self, candidates):
        files = list(candidates)
        if any(c.path.endswith(name) for c in files):
            raise MemoryError("worker ran out of memory")
        return real(self, files)

    monkeypatch.setattr(Pipeline, "run", faulty)
    return real


def _counted(settings) -> dict:
    """What `winnow stats`, the report and the dataset card count as rejected, from their own queries."""
    with wdb.open_read(settings.warehouse.db, 10) as con:
        stats = {r["reason"]: r["files"] for r in queries.rows(con, "stats_rejected_files_by_reason")}
        report = {r["reason"]: r["files"] for r in report_rows(con, "rejection_reasons")}
        card = con.execute((wdb.sql_dir() / "card" / "counts.sql").read_text()).fetchone()[-1]
    return {"stats": stats, "report": report, "card": card}


def test_a_failed_batch_is_resolved_by_the_run_that_ingests_the_file(tmp_path, monkeypatch):
    folder = _folder(tmp_path, ["a.txt", "b.txt", "c.txt"])
    settings = make_settings(tmp_path, flow={"runner": "thread", "batch_size": 1, "workers": 1})
    real = _fail_on(monkeypatch, "b.txt")
    first = ingest([folder], settings, export=False)
    assert first["rejections"] == {"error": 1}
    assert _counted(settings) == {"stats": {"error": 1}, "report": {"error": 1}, "card": 1}

    monkeypatch.setattr(Pipeline, "run", real)
    second = ingest([folder], settings, export=False)
    assert second["documents"]["corpus"] == 3
    rows = query(settings, "SELECT run_id, reason, resolved_run_id, resolved_at IS NOT NULL FROM rejected_files")
    assert rows == [(first["run_id"], "error", second["run_id"], True)], "kept as history, resolved by run 2"
    assert _counted(settings) == {"stats": {}, "report": {}, "card": 0}


def test_an_error_on_a_file_whose_content_hash_is_known_is_retried_by_the_next_run(tmp_path, monkeypatch):
    """A step failing on one page (after the file was read and hashed) is not a verdict on the file:
    the next run takes it in, as it does a file whose whole batch failed."""
    folder = _folder(tmp_path, ["a.txt", "b.txt", "c.txt"])
    settings = make_settings(tmp_path, flow={"runner": "thread", "batch_size": 1, "workers": 1})
    real = LanguageTagger.process

    def faulty(self, doc):
        if doc.source.path.endswith("b.txt"):
            raise MemoryError("the worker ran out of memory on this page")
        return real(self, doc)

    monkeypatch.setattr(LanguageTagger, "process", faulty)
    first = ingest([folder], settings, export=False)
    assert first["rejections"] == {"error": 1}
    assert query(settings, "SELECT reason, sha256 IS NOT NULL FROM rejected_files") == [("error", True)]

    monkeypatch.setattr(LanguageTagger, "process", real)
    second = ingest([folder], settings, export=False)
    assert (second["files"]["new"], second["files"]["unchanged"]) == (1, 2), second["files"]
    assert second["documents"]["corpus"] == 3
    assert query(settings, "SELECT resolved_run_id FROM rejected_files") == [(second["run_id"],)]
    assert _counted(settings) == {"stats": {}, "report": {}, "card": 0}
    third = ingest([folder], settings, export=False)  # taken in: unchanged from now on
    assert (third["files"]["new"], third["files"]["unchanged"]) == (0, 3)


def test_a_resolved_file_that_fails_again_is_rejected_again(tmp_path, monkeypatch):
    folder = _folder(tmp_path, ["a.txt", "b.txt", "c.txt"])
    settings = make_settings(tmp_path, flow={"runner": "thread", "batch_size": 1, "workers": 1})
    real = _fail_on(monkeypatch, "b.txt")
    ingest([folder], settings, export=False)
    monkeypatch.setattr(Pipeline, "run", real)
    ingest([folder], settings, export=False)
    (folder / "b.txt").write_text((folder / "b.txt").read_text() + "\nA new paragraph.\n")
    _fail_on(monkeypatch, "b.txt")
    third = ingest([folder], settings, export=False)  # same path, same detail: a new failure all the same
    assert third["rejections"] == {"error": 1}
    assert query(settings, "SELECT count(*) FILTER (WHERE resolved_run_id IS NULL), count(*) FROM rejected_files") \
        == [(1, 2)]
    assert _counted(settings)["stats"] == {"error": 1}


def test_migration_017_resolves_stored_errors_of_files_taken_in_later_and_keeps_every_row(tmp_path):
    path = tmp_path / "old.duckdb"
    con = warehouse_before(path, 17)
    for run_id, started in (("r1", "2026-01-01 10:00"), ("r2", "2026-01-02 10:00")):
        con.execute("INSERT INTO runs (run_id, started_at, status, pipeline_version, config_hash, fingerprint) "
                    "VALUES (?, ?::TIMESTAMPTZ, 'completed', 'v', 'c', 'f')", [run_id, started])
    # r1: b.txt's batch failed (no hash); c.txt failed with its hash known; d.txt never came back;
    # e.txt is too short (not an error). r2 took in b.txt, and c.txt with other content.
    for p, sha, reason in (("b.txt", None, "error"), ("c.txt", "old", "error"), ("d.txt", None, "error"),
                           ("e.txt", "e", "too_short")):
        con.execute("INSERT INTO rejected_files (run_id, path, sha256, reason, detail, rejected_at) "
                    "VALUES ('r1', ?, ?, ?, 'batch failed', '2026-01-01 10:05'::TIMESTAMPTZ)", [p, sha, reason])
    for p, sha in (("b.txt", "b"), ("c.txt", "new"), ("e.txt", "e")):
        con.execute("INSERT INTO source_files (path, sha256, fingerprint, outcome, status, first_run_id) "
                    "VALUES (?, ?, 'f', 'document', 'current', ?)", [p, sha, "r2" if p != "e.txt" else "r1"])
    con.close()

    with wdb.open_write(path, 10):  # migrates
        pass
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute("SELECT path, reason, resolved_run_id, resolved_at::VARCHAR FROM rejected_files "
                       "ORDER BY path").fetchall()
    con.close()
    assert [r[:3] for r in rows] == [("b.txt", "error", "r2"), ("c.txt", "error", None), ("d.txt", "error", None),
                                     ("e.txt", "too_short", None)]
    assert rows[0][3].startswith("2026-01-02")


def test_migration_023_resolves_an_error_of_a_file_changed_back_and_taken_in(tmp_path):
    """p.txt: an `error` with its content (A) known (r1), changed to B (r2), changed back to A and taken
    in (r3): A's version keeps r1 as its first run, so 017 left the error unresolved; r3 made A's document.
    q.txt failed again on its content (r1, r3) and stays unresolved."""
    path = tmp_path / "old.duckdb"
    con = warehouse_before(path, 17)
    for run_id, day in (("r1", 1), ("r2", 2), ("r3", 3)):
        con.execute("INSERT INTO runs (run_id, started_at, status, pipeline_version, config_hash, fingerprint) "
                    "VALUES (?, ?::TIMESTAMPTZ, 'completed', 'v', 'c', 'f')", [run_id, f"2026-01-0{day} 10:00"])
    for p in ("p.txt", "q.txt"):
        con.execute("INSERT INTO rejected_files (run_id, path, sha256, reason, detail, rejected_at) "
                    "VALUES ('r1', ?, 'A', 'error', 'language: MemoryError', '2026-01-01 10:05'::TIMESTAMPTZ)", [p])
    for p, sha, doc, outcome, status, first, superseded in (
            ("p.txt", "A", "dA", "document", "current", "r1", None),  # taken back in by r3, first seen by r1
            ("p.txt", "B", "dB", "document", "superseded", "r2", "r3"),
            ("q.txt", "A", None, "rejected", "current", "r1", None)):
        con.execute("INSERT INTO source_files (path, sha256, fingerprint, doc_id, outcome, status, first_run_id, "
                    "superseded_run_id) VALUES (?, ?, 'f', ?, ?, ?, ?, ?)", [p, sha, doc, outcome, status, first,
                                                                            superseded])
    for doc, sha, run in (("dA", "A", "r3"), ("dB", "B", "r2")):
        con.execute("INSERT INTO documents (doc_id, sha256, fingerprint, text, language, char_count, word_count, "
                    "content_hash, extractor, extractor_version, run_id, created_at) "
                    "VALUES (?, ?, 'f', 'text', 'en', 4, 1, ?, 'x', '1', ?, now())", [doc, sha, sha, run])
    con.close()

    with wdb.open_write(path, 10):  # migrates
        pass
    rows = query_file(path, "SELECT path, reason, resolved_run_id, resolved_at::VARCHAR FROM rejected_files "
                            "ORDER BY path")
    assert [r[:3] for r in rows] == [("p.txt", "error", "r3"), ("q.txt", "error", None)]
    assert rows[0][3].startswith("2026-01-03")


def query_file(path, sql: str):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_migration_028_reads_the_time_limit_of_stored_timeouts_from_their_detail(tmp_path):
    """Timeouts stored before 028 said their limit only in their detail: the column is filled from it
    (a WARC record's detail starts with the record), so a run with a larger limit retries those files;
    a detail that does not say it leaves NULL, and other reasons stay NULL; every row stays."""
    path = tmp_path / "old.duckdb"
    con = warehouse_before(path, 28)
    con.execute("INSERT INTO runs (run_id, started_at, status, pipeline_version, config_hash, fingerprint) "
                "VALUES ('r1', '2026-01-01 10:00'::TIMESTAMPTZ, 'completed', 'v', 'c', 'f')")
    for p, reason, detail in (
            ("a.txt", "timeout", "cleaning took longer than input.max_seconds_per_page (120 s)"),
            ("b.warc", "timeout", "record 3 at offset 1024: cleaning took longer than input.max_seconds_per_page (0.5 s)"),
            ("c.txt", "timeout", "cleaning took too long"),
            ("d.txt", "too_short", "3 words (120 s)")):
        con.execute("INSERT INTO rejected_files (run_id, path, sha256, reason, detail, rejected_at) "
                    "VALUES ('r1', ?, 'x', ?, ?, '2026-01-01 10:05'::TIMESTAMPTZ)", [p, reason, detail])
    con.close()

    with wdb.open_write(path, 10):  # migrates
        pass
    assert query_file(path, "SELECT path, time_limit_seconds FROM rejected_files ORDER BY path") == [
        ("a.txt", 120.0), ("b.warc", 0.5), ("c.txt", None), ("d.txt", None)]


def test_migration_031_resolves_stored_timeouts_of_file_versions_a_later_run_took_in(tmp_path):
    """Before 028 no run resolved a `timeout`: a version that timed out (r1) and was taken in later kept it
    unresolved, and stats counted the file as rejected beside its document. 031 resolves it by the first
    later run that took the version in (a document) or gave it another outcome (another rejection), as a
    run does now. A version that times out again (the same row, not recorded twice), a version only other
    content of which was taken in, a later `error` (no outcome) and a timeout after the document stay."""
    path = tmp_path / "old.duckdb"
    con = warehouse_before(path, 31)
    for run_id, day in (("r0", 1), ("r1", 2), ("r2", 3), ("r3", 4)):
        con.execute("INSERT INTO runs (run_id, started_at, status, pipeline_version, config_hash, fingerprint) "
                    "VALUES (?, ?::TIMESTAMPTZ, 'completed', 'v', 'c', 'f')", [run_id, f"2026-01-0{day} 10:00"])
    limit = "cleaning took longer than input.max_seconds_per_page (120 s)"
    # r1 timed out on a..f (content A); r0 had made g's document, which r1 timed out on under other settings
    for p in "abcdefg":
        con.execute("INSERT INTO rejected_files (run_id, path, sha256, size, reason, detail, rejected_at, "
                    "time_limit_seconds) VALUES ('r1', ?, 'A', 10, 'timeout', ?, '2026-01-02 10:05'::TIMESTAMPTZ, "
                    "120)", [f"{p}.html", limit])
        con.execute("INSERT INTO source_files (path, sha256, fingerprint, outcome, status, first_run_id) "
                    "VALUES (?, 'A', 'f1', 'rejected', ?, 'r1')", [f"{p}.html", "superseded" if p in "abg" else "current"])
    # r2 (other cleaning settings, f2): a's and b's version A taken in (b again by r3); c's content B taken in
    for p, sha, doc, run in (("a", "A", "dA", "r2"), ("b", "A", "dB", "r2"), ("c", "B", "dC", "r2"),
                             ("g", "A", "dG", "r0")):
        con.execute("INSERT INTO source_files (path, sha256, fingerprint, doc_id, outcome, status, first_run_id) "
                    "VALUES (?, ?, ?, ?, 'document', 'current', ?)", [f"{p}.html", sha, "f0" if p == "g" else "f2",
                                                                      doc, run])
        con.execute("INSERT INTO documents (doc_id, sha256, fingerprint, text, language, char_count, word_count, "
                    "content_hash, extractor, extractor_version, run_id, created_at) "
                    "VALUES (?, ?, 'f2', 'text', 'en', 4, 1, ?, 'x', '1', ?, now())", [doc, sha, doc, run])
    # r3: d too short under other settings; e failed (error); f timed out again (same detail: not recorded)
    for p, reason, detail in (("d", "too_short", "3 words"), ("e", "error", "language: MemoryError")):
        con.execute("INSERT INTO rejected_files (run_id, path, sha256, size, reason, detail, rejected_at) "
                    "VALUES ('r3', ?, 'A', 10, ?, ?, '2026-01-04 10:05'::TIMESTAMPTZ)", [f"{p}.html", reason, detail])
    every_row = ("SELECT run_id, path, sha256, size, reason, detail, rejected_at, time_limit_seconds "
                 "FROM rejected_files ORDER BY ALL")
    before = con.execute(every_row).fetchall()
    con.close()

    with wdb.open_write(path, 10):  # migrates
        pass
    rows = query_file(path, "SELECT path, reason, resolved_run_id, resolved_at::VARCHAR FROM rejected_files "
                            "ORDER BY path, rejected_at")
    assert [r[:3] for r in rows] == [
        ("a.html", "timeout", "r2"),  # taken in by r2
        ("b.html", "timeout", "r2"),  # the first later run that took it in
        ("c.html", "timeout", None),  # other content taken in: A's timeout stands
        ("d.html", "timeout", "r3"), ("d.html", "too_short", None),  # another outcome now
        ("e.html", "timeout", None), ("e.html", "error", None),  # an error is no outcome
        ("f.html", "timeout", None),  # timed out again
        ("g.html", "timeout", None),  # its document is older than the timeout
    ]
    assert rows[0][3].startswith("2026-01-03") and rows[3][3].startswith("2026-01-04")
    assert query_file(path, every_row) == before  # every row kept as it was
    assert _counted(make_settings(tmp_path).with_db(path))["stats"] == {"timeout": 4, "too_short": 1, "error": 1}
