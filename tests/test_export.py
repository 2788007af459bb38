"""The Parquet export never deletes what winnow did not write, and a reader always finds a whole export."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

import duckdb
import pytest

from conftest import ROOT, SEEDS, one_line_error, winnow_cli
from winnow.settings import Settings, load_settings
from winnow.storage import export as export_module
from winnow.storage.export import MARK, ExportError, check_target, export_corpus, versions_dir


@pytest.fixture
def project(tmp_path, warehouse):
    """A copy of a project root: settings, seeds, README and a warehouse with data in it."""
    root = tmp_path / "project"
    (root / "config").mkdir(parents=True)
    shutil.copy(ROOT / "config" / "winnow.toml", root / "config" / "winnow.toml")
    shutil.copytree(SEEDS, root / "seeds")
    shutil.copy(ROOT / "README.md", root / "README.md")
    (root / "warehouse").mkdir()
    shutil.copy(warehouse.warehouse.db, root / "warehouse" / "corpus.duckdb")
    return root


def _tree(root) -> dict[str, bytes]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else b"")
            for p in sorted(root.rglob("*")) if ".lock" not in p.name}


def _refused(proc) -> str:
    line = one_line_error(proc)
    assert line.startswith("winnow: error: "), line
    return line


def _corpus(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT doc_id, text FROM corpus ORDER BY doc_id").fetchall()
    finally:
        con.close()


def _exported(out) -> list[tuple]:
    return duckdb.sql(f"SELECT doc_id, text FROM read_parquet('{out}/**/*.parquet', hive_partitioning=true) "
                      "ORDER BY doc_id").fetchall()


def test_out_dot_warehouse_and_a_file_are_refused_and_untouched(project):
    before = _tree(project)
    assert "refusing" in _refused(winnow_cli("export", "--out", ".", cwd=project))
    assert "refusing" in _refused(winnow_cli("export", "--out", "warehouse", cwd=project))
    assert "a file of that name exists" in _refused(winnow_cli("export", "--out", "README.md", cwd=project))
    assert "not empty" in _refused(winnow_cli("export", "--out", "seeds", cwd=project))
    assert "refusing" in _refused(winnow_cli("export", "--out", "..", cwd=project / "seeds",
                                             env={"WINNOW_DB": str(project / "warehouse" / "corpus.duckdb")}))
    assert _tree(project) == before  # nothing deleted, renamed or added


def test_empty_export_dir_setting_is_refused_before_any_work(project):
    cfg = project / "config" / "winnow.toml"
    cfg.write_text(cfg.read_text().replace('# export_dir = "../warehouse/export"', 'export_dir = ""'))
    before = _tree(project)
    for args in (["export"], ["ingest", "seeds", "--json"]):
        assert "[warehouse] export_dir must name a path" in _refused(winnow_cli(*args, cwd=project))
    assert _tree(project) == before


def test_ingest_refuses_a_foreign_export_folder_before_running(project):
    cfg = project / "config" / "winnow.toml"
    cfg.write_text(cfg.read_text().replace('# export_dir = "../warehouse/export"', 'export_dir = "../seeds"'))
    before = _tree(project)
    assert "not written by winnow" in _refused(winnow_cli("ingest", "seeds", cwd=project))
    assert _tree(project) == before


def test_ingest_refuses_a_foreign_versions_folder_before_running(project):
    """Where an export keeps its versions (``.<name>.versions`` beside it) stands a folder of someone
    else's, or a file: the old code checked the export folder only, so `winnow ingest` loaded everything
    and then failed at its export (or, for a file, said `internal error: FileExistsError`)."""
    cfg = project / "config" / "winnow.toml"
    cfg.write_text(cfg.read_text().replace('# export_dir = "../warehouse/export"', 'export_dir = "../out"'))
    versions = project / ".out.versions"
    versions.mkdir()
    (versions / "notes.txt").write_text("not winnow's\n")
    before = _tree(project)
    for args in (["ingest", "seeds"], ["export"]):
        line = _refused(winnow_cli(*args, cwd=project))
        assert "was not made by winnow" in line and ".out.versions" in line, line
    assert _tree(project) == before  # nothing loaded (the warehouse file unchanged), nothing written
    shutil.rmtree(versions)
    versions.write_text("a file\n")
    before = _tree(project)
    assert "was not made by winnow" in _refused(winnow_cli("export", cwd=project))
    assert _tree(project) == before
    with pytest.raises(ExportError, match="was not made by winnow"):
        check_target(project / "out")
    versions.unlink()
    assert check_target(project / "out") == project / "out"  # nothing there: fine


def test_export_replaces_only_its_own(tmp_path, warehouse):
    con = duckdb.connect(warehouse.warehouse.db, read_only=True)
    try:
        out = tmp_path / "out"
        first = export_corpus(con, out)
        second = export_corpus(con, out, "language")
        assert out.is_symlink() and (out / MARK).is_file() and (out / "language=en").is_dir()
        assert _exported(out) == _corpus(warehouse.warehouse.db)
        kept = sorted(p.name for p in versions_dir(out).iterdir() if p.is_dir())
        assert kept == sorted([first.version, second.version])  # the previous one stays for slow readers
        third = export_corpus(con, out)
        # the first was replaced a moment ago: kept for a reader that resolved it before the swap
        assert sorted(p.name for p in versions_dir(out).iterdir() if p.is_dir()) == sorted(
            [first.version, second.version, third.version])
        # once it was replaced longer ago than the grace period, the next export deletes it
        long_ago = time.time() - export_module.REPLACED_GRACE_SECONDS - 1
        os.utime(versions_dir(out) / first.version, (long_ago, long_ago))
        fourth = export_corpus(con, out)
        assert sorted(p.name for p in versions_dir(out).iterdir() if p.is_dir()) == sorted(
            [second.version, third.version, fourth.version])
        # an empty folder is taken; a link to anywhere else, or a stray file, is not
        (tmp_path / "empty").mkdir()
        export_corpus(con, tmp_path / "empty")
        assert _exported(tmp_path / "empty") == _corpus(warehouse.warehouse.db)
        (tmp_path / "mine").mkdir()
        (tmp_path / "mine" / "notes.txt").write_text("keep me")
        (tmp_path / "elsewhere").symlink_to(tmp_path / "mine")
        for target in ("mine", "elsewhere"):
            with pytest.raises(ExportError):
                export_corpus(con, tmp_path / target)
        assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
        # an unmarked folder that a user put inside the versions folder is never pruned
        (versions_dir(out) / "precious").mkdir()
        export_corpus(con, out)
        assert (versions_dir(out) / "precious").is_dir()
    finally:
        con.close()


def test_an_older_winnows_export_is_taken_over(tmp_path, warehouse):
    out = tmp_path / "export"
    con = duckdb.connect(warehouse.warehouse.db, read_only=True)
    try:
        out.mkdir()
        con.execute(f"COPY (SELECT * FROM corpus) TO '{out}/corpus.parquet' (FORMAT parquet)")
        export_corpus(con, out)
        assert out.is_symlink() and _exported(out) == _corpus(warehouse.warehouse.db)
        # ... but not one with anything else in it
        other = tmp_path / "other"
        other.mkdir()
        con.execute(f"COPY (SELECT * FROM corpus) TO '{other}/corpus.parquet' (FORMAT parquet)")
        (other / "README").write_text("mine")
        with pytest.raises(ExportError, match="not written by winnow"):
            export_corpus(con, other)
    finally:
        con.close()


def test_a_reader_always_sees_a_whole_export(tmp_path, warehouse):
    """Exports back to back while another thread reads: never a missing or partial export, however
    slow the reader (under load a read can span several exports: replaced versions stay a while).

    The reader resolves the link once, as the README says to: a glob through the link is listed
    in one version and could be opened in the next."""
    out = tmp_path / "out"
    expected = _corpus(warehouse.warehouse.db)
    con = duckdb.connect(warehouse.warehouse.db, read_only=True)
    export_corpus(con, out)
    failures, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                if _exported(os.path.realpath(out)) != expected:
                    failures.append("different rows")
            except Exception as e:  # noqa: BLE001 - any failure to read is what we look for
                failures.append(repr(e))

    t = threading.Thread(target=reader)
    t.start()
    try:
        for i in range(40):
            export_corpus(con, out, "language" if i % 2 else None)
            time.sleep(0.02)
    finally:
        stop.set()
        t.join()
        con.close()
    assert failures == []


KILLER = """
import sys, duckdb
from winnow.storage.export import export_corpus
con = duckdb.connect(sys.argv[1], read_only=True)
print("ready", flush=True)
while True:
    export_corpus(con, sys.argv[2], "language")
    export_corpus(con, sys.argv[2])
