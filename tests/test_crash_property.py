"""Property: however often, and wherever, ingest runs are killed, the corpus ends as an uninterrupted run's.

Random sequences of `winnow ingest` killed with SIGKILL at random points (after some files are
loaded, or after a random time), then a run left to finish, over one generated inbox of text
dumps that share a site's chrome (so corpus evidence matters), near-duplicate variants, HTML
pages and bad files. The final corpus, its removed lines and the fate of every file are compared
with one uninterrupted run. Derandomised under CI=true.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings as hsettings, strategies as st

from conftest import DATA, ROOT, SEEDS, ingest, make_settings, query
from winnow.storage.db import WarehouseError, open_read

pytestmark = pytest.mark.slow

WINNOW = str(Path(sys.executable).parent / "winnow")
ARTICLES = json.loads((DATA / "dedup" / "articles.json").read_text(encoding="utf-8"))["articles"]
CHROME = [
    "The Valley Courier has covered the towns of the river valley since 1921, and our reporting depends on readers who subscribe.",
    "Our newsroom is independent and answers only to its readers, who can reach the editors at any time with tips and corrections.",
]
BATCH = 6


def make_inbox(folder: Path) -> int:
    """Text dumps with a shared footer (4 variants of each article), HTML pages, bad files."""
    folder.mkdir(parents=True)
    n = 0
    for variant in range(4):
        for aid, a in ARTICLES.items():
            paras = [p for p in a["body"].split("\n") if p.strip()]
            if variant and len(paras) > 3:
                del paras[variant % len(paras)]
            title = a["topic"].replace("-", " ").title() + (f" (part {variant})" if variant else "")
            (folder / f"{aid}-{variant}.txt").write_text("\n\n".join([title, *paras, *CHROME]) + "\n", encoding="utf-8")
            n += 1
    for p in sorted((DATA / "pages").glob("*.html.gz"))[:6]:
        (folder / p.name.replace(".gz", "")).write_bytes(gzip.decompress(p.read_bytes()))
        n += 1
    (folder / "copy-of-seed.txt").write_bytes((SEEDS / "000_6854359e01b304fc.txt").read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "short.txt").write_text("Too short to keep.\n")
    return n + 4


def write_config(path: Path) -> Path:
    path.write_text(f"[flow]\nbatch_size = {BATCH}\n[warehouse]\nlock_timeout_seconds = 120\n")
    return path


def loaded(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with open_read(db, 5) as con:
            return con.execute("SELECT count(*) FROM source_files").fetchone()[0]
    except WarehouseError:  # not migrated yet, or busy
        return 0


def killed_run(inbox: Path, db: Path, cfg: Path, env: dict, point: tuple[str, float]) -> None:
    """Start `winnow ingest` and kill -9 it at ``point``: ("files", n) loaded, or ("seconds", t)."""
    proc = subprocess.Popen([WINNOW, "ingest", str(inbox), "--db", str(db), "--config", str(cfg)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT,
                            start_new_session=True)
    try:
        kind, value = point
        if kind == "seconds":
            time.sleep(value)
        else:
            start = loaded(db)
            deadline = time.monotonic() + 120
            while proc.poll() is None and loaded(db) < start + value and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


CORPUS = "SELECT doc_id, title, text, language, source_paths, cluster_id, cluster_size FROM corpus ORDER BY doc_id"
REMOVED = """SELECT r.doc_id, r.seq, r.reason, r.text FROM removed_segments r JOIN corpus USING (doc_id)
             ORDER BY r.doc_id, r.seq"""
FATES = """
SELECT path,
       count(*) FILTER (WHERE status = 'current' AND outcome = 'document') AS documents,
       (SELECT count(*) FROM rejected_files r WHERE r.path = s.path) AS rejections
FROM source_files s GROUP BY path ORDER BY path
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The inbox, one uninterrupted run over it, and a Prefect server the killed runs share."""
    from prefect.server.api.server import SubprocessASGIServer

    tmp = tmp_path_factory.mktemp("crash")
    inbox = tmp / "inbox"
    files = make_inbox(inbox)
    reference = make_settings(tmp / "reference", flow={"batch_size": BATCH})
    ingest([inbox], reference, export=False)
    server = SubprocessASGIServer()
    server.start(timeout=120)
    env = dict(os.environ, PREFECT_API_URL=server.api_url)
    try:
        yield {"inbox": inbox, "files": files, "reference": reference, "env": env,
               "corpus": query(reference, CORPUS), "removed": query(reference, REMOVED)}
    finally:
        server.stop()


POINT = st.one_of(st.tuples(st.just("files"), st.integers(1, 80)),
                  st.tuples(st.just("seconds"), st.floats(2.0, 25.0)))


@hsettings(max_examples=1 if os.environ.get("CI") else 3, deadline=None, derandomize=bool(os.environ.get("CI")),
           suppress_health_check=list(HealthCheck), database=None)
@given(points=st.lists(POINT, min_size=1, max_size=3), settle=st.booleans())
@example(points=[("files", 36), ("files", 24)], settle=False)  # the case: evidence of 2 partial runs
def test_repeated_kill_9_gives_the_uninterrupted_corpus(world, points, settle):
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "crash.duckdb"
        cfg = write_config(Path(tmp) / "winnow.toml")
        for point in points:
            killed_run(world["inbox"], db, cfg, world["env"], point)
        runs = 2 if settle else 1  # a second run over the same inbox must change nothing
        for _ in range(runs):
            proc = subprocess.run([WINNOW, "ingest", str(world["inbox"]), "--db", str(db), "--config", str(cfg),
                                   "--no-export", "--json"], capture_output=True, text=True, env=world["env"],
                                  cwd=ROOT, timeout=600)
            assert proc.returncode == 0, proc.stderr
        con = duckdb.connect(str(db), read_only=True)
        try:
            assert con.execute(CORPUS).fetchall() == world["corpus"]
            assert con.execute(REMOVED).fetchall() == world["removed"]
            fates = con.execute(FATES).fetchall()
            statuses = {s for (s,) in con.execute("SELECT DISTINCT status FROM runs").fetchall()}
        finally:
            con.close()
        assert len(fates) == world["files"]
        assert all(d + r == 1 for _, d, r in fates), [f for f in fates if f[1] + f[2] != 1]
        assert "running" not in statuses
