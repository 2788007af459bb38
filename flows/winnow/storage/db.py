"""Opening the warehouse: locks, read-only connections, migrations and views.

DuckDB lets one process hold a database file for writing, and refuses even a
read-only open from another process meanwhile. winnow therefore keeps two
file locks beside the database:

- ``<db>.lock`` is held for as long as any winnow process has the file open
  (a run writing its batches, ``winnow sql`` answering one query). A process
  waiting for it says so beside it (``<db>.lock.waiting.<pid>``); a run keeps
  the file open from batch to batch (``Writer``) unless someone waits, so readers
  get in between batches; ``winnow sql`` stops a query at ``[sql] timeout_seconds``,
  so it never holds the file longer.
- ``<db>.run.lock`` is held by an ingest run from start to end, so that two
  runs (a scheduled one and a manual one) never interleave.

Both wait up to ``warehouse.lock_timeout_seconds`` and then raise
``WarehouseBusy`` naming the holder (``<lock>.holder`` says who holds it)
instead of DuckDB's raw lock error.
"""

from __future__ import annotations

import contextlib
import functools
import errno
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
from filelock import FileLock, Timeout

from winnow.storage.queries import named

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


def holder_description() -> str:
    """Who this process is, as a waiting process will name it: `winnow sql (pid 123)`."""
    argv = sys.argv
    if argv and Path(argv[0]).name == "winnow" and len(argv) > 1:
        who = f"winnow {argv[1]}"
    else:
        who = Path(argv[0]).name if argv and argv[0] else "a python process"
    return f"{who} (pid {os.getpid()})"


def _holder_file(lock: FileLock) -> Path:
    return Path(str(lock.lock_file) + ".holder")


def _say_holder(lock: FileLock) -> None:
    """Beside the lock, who holds it (a waiter cannot read the lock file: it truncates it on every try)."""
    with contextlib.suppress(OSError):
        _holder_file(lock).write_text(f"{holder_description()} since {time.strftime('%H:%M:%S')}\n")


def _holder(lock: FileLock) -> str:
    with contextlib.suppress(OSError):
        text = _holder_file(lock).read_text().strip()
        if text:
            return f"held by {text}"
    return "held by another winnow process"


def _waiting_file(lock: FileLock, pid: int) -> Path:
    return Path(f"{lock.lock_file}.waiting.{pid}")


def _acquire(lock: FileLock, timeout: float) -> None:
    """Take the lock; while another process holds it, say so beside it (``<lock>.waiting.<pid>``):
    a run keeping the file open between batches (``Writer``) lets a waiting reader in."""
    try:
        lock.acquire(timeout=0)
        return
    except Timeout:
        if timeout <= 0:
            raise
    waiting = _waiting_file(lock, os.getpid())
    try:
        waiting.touch()
    except OSError:
        pass  # nobody is told: the reader waits for the run to close the file at its end
    try:
        lock.acquire(timeout=timeout)
    finally:
        with contextlib.suppress(OSError):
            waiting.unlink()


def others_waiting(db: Path) -> bool:
    """Another live process waits for the warehouse's ``<db>.lock`` (``_acquire``)."""
    lock = _lock(db, ".lock")
    folder, prefix = Path(lock.lock_file).parent, Path(lock.lock_file).name + ".waiting."
    try:
        names = [n for n in os.listdir(folder) if n.startswith(prefix)]
    except OSError:
        return False
    for name in names:
        try:
            pid = int(name[len(prefix):])
            if pid != os.getpid():
                os.kill(pid, 0)
                return True
        except (ValueError, ProcessLookupError):
            continue  # a waiter killed while it waited left its file behind
        except PermissionError:
            return True  # alive, another user's
    return False


@contextlib.contextmanager
def hold(lock: FileLock, timeout: float, what: str) -> Iterator[None]:
    try:
        _acquire(lock, timeout)
    except Timeout:
        raise WarehouseBusy(f"{what}: {_holder(lock)} (waited {timeout:g} s; see warehouse.lock_timeout_seconds)") from None
    except OSError as e:
        raise WarehouseError(f"cannot create the lock file {lock.lock_file}: {e.strerror or e}") from None
    try:
        if lock.lock_counter == 1:
            _say_holder(lock)
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def run_lock(db: Path, timeout: float) -> Iterator[None]:
    """Held by one ingest run from start to end."""
    _check_parent(db)
    with hold(_lock(db, ".run.lock"), timeout, f"another winnow run is writing to {db}"):
        yield


