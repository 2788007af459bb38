"""The `winnow` command as a user runs it: real subprocesses, real files."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from conftest import SEEDS, ingest, make_settings, one_line_error, winnow_cli


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """A warehouse built from the seeds by the real flow (shared by the read-only tests)."""
    tmp = tmp_path_factory.mktemp("wh")
    s = make_settings(tmp)
    ingest([SEEDS], s)
    return s


def test_ingest_command_json(tmp_path):
    db = tmp_path / "c.duckdb"
    proc = winnow_cli("ingest", SEEDS, "--json", "--no-export", "--db", db)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["files"]["seen"] == 5 and summary["documents"]["corpus"] == 5
    assert summary["run_id"] and summary["seconds"]["total"] > 0
    assert {"prefect_startup", "work"} <= set(summary["seconds"])
    # the same warehouse again, through WINNOW_DB instead of --db: nothing new
    again = json.loads(winnow_cli("ingest", SEEDS, "--json", "--no-export", env={"WINNOW_DB": str(db)}).stdout)
    assert again["files"]["unchanged"] == 5 and again["documents"]["new"] == 0


def test_sql_reads_and_refuses_writes(warehouse):
    db = warehouse.warehouse.db
    proc = winnow_cli("sql", "--db", db, "SELECT count(*) AS n FROM corpus", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"n": 5}]
    csv_out = winnow_cli("sql", "SELECT language, count(*) AS n FROM corpus GROUP BY 1", "--format", "csv",
                         env={"WINNOW_DB": db})
    assert csv_out.stdout.splitlines() == ["language,n", "en,5"]
    for statement in ("DELETE FROM documents", "DROP VIEW corpus", "CREATE TABLE t (x INT)",
                      "UPDATE documents SET text = ''", "INSERT INTO runs (run_id) VALUES ('x')"):
        line = one_line_error(winnow_cli("sql", "--db", db, statement))
        assert "read-only" in line
    con = duckdb.connect(db, read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
    con.close()


def test_sql_cannot_reach_files_or_extensions(warehouse, tmp_path):
    db = warehouse.warehouse.db
    tricks = [
        "SELECT * FROM read_csv('/etc/passwd')",
        f"COPY (SELECT * FROM corpus) TO '{tmp_path}/leak.csv'",
        f"ATTACH '{tmp_path}/other.duckdb' AS other",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SELECT * FROM read_text('/etc/hostname')",
    ]
    for q in tricks:
        line = one_line_error(winnow_cli("sql", "--db", db, q))
        assert "refused" in line, (q, line)
    assert not (tmp_path / "leak.csv").exists() and not (tmp_path / "other.duckdb").exists()


def test_clean_jsonl_on_a_folder(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for f in sorted(SEEDS.iterdir())[:3]:
        shutil.copy(f, folder / f.name)
    (folder / "empty.txt").write_bytes(b"")
    proc = winnow_cli("clean", folder, "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(records) == 4
    docs = [r for r in records if "rejected" not in r]
    assert len(docs) == 3
    for r in docs:
        assert {"path", "title", "text", "language"} <= set(r)
        assert r["language"] == "en" and len(r["text"].split()) > 100
    assert [r["rejected"] for r in records if "rejected" in r] == ["empty"]


def test_clean_explain_lists_removed_lines_with_reasons():
    proc = winnow_cli("clean", SEEDS / "001_a7bb1ff81f784584.txt", "--format", "json", "--explain")
    assert proc.returncode == 0, proc.stderr
    (rec,) = json.loads(proc.stdout)
    removed = rec["removed"]
    assert len(removed) >= 20
    assert all(x["reason"] and x["text"] for x in removed)
    texts = " ".join(x["text"] for x in removed)
    for chrome in ("Top Stories", "Print the Page", "Customs Exchange Rates", "Daily Poll"):
        assert chrome in texts and chrome not in rec["text"]
    text_out = winnow_cli("clean", SEEDS / "001_a7bb1ff81f784584.txt", "--explain").stdout
    assert "removed" in text_out and "Top Stories" in text_out


def test_stats_and_export(warehouse, tmp_path):
    db = warehouse.warehouse.db
    proc = winnow_cli("stats", "--db", db, "--json")
    assert proc.returncode == 0, proc.stderr
    stats = json.loads(proc.stdout)
    assert stats["total"]["corpus_documents"] == 5
    assert stats["corpus_by_language"] == [{"language": "en", "documents": 5, "words": stats["corpus_by_language"][0]["words"]}]
    assert stats["corpus_by_extractor"][0]["documents"] == 5
    out = tmp_path / "parquet"
    proc = winnow_cli("export", "--db", db, "--out", out, "--partition-by", "language")
    assert proc.returncode == 0, proc.stderr
    assert (out / "language=en").is_dir()
    n = duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/**/*.parquet', hive_partitioning=true)").fetchall()[0][0]
    assert n == 5


def test_user_errors_are_one_line(tmp_path, warehouse):
    line = one_line_error(winnow_cli("ingest", tmp_path / "nope", "--db", tmp_path / "x.duckdb"))
    assert "no such file or directory" in line
    bad = tmp_path / "bad.toml"
    bad.write_text("[dedup]\nnum_perm = 'many'\n")
    line = one_line_error(winnow_cli("ingest", SEEDS, "--config", bad, "--db", tmp_path / "x.duckdb"))
    assert "[dedup] num_perm" in line
    bad.write_text("[dedup]\nthreshold = 0.5\n")
    assert "unknown setting" in one_line_error(winnow_cli("stats", "--config", bad))
    assert "not found" in one_line_error(winnow_cli("stats", "--config", tmp_path / "missing.toml"))
    assert "not found" in one_line_error(winnow_cli("stats", env={"WINNOW_CONFIG": str(tmp_path / "missing.toml")}))
    assert "directory" in one_line_error(winnow_cli("ingest", SEEDS, "--db", tmp_path))
    not_db = tmp_path / "notes.duckdb"
    not_db.write_text("these are not the droids")
    assert "DuckDB" in one_line_error(winnow_cli("sql", "select 1", "--db", not_db))
    assert "no warehouse" in one_line_error(winnow_cli("stats", "--db", tmp_path / "absent.duckdb"))
    assert "SQL error" in one_line_error(winnow_cli("sql", "SELEC 1", "--db", warehouse.warehouse.db))
    assert "partition" in one_line_error(winnow_cli("export", "--db", warehouse.warehouse.db, "--partition-by", "title"))


def test_duckdb_out_of_memory_anywhere_is_one_line_naming_the_setting(capsys):
    """DuckDB running out of memory in a step that does not turn it into its own message (the dedup
    does: test_visible_dedup) is a one-line error naming [warehouse] memory_limit_mb, exit 2, where
    the CLI printed `internal error`. The error is DuckDB's own, from a real query at a 1 MB limit."""
    import typer

    from winnow.cli import _errors

    con = duckdb.connect(config={"memory_limit": "1MiB"})
    with pytest.raises(typer.Exit) as e:
        with _errors():
            con.execute("SELECT list(range) FROM range(1000000)").fetchall()
    err = capsys.readouterr().err
    assert e.value.exit_code == 2 and err.count("\n") == 1
    assert err.startswith("winnow: error: the warehouse ran out of memory (Out of Memory Error")
    assert "raise [warehouse] memory_limit_mb" in err and "internal error" not in err


