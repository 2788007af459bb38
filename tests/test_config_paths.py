"""Relative paths in a settings file are relative to that file's folder, wherever winnow runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SEEDS
from winnow.settings import load_settings

WINNOW = str(Path(sys.executable).parent / "winnow")


def test_the_project_config_names_the_project_folders_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(ROOT / "config" / "winnow.toml")
    assert Path(s.warehouse.db) == ROOT / "warehouse" / "corpus.duckdb"
    assert s.input.paths == (str(ROOT / "seeds"),)
    assert Path(s.schedule.inbox) == ROOT / "seeds" and Path(s.flow.prefect_home) == ROOT / ".winnow"


def test_ingest_from_another_folder_with_paths_on_stdin(tmp_path):
    app = tmp_path / "app"
    (app / "config").mkdir(parents=True)
    (app / "config" / "winnow.toml").write_text(
        '[warehouse]\ndb = "../data/corpus.duckdb"\nexport_dir = "../data/export"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listing = "\n".join(str(p) for p in sorted(SEEDS.iterdir())[:2]) + "\n\n"
    proc = subprocess.run([WINNOW, "ingest", "-", "--config", app / "config" / "winnow.toml"], input=listing,
                          capture_output=True, text=True, cwd=elsewhere, timeout=600)
    assert proc.returncode == 0, proc.stderr
    db = app / "data" / "corpus.duckdb"
    assert db.is_file() and (app / "data" / "export").is_dir()
    assert not (elsewhere / "warehouse").exists() and list(elsewhere.iterdir()) == []
    assert f"warehouse   {db}" in proc.stdout and f"into {db}" in proc.stderr
    assert "2 seen: 2 new" in proc.stdout
    # an empty list on stdin is a one-line error
    empty = subprocess.run([WINNOW, "ingest", "-", "--db", tmp_path / "x.duckdb"], input="\n",
                           capture_output=True, text=True, cwd=elsewhere, timeout=120)
    assert empty.returncode == 2 and "stdin" in empty.stderr and len(empty.stderr.strip().splitlines()) == 1
