"""Operations with real processes: scheduled runs, one writer at a time, kill -9, Dask.

These start real `winnow` subprocesses (each with its own Prefect server), so they
take tens of seconds each.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import DATA, ROOT, SEEDS, ingest, make_settings, query, subprocess_env, winnow_cli
from winnow.storage.db import open_read

pytestmark = pytest.mark.slow

WINNOW = str(Path(sys.executable).parent / "winnow")


def make_corpus(folder: Path, n: int) -> Path:
    """n distinct files from the seeds and the test pages (each made unique)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = [(p.name, p.read_bytes()) for p in sorted(SEEDS.iterdir())]
    sources += [(p.name.replace(".gz", ""), gzip.decompress(p.read_bytes()))
                for p in sorted((DATA / "pages").glob("*.html.gz"))]
    for i in range(n):
        name, raw = sources[i % len(sources)]
        if name.endswith(".html"):
            data = raw.replace(b"</body>", f"<p>Correction number {i} was issued on day {i % 28 + 1} "
                               f"after readers wrote in about item {i * 7}.</p></body>".encode(), 1)
        else:
            data = raw + f"\n\nCorrection number {i} was issued on day {i % 28 + 1} after readers wrote in about item {i * 7}.\n".encode()
        (folder / f"{i:04d}-{name}").write_bytes(data)
    return folder


def write_config(path: Path, **sections) -> Path:
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        for k, v in values.items():
            lines.append(f"{k} = {json.dumps(v)}")
    path.write_text("\n".join(lines) + "\n")
    return path