def test_one_wording_for_duckdb_out_of_memory_in_a_step_and_anywhere(capsys):
    """The CLI's last resort and ``memory_bounded`` (the dedup's step) word DuckDB's out-of-memory
    error through one function (``out_of_memory``), where each had its own formatter; both name the
    setting to raise, and a step's says which limit it ran at. Real DuckDB errors at a 1 MB limit."""
    import typer

    from winnow.cli import _errors
    from winnow.storage.db import WarehouseError, memory_bounded, out_of_memory

    con = duckdb.connect(config={"memory_limit": "1MiB"})

    def too_big():
        con.execute("SELECT list(range) FROM range(1000000)").fetchall()

    with pytest.raises(duckdb.OutOfMemoryException) as raw:
        too_big()
    with pytest.raises(WarehouseError) as bounded:
        with memory_bounded("export", 1):
            too_big()
    # DuckDB's message names the allocation that failed, which differs between two runs of a query:
    # each wording is compared with the one of the error that was raised there
    assert isinstance(bounded.value.__cause__, duckdb.OutOfMemoryException)
    assert str(bounded.value) == out_of_memory(bounded.value.__cause__, "export", 1)
    assert str(bounded.value).startswith("export ran out of memory at [warehouse] memory_limit_mb = 1 (Out of Memory")
    with pytest.raises(typer.Exit) as cli:
        with _errors():
            too_big()
    assert isinstance(cli.value.__context__, duckdb.OutOfMemoryException)
    assert capsys.readouterr().err == f"winnow: error: {out_of_memory(cli.value.__context__)}\n"
    for line in (out_of_memory(raw.value), out_of_memory(raw.value, "dedup", None)):
        assert "\n" not in line and "raise [warehouse] memory_limit_mb" in line
    assert "at DuckDB's default memory limit" in out_of_memory(raw.value, "dedup", None)