@contextlib.contextmanager
def data_lock(db: Path, timeout: float, what: str) -> Iterator[None]:
    """Held while a connection is open: a batch load, a query, an export."""
    with hold(_lock(db, ".lock"), timeout, f"{what}: the warehouse {db} is in use"):
        yield


# Kernel pseudo-filesystems: a warehouse there fails in odd ways (sysfs) or hangs (procfs).
PSEUDO_FILESYSTEMS = ("/proc", "/sys", "/dev")


def _check_parent(db: Path) -> None:
    real = os.path.realpath(db)
    for root in PSEUDO_FILESYSTEMS:
        if real == root or real.startswith(root + "/"):
            raise WarehouseError(f"cannot keep a warehouse in {root}: it is a kernel pseudo-filesystem ({db})")
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


def _check_file(db: Path) -> None:
    """An existing warehouse path must be a DuckDB file; checked before any lock file is made beside it."""
    if not db.exists():
        return
    if db.is_dir():
        raise WarehouseError(f"the warehouse path is a directory, not a DuckDB file: {db}")
    try:
        with open(db, "rb") as fh:
            head = fh.read(16)
    except OSError as e:
        raise WarehouseError(f"cannot read {db}: {e.strerror or e}") from None
    if len(head) >= 12 and head[8:12] != b"DUCK":
        raise WarehouseError(f"{db} exists and is not a DuckDB database")


def _is_foreign(con: duckdb.DuckDBPyConnection) -> bool:
    """A DuckDB file with tables or views of its own and no winnow schema: another program's database."""
    if schema_version(con) > 0:
        return False
    return con.execute(named("foreign_objects")).fetchone()[0] > 0


def _peek(db: Path, test) -> bool | None:
    """``test(con)`` on a read-only connection opened without winnow's lock; None when it cannot be opened."""
    if not db.exists() or db.stat().st_size == 0:
        return None
    try:
        con = _quiet(duckdb.connect(str(db), read_only=True))
    except duckdb.Error:
        return None  # held by a writer (a winnow run, or another program): the locked open says which
    try:
        return test(con)
    finally:
        con.close()


def _refuse_foreign(db: Path) -> None:
    """Refuse another program's database before writing (and before making lock files beside it)."""
    if _peek(db, _is_foreign):
        raise WarehouseError(f"{db} is a DuckDB database of another program (tables, no winnow schema): "
                             "refusing to write winnow's tables into it; pass another --db")


def check_warehouse_path(db: Path) -> None:
    """Fail early, with one line, on a path that cannot hold a warehouse."""
    _check_parent(db)
    _check_file(db)
    _refuse_foreign(db)


def _quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """No progress bar: DuckDB draws one on stdout (into a file or a pipe too) for a query that runs
    over 2 s, in the middle of `winnow sql --format json` or of a program's own output."""
    con.execute(named("no_progress_bar"))
    return con