def start(*args, env=None) -> subprocess.Popen:
    e = subprocess_env()
    e.update(env or {})
    return subprocess.Popen([WINNOW, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=e, cwd=ROOT, start_new_session=True)


def ctrl_c(proc: subprocess.Popen, grace: float = 60) -> str:
    """Stop a `winnow serve` as a user would (Ctrl-C); return its stderr."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise
    return proc.stderr.read()


def count(db: Path, sql: str, timeout: float = 60) -> int:
    with open_read(db, timeout) as con:
        return con.execute(sql).fetchone()[0]


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process ended before {what}: {proc.stderr.read()[-2000:]}")
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def test_serve_picks_up_new_files_and_stops_cleanly(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEEDS / "000_6854359e01b304fc.txt", inbox)
    db = tmp_path / "serve.duckdb"
    from winnow.serve import free_port

    proc = start("serve", "--inbox", inbox, "--interval", "5", "--db", db, "--ui-port", free_port(),
                 env={"PREFECT_HOME": str(tmp_path / "prefect")})
    try:
        wait_for(lambda: db.exists() and count(db, "SELECT count(*) FROM corpus") == 1, 240,
                 "the first scheduled run", proc)
        shutil.copy(SEEDS / "004_100b601e58cd9120.txt", inbox / "dropped-later.txt")
        wait_for(lambda: count(db, "SELECT count(*) FROM corpus") == 2, 120, "the new file in corpus", proc)
        # later runs see nothing new: processed files are never processed twice
        runs_before = count(db, "SELECT count(*) FROM runs WHERE status = 'completed'")
        wait_for(lambda: count(db, "SELECT count(*) FROM runs WHERE status = 'completed'") > runs_before, 60,
                 "another scheduled run", proc)
        assert count(db, "SELECT count(*) FROM documents") == 2
        assert count(db, "SELECT count(*) FROM source_files") == 2
    finally:
        stderr = ctrl_c(proc)
    assert proc.returncode == 0, stderr
    assert "Prefect UI: http://127.0.0.1:" in stderr and "stopped" in stderr
    port = stderr.split("Prefect UI: http://127.0.0.1:")[1].split()[0]
    from winnow.serve import healthy

    assert not healthy(f"http://127.0.0.1:{port}/api"), "the local Prefect server was stopped"

    # a later `serve` (same Prefect home, another inbox) drops the runs the first one had
    # scheduled ahead, rather than working through them against the first inbox and database
    runs_first = count(db, "SELECT count(*) FROM runs")
    other_inbox, other_db = tmp_path / "other-inbox", tmp_path / "other.duckdb"
    other_inbox.mkdir()
    shutil.copy(SEEDS / "001_a7bb1ff81f784584.txt", other_inbox)
    proc = start("serve", "--inbox", other_inbox, "--interval", "5", "--db", other_db, "--ui-port", free_port(),
                 env={"PREFECT_HOME": str(tmp_path / "prefect")})
    try:
        wait_for(lambda: other_db.exists() and count(other_db, "SELECT count(*) FROM runs WHERE status = 'completed'") >= 2,
                 240, "two scheduled runs of the second serve", proc)
    finally:
        stderr = ctrl_c(proc)
    assert proc.returncode == 0, stderr
    assert "left over from an earlier `winnow serve`" in stderr
    assert count(db, "SELECT count(*) FROM runs") == runs_first, "no stale run touched the first database"
    assert count(other_db, "SELECT count(*) FROM corpus") == 1


def test_second_writer_waits_then_says_so_and_readers_get_in(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", 240)
    db = tmp_path / "w.duckdb"
    slow = write_config(tmp_path / "slow.toml", flow={"batch_size": 8}, warehouse={"lock_timeout_seconds": 120.0})
    impatient = write_config(tmp_path / "impatient.toml", warehouse={"lock_timeout_seconds": 2.0})
    first = start("ingest", corpus, "--db", db, "--config", slow, "--no-export", "--json")
    try:
        # `winnow sql` gets in between batches while the run is writing
        wait_for(lambda: db.exists() and count(db, "SELECT count(*) FROM documents") > 0, 240,
                 "the first batches", first)
        assert first.poll() is None, "the run is still going"
        sql = winnow_cli("sql", "--db", db, "SELECT count(*) AS n FROM documents", "--format", "json")
        assert sql.returncode == 0, sql.stderr
        assert json.loads(sql.stdout)[0]["n"] > 0
        second = winnow_cli("ingest", SEEDS, "--db", db, "--config", impatient, "--no-export")
        assert first.poll() is None, "the first run outlived the second's wait"
        assert second.returncode == 3, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1 and "another winnow run is writing" in lines[0] and "Traceback" not in second.stderr
        out, errs = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            kill_group(first)
    assert first.returncode == 0, errs
    assert json.loads(out)["files"]["new"] == 240


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc)."""
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = {int(k) for k in (task / "children").read_text().split()}
            except OSError:
                continue
            todo += kids - found
            found |= kids
    return found


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(pid)
    return out


def test_kill_9_of_serve_leaves_no_prefect_server_behind(tmp_path):
    """`winnow serve` killed with -9 (no chance to stop anything itself) takes its local Prefect
    server with it, as a one-off `winnow ingest` does: nothing winnow starts outlives it."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEEDS / "000_6854359e01b304fc.txt", inbox)
    db = tmp_path / "serve.duckdb"
    from winnow.serve import free_port, healthy

    port = free_port()
    proc = start("serve", "--inbox", inbox, "--interval", "3600", "--db", db, "--ui-port", port,
                 env={"PREFECT_HOME": str(tmp_path / "prefect")})
    try:
        wait_for(lambda: db.exists() and count(db, "SELECT count(*) FROM runs WHERE status = 'completed'") == 1,
                 240, "the first scheduled run", proc)
        below = descendants(proc.pid)
        assert below and healthy(f"http://127.0.0.1:{port}/api"), "serve runs its local Prefect server"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        deadline = time.monotonic() + 20
        while alive(below) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = alive(below)
        assert not left, "outlived a kill -9 of serve: " + "; ".join(
            Path(f"/proc/{p}/cmdline").read_text().replace("\0", " ")[:120] for p in left if Path(f"/proc/{p}").exists())
        assert not healthy(f"http://127.0.0.1:{port}/api")
    finally:
        for p in alive(descendants(proc.pid)) | (alive(below) if "below" in locals() else set()):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        kill_group(proc)


def start_small_batch_ingest(tmp_path: Path, name: str, files: int, loaded: int):
    """``winnow ingest`` of ``files`` generated files in batches of 10, returned once ``loaded``
    of them are in the warehouse: a run to interrupt mid-ingest. Returns (corpus, config, db, run)."""
    corpus = make_corpus(tmp_path / "corpus", files)
    cfg = write_config(tmp_path / "small-batches.toml", flow={"batch_size": 10})
    db = tmp_path / name
    run = start("ingest", corpus, "--db", db, "--config", cfg, "--no-export")
    try:
        wait_for(lambda: db.exists() and count(db, "SELECT count(*) FROM source_files", 30) >= loaded, 300,
                 "a few loaded batches", run)
    except BaseException:
        kill_group(run)
        raise
    return corpus, cfg, db, run


def test_kill_9_leaves_a_consistent_warehouse_and_the_next_run_finishes(tmp_path):
    corpus, cfg, db, victim = start_small_batch_ingest(tmp_path, "crash.duckdb", 200, 30)
    try:
        below = descendants(victim.pid)  # its Prefect server and worker processes
        os.kill(victim.pid, signal.SIGKILL)  # kill -9 of the run itself, mid-ingest
        victim.wait(30)
        deadline = time.monotonic() + 10
        while alive(below) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(below), "no Prefect server or worker outlives a kill -9 of the run"
    finally:
        kill_group(victim)
    assert victim.returncode == -signal.SIGKILL
    con = duckdb.connect(str(db), read_only=True)
    try:
        handled = con.execute("SELECT count(*) FROM source_files").fetchone()[0]
        assert 0 < handled < 200 and handled % 10 == 0, f"{handled} files: only whole batches are stored"
        orphans = con.execute("""
            SELECT (SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM source_files s WHERE s.doc_id = d.doc_id))
                 + (SELECT count(*) FROM removed_segments r WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.doc_id = r.doc_id))
                 + (SELECT count(*) FROM source_files s WHERE s.outcome = 'document' AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.doc_id = s.doc_id))
        """).fetchone()[0]
        assert orphans == 0
        assert con.execute("SELECT status FROM runs").fetchall() == [("running",)]
        assert con.execute("SELECT count(*) FROM corpus").fetchone()[0] == 0, "undeduplicated batches stay out of corpus"
    finally:
        con.close()
    resumed = make_settings(tmp_path / "resumed")
    resumed = resumed.with_db(db)
    summary = ingest([corpus], resumed, export=False)
    assert summary["files"]["unchanged"] == handled and summary["files"]["new"] == 200 - handled
    statuses = dict(query(resumed, "SELECT status, count(*) FROM runs GROUP BY 1"))
    assert statuses == {"interrupted": 1, "completed": 1}
    clean = make_settings(tmp_path / "uninterrupted")
    ingest([corpus], clean, export=False)
    q = "SELECT doc_id, title, text, language, source_paths, cluster_id FROM corpus ORDER BY doc_id"
    assert query(resumed, q) == query(clean, q)


def test_every_runner_and_worker_count_gives_the_same_corpus(tmp_path):
    """One thread, worker processes (1 and 2) and a local Dask cluster: the same documents and
    clusters. Each run is a `winnow ingest` process of its own, as a user runs it (a process pool
    started inside this long-lived test process once hung, with state left by earlier tests)."""
    corpus = make_corpus(tmp_path / "corpus", 30)
    q_docs = "SELECT doc_id, title, text, language, language_prob, cluster_id, duplicate_of FROM documents ORDER BY doc_id"
    q_corpus = "SELECT doc_id, source_paths FROM corpus ORDER BY doc_id"
    q_sigs = "SELECT doc_id, minhash FROM doc_signatures ORDER BY doc_id"
    q_visible = ("SELECT v.doc_id, md5(v.text), s.signature_key, s.minhash FROM doc_visible v "
                 "JOIN visible_signatures s USING (doc_id) ORDER BY v.doc_id, s.signature_key")
    results = {}
    for runner, workers in (("thread", 1), ("process", 1), ("process", 2), ("dask", 2)):
        d = tmp_path / f"{runner}-{workers}"
        d.mkdir()
        db = d / "corpus.duckdb"
        cfg = write_config(d / "winnow.toml", warehouse={"db": str(db), "export_dir": str(d / "export")},
                           report={"after_run": False},
                           flow={"batch_size": 5, "workers": workers, "runner": runner},
                           dedup={"visible_text": True})
        r = winnow_cli("ingest", corpus, "--config", cfg, "--no-export", "--json", timeout=600)
        assert r.returncode == 0, (runner, workers, r.stderr[-2000:])
        summary = json.loads(r.stdout)
        assert summary["status"] == "completed" and summary["files"]["rejected"] == 0, (runner, workers)
        con = duckdb.connect(str(db), read_only=True)
        try:
            results[runner, workers] = tuple(con.execute(q).fetchall() for q in (q_docs, q_corpus, q_sigs, q_visible))
        finally:
            con.close()
    base = results["thread", 1]
    assert len(base[0]) == 30 and len(base[2]) >= 20 and len(base[3]) == 2 * len(base[2])  # a body and a page sample each
    for key, got in results.items():
        assert got == base, key


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_stop_within_5_seconds_and_the_next_run_finishes(tmp_path, sig):
    corpus, cfg, db, run = start_small_batch_ingest(tmp_path, "stopped.duckdb", 120, 20)
    try:
        below = descendants(run.pid)
        t0 = time.monotonic()
        os.kill(run.pid, sig)
        _, errs = run.communicate(timeout=30)
        took = time.monotonic() - t0
        time.sleep(1)
        left = alive(below)
    finally:
        kill_group(run)
    assert took < 5.0, f"stopped after {took:.1f} s"
    assert run.returncode == 128 + sig, errs
    assert "Traceback" not in errs and "internal error" not in errs
    said = [ln for ln in errs.splitlines() if ln.startswith("winnow: stopped") or "rror" in ln or "arn" in ln]
    assert said == [errs.strip().splitlines()[-1]], errs
    assert errs.strip().splitlines()[-1].startswith("winnow: stopped (")
    assert not left, "no Prefect server or worker process is left running"
    again = winnow_cli("ingest", corpus, "--db", db, "--config", cfg, "--no-export", "--json", timeout=900)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["files"]["new"] + summary["files"]["unchanged"] == 120 and summary["files"]["unchanged"] >= 20
    assert summary["documents"]["corpus"] == count(db, "SELECT count(*) FROM corpus")
    statuses = dict(query(make_settings(tmp_path).with_db(db), "SELECT status, count(*) FROM runs GROUP BY 1"))
    assert statuses == {"interrupted": 1, "completed": 1}