"""


def test_kill_9_mid_export_leaves_a_readable_export(tmp_path, warehouse):
    out = tmp_path / "out"
    expected = _corpus(warehouse.warehouse.db)
    rng = random.Random(0 if os.environ.get("CI") else None)
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-c", KILLER, warehouse.warehouse.db, str(out)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        if out.exists() or out.is_symlink():
            assert _exported(out) == expected
    # the next export after the grace period clears what the killed ones left half-written, and only that
    long_ago = time.time() - export_module.REPLACED_GRACE_SECONDS - 1
    for v in versions_dir(out).iterdir():
        if v.is_dir():
            os.utime(v, (long_ago, long_ago))
    con = duckdb.connect(warehouse.warehouse.db, read_only=True)
    try:
        export_corpus(con, out)
    finally:
        con.close()
    assert _exported(out) == expected
    assert len([p for p in versions_dir(out).iterdir() if p.is_dir()]) <= 2
    assert not [p for p in tmp_path.iterdir() if ".link-" in p.name]


def test_an_export_goes_beside_its_own_warehouse(tmp_path):
    """`--db other.duckdb` exports next to other.duckdb, not into the default warehouse's export."""
    s = load_settings(ROOT / "config" / "winnow.toml")
    assert s.warehouse.export_dir == str(ROOT / "warehouse" / "export")  # paths in the file: from its folder
    assert s.with_db(tmp_path / "other.duckdb").warehouse.export_dir == str(tmp_path / "other-export")
    assert s.with_db(tmp_path / "corpus.duckdb").warehouse.export_dir == str(tmp_path / "export")
    assert Settings().with_db("x/y.duckdb").warehouse.export_dir == "x/y-export"
    cfg = tmp_path / "w.toml"
    cfg.write_text('[warehouse]\ndb = "a/b.duckdb"\n')
    assert load_settings(cfg).warehouse.export_dir == str(tmp_path / "a" / "b-export")
    cfg.write_text('[warehouse]\ndb = "a/b.duckdb"\nexport_dir = "elsewhere"\n')
    assert load_settings(cfg).with_db("c.duckdb").warehouse.export_dir == str(tmp_path / "elsewhere")  # told otherwise


def test_ingest_with_another_db_leaves_the_default_export_alone(project):
    default_export = project / "warehouse" / "export"
    assert winnow_cli("export", cwd=project).returncode == 0
    before = _exported(default_export)
    proc = winnow_cli("ingest", "seeds", "--db", "other.duckdb", "--json", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert (project / "other-export").is_symlink() and _exported(project / "other-export")
    assert _exported(default_export) == before
    assert len([p for p in versions_dir(default_export).iterdir() if p.is_dir()]) == 1


def test_check_target_refuses_what_contains_the_warehouse(tmp_path):
    db = tmp_path / "w" / "corpus.duckdb"
    with pytest.raises(ExportError, match="contains"):
        check_target(tmp_path / "w", [db])
    with pytest.raises(ExportError, match="contains"):
        check_target(tmp_path, [db])
    with pytest.raises(ExportError, match="empty"):
        check_target("", [db])
    assert check_target(tmp_path / "w" / "export", [db]) == tmp_path / "w" / "export"
