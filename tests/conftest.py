"""Shared test set-up: a project-local Prefect home, real flows run in-process.

Prefect starts one temporary API server per process; running the flows in the
pytest process means the suite pays that start-up (~10 s) once, not per test.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEEDS = ROOT / "seeds"

# Before anything imports prefect: its state goes in a git-ignored folder of the project.
from winnow.prefect_env import configure_prefect  # noqa: E402
from winnow.settings import FlowSettings, Settings  # noqa: E402

os.environ.setdefault("PREFECT_HOME", str(ROOT / ".winnow" / "test-prefect"))
configure_prefect(Settings(flow=FlowSettings(prefect_home=os.environ["PREFECT_HOME"])))


def make_settings(tmp: Path, **sections) -> Settings:
    """Default settings with the warehouse and its export inside ``tmp``."""
    s = Settings()
    s = dataclasses.replace(
        s,
        warehouse=dataclasses.replace(
            s.warehouse, db=str(tmp / "corpus.duckdb"), export_dir=str(tmp / "export"), lock_timeout_seconds=20
        ),
        report=dataclasses.replace(s.report, after_run=False),  # seconds per run; tests/test_report.py turns it on
    )
    # in-process tests run their batches on one thread (fast to start, faults can be injected);
    # test_operations checks that processes, threads and Dask give the same corpus
    s = dataclasses.replace(s, flow=dataclasses.replace(s.flow, runner="thread", workers=1))
    for name, values in sections.items():
        s = dataclasses.replace(s, **{name: dataclasses.replace(getattr(s, name), **values)})
    return s


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


def ingest(paths, settings: Settings, **kw) -> dict:
    from winnow.flow import run_ingest

    return run_ingest([str(p) for p in paths], settings, **kw)


def query(settings: Settings, sql: str, params=None):
    import duckdb

    con = duckdb.connect(settings.warehouse.db, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Settings:
    """A warehouse built from the seeds by the real flow, no export: one per test module, which reads it."""
    tmp = tmp_path_factory.mktemp("wh")
    s = make_settings(tmp)
    ingest([SEEDS], s, export=False)
    return s


def warehouse_before(path: Path, version: int):
    """An open DuckDB connection to a new warehouse file as winnow left it before migration ``version``:
    every earlier migration applied and recorded (to fill with rows, close, then migrate)."""
    import duckdb

    from winnow.storage import db as wdb
    from winnow.storage import queries

    con = duckdb.connect(str(path))
    con.execute(queries.named("schema_migrations_table"))
    for v, name, sql in wdb.migrations():
        if v < version:
            con.execute(sql)
            con.execute(queries.named("record_migration"), [v, name])
    return con


def one_line_error(proc, code=2) -> str:
    """A user error as winnow must print it: exit ``code``, one line on stderr, no traceback, not internal."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("winnow: "), proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout and "internal error" not in proc.stderr
    return lines[0]


def seeds_gold() -> list[dict]:
    return [json.loads(line) for line in (DATA / "seeds-gold.jsonl").read_text(encoding="utf-8").splitlines()]


def pages_gold() -> dict:
    return json.loads((DATA / "pages" / "gold.json").read_text(encoding="utf-8"))


def page_html(page_id: str) -> str:
    return gzip.decompress((DATA / "pages" / f"{page_id}.html.gz").read_bytes()).decode("utf-8")


def subprocess_env() -> dict:
    """The environment a `winnow` subprocess gets: this one's, less the address of the temporary
    Prefect server an in-process run of this test session started (a user's shell has none)."""
    e = dict(os.environ)
    e.pop("PREFECT_API_URL", None)
    return e


def prefect_servers() -> set[int]:
    """Prefect API servers (uvicorn on Prefect's app) run by this interpreter, whoever started them."""
    found = set()
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except (OSError, ValueError):
            continue
        if args[0] == sys.executable.encode() and b"uvicorn" in args and b"prefect.server.api.server:create_app" in args:
            found.add(int(entry))
    return found


def winnow_cli(*args, env=None, cwd=None, timeout=300) -> subprocess.CompletedProcess:
    """Run the installed `winnow` command in a real subprocess."""
    e = subprocess_env()
    e.update(env or {})
    exe = Path(sys.executable).parent / "winnow"
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, env=e,
                          cwd=cwd or ROOT, timeout=timeout)


_RUNS_THE_PIPELINE = ("ingest(", "winnow_cli(", "start(", "subprocess.", "run_ingest(")


def pytest_collection_modifyitems(config, items):
    """Mark every test that runs the flow or a `winnow` process as slow (``make test-fast`` leaves them out).

    Read from the test's own source, so a new test is classified without anyone remembering to.
    """
    import inspect

    def source(fn) -> str:
        try:
            return inspect.getsource(fn)
        except (OSError, TypeError):
            return ""

    for item in items:
        sources = [source(getattr(item, "function", None))]
        for defs in getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {}).values():
            sources += [source(d.func) for d in defs if "tests" in getattr(d, "baseid", "tests")]
        if any(call in src for src in sources for call in _RUNS_THE_PIPELINE):
            item.add_marker(pytest.mark.slow)
