"""Opening the warehouse: locks, read-only connections, migrations and views.

DuckDB lets one process hold a database file for writing, and refuses even a
read-only open from another process meanwhile. winnow therefore keeps two
file locks beside the database:

- ``<db>.lock`` is held for as long as any winnow process has the file open
  (a writer loading one batch, ``winnow sql`` answering one query). Writers
  open the file per batch, so readers get in between batches.
- ``<db>.run.lock`` is held by an ingest run from start to end, so that two
  runs (a scheduled one and a manual one) never interleave.

Both wait up to ``warehouse.lock_timeout_seconds`` and then raise
``WarehouseBusy`` with a clear message instead of DuckDB's raw lock error.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Iterator

import duckdb
from filelock import FileLock, Timeout

SQL_PACKAGED = Path(__file__).resolve().parent.parent / "sql"  # inside a built wheel
SQL_REPO = Path(__file__).resolve().parents[3] / "warehouse"  # in a source checkout


class WarehouseError(RuntimeError):
    """The warehouse cannot be used (one-line message)."""


class WarehouseBusy(WarehouseError):
    """Another winnow process holds the warehouse for longer than we may wait."""


def sql_dir() -> Path:
    for d in (SQL_PACKAGED, SQL_REPO):
        if (d / "migrations").is_dir():
            return d
    raise WarehouseError("winnow's SQL files (warehouse/migrations) are missing from the installation")


_locks: dict[str, FileLock] = {}


def _lock(path: Path, suffix: str) -> FileLock:
    """One lock object per file per process: re-entrant (the CLI and the flow both take the run lock)."""
    key = str(Path(str(path) + suffix).absolute())
    if key not in _locks:
        _locks[key] = FileLock(key, thread_local=False)
    return _locks[key]


@contextlib.contextmanager
def hold(lock: FileLock, timeout: float, what: str) -> Iterator[None]:
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise WarehouseBusy(f"{what} (waited {timeout:g} s; see warehouse.lock_timeout_seconds)") from None
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def run_lock(db: Path, timeout: float) -> Iterator[None]:
    """Held by one ingest run from start to end."""
    _check_parent(db)
    with hold(_lock(db, ".run.lock"), timeout, f"another winnow run is writing to {db}"):
        yield


def _check_parent(db: Path) -> None:
    if db.exists() and db.is_dir():
        raise WarehouseError(f"the warehouse path is a directory, not a DuckDB file: {db}")
    parent = db.parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise WarehouseError(f"cannot create the warehouse folder {parent}: {e.strerror}") from None
    if not os.access(parent, os.W_OK):
        raise WarehouseError(f"the warehouse folder is not writable: {parent}")


def check_warehouse_path(db: Path) -> None:
    """Fail early, with one line, on a path that cannot hold a warehouse."""
    _check_parent(db)
    if db.exists():
        with open(db, "rb") as fh:
            head = fh.read(16)
        if len(head) >= 12 and head[8:12] != b"DUCK":
            raise WarehouseError(f"{db} exists and is not a DuckDB database")


def _connect(db: Path, read_only: bool, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(db), read_only=read_only, config=config or {})
    except duckdb.IOException as e:
        msg = str(e).splitlines()[0]
        if "lock" in msg.lower():
            raise WarehouseBusy(f"{db} is in use by another program (not winnow): {msg}") from None
        raise WarehouseError(f"cannot open {db} as a DuckDB database: {msg}") from None
    except duckdb.Error as e:
        raise WarehouseError(f"cannot open {db} as a DuckDB database: {str(e).splitlines()[0]}") from None


@contextlib.contextmanager
def open_write(db: Path, timeout: float) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection, migrated, held only for the duration of the block."""
    db = Path(db)
    _check_parent(db)
    with hold(_lock(db, ".lock"), timeout, f"the warehouse {db} is busy (a run is loading a batch)"):
        con = _connect(db, read_only=False)
        try:
            migrate(con)
            yield con
        finally:
            con.close()


# Read-only connections for users' ad-hoc SQL: no writes, no files, no extensions.
SAFE_READ_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


@contextlib.contextmanager
def open_read(db: Path, timeout: float, safe: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection. ``safe`` also closes every door to the outside world."""
    db = Path(db)
    if not db.exists():
        raise WarehouseError(f"no warehouse at {db}: run `winnow ingest` first (or pass --db)")
    if db.is_dir():
        raise WarehouseError(f"the warehouse path is a directory, not a DuckDB file: {db}")
    with hold(_lock(db, ".lock"), timeout, f"a winnow run is writing to {db}; try again when its batch is loaded"):
        con = _connect(db, read_only=True, config=SAFE_READ_CONFIG if safe else None)
        try:
            if schema_version(con) == 0:
                raise WarehouseError(f"{db} is a DuckDB file but not a winnow warehouse")
            yield con
        finally:
            con.close()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, **tables) -> Iterator[duckdb.DuckDBPyConnection]:
    """Arrow tables visible to SQL under the given names for the duration of the block."""
    for name, table in tables.items():
        con.register(name, table)
    try:
        yield con
    finally:
        for name in tables:
            con.unregister(name)


# ---------------------------------------------------------------- migrations

_MIGRATION_NAME = re.compile(r"^(\d+)_([\w-]+)\.sql$")

_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)"""


def _rehash(con: duckdb.DuckDBPyConnection) -> None:
    from winnow.storage.rehash import rehash_documents  # needs the tokeniser, not needed to open a db

    rehash_documents(con)


# Steps SQL cannot do, run right after the migration of that version, in its transaction.
DATA_MIGRATIONS = {11: _rehash}


def migrations() -> list[tuple[int, str, str]]:
    out = []
    for f in sorted((sql_dir() / "migrations").iterdir()):
        m = _MIGRATION_NAME.match(f.name)
        if m:
            out.append((int(m.group(1)), m.group(2), f.read_text(encoding="utf-8")))
    versions = [v for v, _, _ in out]
    if len(set(versions)) != len(versions):
        raise WarehouseError("two migrations share a version number")
    return sorted(out)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations (each in its own transaction), then recreate the views."""
    con.execute(_MIGRATIONS_TABLE)
    current = schema_version(con)
    applied = []
    for version, name, sql in migrations():
        if version <= current:
            continue
        with transaction(con):
            con.execute(sql)
            if version in DATA_MIGRATIONS:
                DATA_MIGRATIONS[version](con)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
        applied.append(version)
    con.execute((sql_dir() / "views.sql").read_text(encoding="utf-8"))
    return applied
