"""The Python API for notebooks: the runnable example, and "busy" explained when a notebook holds the file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import ROOT, SEEDS, ingest, make_settings, prefect_servers, winnow_cli


def test_the_notebook_example_runs(tmp_path):
    proc = subprocess.run([sys.executable, ROOT / "examples" / "notebook.py", tmp_path], capture_output=True,
                          text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(":", 1) for line in proc.stdout.splitlines())
    assert lines["ingested"].strip() == "5 new files, 5 documents in the corpus"
    assert lines["by language"].strip() == "[{'language': 'en', 'documents': 5}]"
    assert lines["first title"].strip() and int(lines["words"]) > 1000
    assert lines["again"].strip() == "5 unchanged files"
    assert lines["cleaned"].strip().startswith("Putin set to arrive in North Korea")


def test_api_connection_closes_itself(tmp_path):
    from winnow import api

    s = make_settings(tmp_path)
    ingest([SEEDS / "000_6854359e01b304fc.txt"], s, export=False)
    with api.connect(db=s.warehouse.db) as con:
        assert con.execute("SELECT count(*) FROM corpus").fetchone()[0] == 1
    with pytest.raises(Exception, match="closed"):
        con.execute("SELECT 1")
    assert api.query("SELECT count(*) AS n FROM corpus", db=s.warehouse.db).to_pylist() == [{"n": 1}]


def test_a_notebook_holding_the_warehouse_makes_ingest_busy_and_says_what_to_do(tmp_path):
    s = make_settings(tmp_path)
    ingest([SEEDS / "000_6854359e01b304fc.txt"], s, export=False)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({s.warehouse.db!r}, read_only=True)   # what a notebook does
        print("open", flush=True)
        sys.stdin.read()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        proc = winnow_cli("ingest", SEEDS, "--db", s.warehouse.db, timeout=120)
    finally:
        holder.stdin.close()
        holder.wait(30)
    assert proc.returncode == 3, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("winnow: busy: ")
    for hint in ("notebook", "read_only=True", "Parquet export", "winnow.api.connect()", f"PID {holder.pid}"):
        assert hint in line, (hint, line)
    assert "starting Prefect" not in proc.stderr, "found out before Prefect started"


def test_ingest_from_a_program_that_imported_prefect_first_starts_one_server_and_leaves_none(tmp_path):
    """Prefect reads its settings when first imported. A notebook that imported Prefect before
    calling ``api.ingest`` ran the flow on a second temporary server, one Prefect started for
    itself beside winnow's; the run now uses winnow's, and stops it."""
    before = prefect_servers()
    code = textwrap.dedent(f"""
        import sys
        import prefect  # before winnow
        from winnow import api

        summary = api.ingest([{str(SEEDS / "000_6854359e01b304fc.txt")!r}], db={str(tmp_path / "c.duckdb")!r},
                             export=False)
        server = sys.modules.get("prefect.server.api.server")
        print(summary["documents"]["corpus"], bool(server and server.SubprocessASGIServer._instances))
        """)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    out, err = tmp_path / "out", tmp_path / "err"  # files, not pipes: a server left behind would hold a pipe open
    with out.open("w") as o, err.open("w") as e:
        proc = subprocess.run([sys.executable, "-c", code], stdout=o, stderr=e, cwd=ROOT, env=env, timeout=600)
    assert proc.returncode == 0, err.read_text()
    assert out.read_text().split() == ["1", "False"]  # one document; Prefect started no server of its own
    time.sleep(1)
    assert prefect_servers() - before == set()