def _connect(db: Path, read_only: bool, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    try:
        return _quiet(duckdb.connect(str(db), read_only=read_only, config=config or {}))
    except duckdb.IOException as e:
        msg = str(e).splitlines()[0]
        if "lock" in msg.lower():
            raise WarehouseBusy(
                f"{db} is held open by another program, e.g. a notebook's duckdb.connect(..., read_only=True): "
                "DuckDB refuses every other process while one holds the file, even a read-only one. "
                "Close that connection; in notebooks read the Parquet export, or use winnow.api.query() "
                f"/ winnow.api.connect(), which close the file after each use{_duckdb_holder(msg)}") from None
        raise WarehouseError(f"cannot open {db} as a DuckDB database: {msg}") from None
    except duckdb.Error as e:
        raise WarehouseError(f"cannot open {db} as a DuckDB database: {str(e).splitlines()[0]}") from None


def _duckdb_holder(duckdb_message: str) -> str:
    """" (held by PID n)" from DuckDB's long lock message, when it names the process."""
    m = re.search(r"\(PID (\d+)\)", duckdb_message)
    return f" (held by PID {m.group(1)})" if m else ""


def memory_config(memory_mb: float | None) -> dict:
    """DuckDB's settings for a connection limited to ``memory_mb`` (None: DuckDB's default, 80% of RAM).

    DuckDB's buffer pool grows to its limit before it spills to the temporary folder beside the
    database (``<db>.tmp``), and the flow opens its connections in its own long-lived process."""
    return {} if memory_mb is None else {"memory_limit": f"{float(memory_mb)}MiB"}


@contextlib.contextmanager
def open_write(db: Path, timeout: float, memory_mb: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection, migrated, held only for the duration of the block.

    ``memory_mb``: DuckDB's memory limit on it (``[warehouse] memory_limit_mb``)."""
    db = Path(db)
    if _migrated_here(db):  # a warehouse already: not another program's (a run opens it once per batch)
        _check_parent(db)
        _check_file(db)
    else:
        check_warehouse_path(db)
    with data_lock(db, timeout, "cannot load into the warehouse"):
        con = _connect(db, read_only=False, config=memory_config(memory_mb))
        try:
            if _is_foreign(con):
                raise WarehouseError(f"{db} is a DuckDB database of another program (tables, no winnow schema): "
                                     "refusing to write winnow's tables into it; pass another --db")
            _migrate_once(con, db)
            yield con
        finally:
            con.close()


class Writer:
    """A run's connection for writing, kept open from one batch to the next (``open_write`` per use
    otherwise): opening the warehouse and closing it (a checkpoint) cost about 95 of the 170 CPU-ms
    of loading a batch of 200 files, in the flow's process, on the cores the workers clean on.

    Other processes still get in between batches: one waiting for the file says so beside its lock
    (``others_waiting``), and the writer closes the file after the batch it is writing and lets
    the waiter in before it opens the file again. It also closes the file after
    ``KEEP_OPEN_USES`` uses, so that what DuckDB keeps in memory of what it wrote stays bounded
    by a few batches, not the run, and after any error (a retry opens it anew)."""

    KEEP_OPEN_USES = 8
    GIVE_WAY_SECONDS = 2.0  # at most, for a waiter to take the file (one killed while waiting leaves its file)

    def __init__(self, db: Path, timeout: float, memory_mb: float | None = None):
        self.db, self.timeout, self.memory_mb = Path(db), timeout, memory_mb
        self._open: contextlib.ExitStack | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._uses = 0
        self.opened = 0  # how many times the file was opened (tests)

    @contextlib.contextmanager
    def connection(self, counted: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """The open connection (opened first if it is not). A use that is not ``counted`` (the run's
        last steps after its batches: dedup, its row, the export, the report) does not count towards
        ``KEEP_OPEN_USES``: the file is not closed and opened again between them for that."""
        if self._con is None:
            self._give_way()
            stack = contextlib.ExitStack()
            self._con = stack.enter_context(open_write(self.db, self.timeout, self.memory_mb))
            self._open, self._uses = stack, 0
            self.opened += 1
        try:
            yield self._con
        except BaseException:
            self.close()
            raise
        self._uses += counted
        if self._uses >= self.KEEP_OPEN_USES or others_waiting(self.db):
            self.close()

    def _give_way(self) -> None:
        deadline = time.monotonic() + self.GIVE_WAY_SECONDS
        while others_waiting(self.db) and time.monotonic() < deadline:
            time.sleep(0.02)

    def close(self) -> None:
        if self._open is not None:
            stack, self._open, self._con = self._open, None, None
            stack.close()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_migrated: set[tuple[int, int]] = set()  # (device, inode) of files this process brought up to date


def _migrated_here(db: Path) -> bool:
    """This very file (same device and inode) was migrated by this process: it is a winnow warehouse."""
    try:
        st = os.stat(db)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) in _migrated


def _migrate_once(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    """Migrations and views once per process and file, not on every batch's connection.

    A file replaced by another (a new inode) or missing any migration is migrated again (not only
    one behind the highest number: numbers are assigned per change, so a lower one can land later).
    """
    st = os.stat(db)
    key = (st.st_dev, st.st_ino)
    if key in _migrated and applied_versions(con) >= all_versions():
        return
    migrate(con)
    _migrated.add(key)


# Read-only connections for users' ad-hoc SQL: no writes, no files, no extensions. DuckDB still
# lets a query read the database's own files and write its temp folder (<db>.tmp/) when external
# access is off; the local file system is therefore switched off once the database is open, and
# with no temp folder a query that outgrows the memory limit fails instead of spilling to disk.
SAFE_READ_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "temp_directory": "",
}


@dataclass(frozen=True)
class QueryLimits:
    memory_mb: float = 1024.0
    timeout_seconds: float = 30.0


class QueryStopped(WarehouseError):
    """A query of `winnow sql` went over a limit, or had nothing to run."""


# Errors of a full disk (or a file size limit), as the OS and DuckDB word them.
DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_DISK_FULL_WORDS = ("no space left on device", "disk quota exceeded", "file too large")


def disk_full(exc: BaseException) -> str | None:
    """The first line of a full-disk error in ``exc`` or its causes, else None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in DISK_FULL:
            return f"{exc.strerror}" + (f": {exc.filename}" if exc.filename else "")
        text = str(exc)
        if any(w in text.lower() for w in _DISK_FULL_WORDS):
            return text.splitlines()[0]
        exc = exc.__cause__ or exc.__context__
    return None


def _wait_awake(done: threading.Event, seconds: float, step: float = 0.1) -> bool:
    """``done.wait(seconds)`` in short slices, so that Ctrl-C is taken within ``step``.

    A signal sent to the process may be delivered to any of its threads (the query's, or one of
    DuckDB's own); Python then runs its handler in the main thread only when that thread next runs
    bytecode, and a thread asleep in one long lock wait does not wake for it: Ctrl-C would wait for
    the time limit."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return done.is_set()
        if done.wait(min(step, left)):
            return True


class LimitedConnection:
    """A sealed read-only connection whose ``execute`` stops at the time limit and on Ctrl-C."""

    def __init__(self, con: duckdb.DuckDBPyConnection, limits: QueryLimits):
        self._con, self._limits = con, limits

    def __getattr__(self, name):
        return getattr(self._con, name)

    def execute(self, query, parameters=None):
        """Run ``query`` in a worker thread, so that this thread can take Ctrl-C and watch the clock."""
        box: dict = {}
        done = threading.Event()  # not Thread.join: a join interrupted by Ctrl-C may not wait again

        def work() -> None:
            try:
                box["result"] = (self._con.execute(query, parameters) if parameters is not None
                                 else self._con.execute(query))
            except BaseException as e:  # handed to the caller below
                box["error"] = e
            finally:
                done.set()

        worker = threading.Thread(target=work, name="winnow-sql", daemon=True)
        worker.start()
        try:
            finished = _wait_awake(done, self._limits.timeout_seconds)
        except KeyboardInterrupt:
            self._con.interrupt()
            done.wait()
            raise
        if not finished:
            self._con.interrupt()
            done.wait()
            raise QueryStopped(f"the query ran longer than [sql] timeout_seconds = {self._limits.timeout_seconds:g} "
                               "and was stopped")
        error = box.get("error")
        if isinstance(error, duckdb.OutOfMemoryException):
            raise QueryStopped(f"the query needs more memory than [sql] memory_limit_mb = {self._limits.memory_mb:g} "
                               "and was stopped") from None
        if error is not None:
            raise error
        if box.get("result") is None:  # "", ";;;", "-- a comment": DuckDB has nothing to run
            raise QueryStopped("nothing to run: the query is empty or only comments")
        return box["result"]


def _seal(con: duckdb.DuckDBPyConnection, limits: QueryLimits) -> None:
    con.execute(named("set_memory_limit"), [f"{float(limits.memory_mb)}MB"])
    con.execute(named("disable_local_files"))
    con.execute(named("lock_configuration"))


@contextlib.contextmanager
def open_read(db: Path, timeout: float, safe: bool = False, limits: QueryLimits | None = None,
              memory_mb: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection. ``safe`` also closes every door to the outside world and applies ``limits``;
    otherwise ``memory_mb`` is DuckDB's memory limit on it (``[warehouse] memory_limit_mb``)."""
    db = Path(db)
    if not db.exists():
        raise WarehouseError(f"no warehouse at {db}: run `winnow ingest` first (or pass --db)")
    _check_file(db)
    if _peek(db, schema_version) == 0:  # refused before any lock file is made beside it
        raise WarehouseError(f"{db} is a DuckDB file but not a winnow warehouse")
    with data_lock(db, timeout, "cannot read the warehouse"):
        con = _connect(db, read_only=True, config=SAFE_READ_CONFIG if safe else memory_config(memory_mb))
        try:
            if schema_version(con) == 0:
                raise WarehouseError(f"{db} is a DuckDB file but not a winnow warehouse")
            if safe:
                _seal(con, limits or QueryLimits())
                yield LimitedConnection(con, limits or QueryLimits())
            else:
                yield con
        finally:
            con.close()


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.begin()
    try:
        yield
        con.commit()
    except BaseException:
        con.rollback()
        raise


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, **tables) -> Iterator[duckdb.DuckDBPyConnection]:
    """Arrow tables visible to SQL under the given names for the duration of the block.

    A statement that fails inside a transaction aborts it, and unregistering then fails too
    ("Current transaction is aborted"): that follow-on error is not raised over the first one."""
    for name, table in tables.items():
        con.register(name, table)
    failed = False
    try:
        yield con
    except BaseException:
        failed = True
        raise
    finally:
        for name in tables:
            try:
                con.unregister(name)
            except duckdb.Error:
                if not failed:
                    raise


def out_of_memory(e: BaseException, step: str | None = None, memory_mb: float | None = None) -> str:
    """The one line for DuckDB running out of memory (``e``): in a ``step`` that knows its limit
    (``memory_bounded``), or anywhere else (the CLI's last resort, ``step`` None). Says which
    setting to raise and that what was loaded is kept."""
    first = str(e).splitlines()[0] if str(e) else type(e).__name__
    if step is None:
        return (f"the warehouse ran out of memory ({first}); raise [warehouse] memory_limit_mb (or free memory) "
                "and run again: loaded batches are kept")
    limit = "DuckDB's default memory limit" if memory_mb is None else f"[warehouse] memory_limit_mb = {float(memory_mb):g}"
    return (f"{step} ran out of memory at {limit} ({first}); raise [warehouse] memory_limit_mb (or free memory) "
            f"and run `winnow ingest` again: the documents loaded are kept and the next run finishes the {step}")


@contextlib.contextmanager
def memory_bounded(step: str, memory_mb: float | None) -> Iterator[None]:
    """DuckDB running out of memory in ``step`` as one line that says which setting to raise."""
    try:
        yield
    except duckdb.OutOfMemoryException as e:
        raise WarehouseError(out_of_memory(e, step, memory_mb)) from e


# ---------------------------------------------------------------- migrations

_MIGRATION_NAME = re.compile(r"^(\d+)_([\w-]+)\.sql$")


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


@functools.lru_cache(maxsize=1)
def all_versions() -> frozenset[int]:
    return frozenset(v for v, _, _ in migrations())


def applied_versions(con: duckdb.DuckDBPyConnection) -> set[int]:
    if not con.execute(named("schema_migrations_exists")).fetchone()[0]:
        return set()
    return {v for (v,) in con.execute(named("applied_migrations")).fetchall()}


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    # fetchall, not fetchone: the connection is handed over with its results read to the end
    # (DuckDB 2 refuses register() and other work while a result is unfinished)
    if not con.execute(named("schema_migrations_exists")).fetchall()[0][0]:
        return 0
    return con.execute(named("schema_version")).fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations (each in its own transaction), then recreate the views."""
    con.execute(named("schema_migrations_table"))
    # every migration not yet applied, not only those above the highest applied one: numbers
    # are assigned per change, so a lower number can land after a higher one
    done = applied_versions(con)
    applied = []
    for version, name, sql in migrations():
        if version in done:
            continue
        with transaction(con):
            con.execute(sql)
            if version in DATA_MIGRATIONS:
                DATA_MIGRATIONS[version](con)
            con.execute(named("record_migration"), [version, name])
        applied.append(version)
    con.execute((sql_dir() / "views.sql").read_text(encoding="utf-8"))
    return applied
