"""The `winnow` command line.

    winnow ingest [PATHS...]      run the Prefect ingest flow (default: [input] paths, i.e. seeds/)
    winnow clean PATHS...         clean files without touching the warehouse
    winnow sql "QUERY"            read-only SQL against the warehouse
    winnow export                 the corpus as Parquet
    winnow stats                  counts by language, extractor, rejection reason
    winnow report                 the warehouse as one self-contained HTML page
    winnow serve                  the ingest flow on a schedule (Prefect serve)

Every command takes --db (except clean) and --config after its name (env: WINNOW_DB,
WINNOW_CONFIG), and -q/--quiet, -v/--verbose, -h/--help. User errors print one line to stderr
and exit with status 2; no traceback. Output to a closed pipe (`| head`) ends quietly.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Iterator, List, Optional

import typer
from rich.console import Console
from rich.table import Table

from winnow import __version__
from winnow.settings import ENV_CONFIG, ENV_DB, ConfigError, Settings, load_settings
from winnow.wording import plural

app = typer.Typer(
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts say "[input] paths": brackets are literal, not markup
    help="winnow: raw news and web files in, a clean deduplicated DuckDB corpus out.",
)


class _Console(Console):
    def on_broken_pipe(self) -> None:  # rich would exit with status 1
        _stdout_gone()


# On a terminal rich fits tables to its width; into a pipe or a log nothing is wrapped at 80 columns.
out = _Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 1_000_000)

DbOpt = typer.Option(None, "--db", envvar=ENV_DB, help="Warehouse file [default: warehouse/corpus.duckdb].")
ConfigOpt = typer.Option(None, "--config", envvar=ENV_CONFIG, help="Settings file [default: config/winnow.toml].")
QuietOpt = typer.Option(False, "--quiet", "-q", help="Only results and errors: no progress or status lines.")
VerboseOpt = typer.Option(False, "--verbose", "-v", help="Say more: settings file, warehouse, Prefect's logs.")

# 0 quiet, 1 normal, 2 verbose: set by the options of the app and of each command
_level = {"value": 1}


def _verbosity(quiet: bool, verbose: bool) -> None:
    if quiet and verbose:
        raise UserError("--quiet and --verbose contradict each other")
    if quiet:
        _level["value"] = 0
    elif verbose:
        _level["value"] = 2


def _say(message: str, level: int = 1) -> None:
    """A status line on stderr (not wrapped), shown unless --quiet (or only with --verbose)."""
    if _level["value"] >= level:
        print(message if message.startswith("winnow ") else f"winnow: {message}", file=sys.stderr, flush=True)


def _show_version(value: bool) -> None:
    if value:
        print(f"winnow {__version__}")
        raise typer.Exit()


@app.callback()
def _app(
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                 help="Print winnow's version and exit."),
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
) -> None:
    """winnow: raw news and web files in, a clean deduplicated DuckDB corpus out."""
    with _errors():
        _verbosity(quiet, verbose)


class UserError(Exception):
    """A problem the user can fix: printed as one line."""


def _fail(message: str) -> None:
    """One line on stderr, never wrapped."""
    print("winnow: " + " ".join(message.split()), file=sys.stderr, flush=True)


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    from winnow.discover import InputError
    from winnow.storage.db import WarehouseBusy, WarehouseError
    from winnow.storage.export import ExportError

    try:
        yield
    except BrokenPipeError:
        _stdout_gone()
    except (UserError, ConfigError, InputError, WarehouseError, ExportError) as e:
        prefix = "busy" if isinstance(e, WarehouseBusy) else "error"
        _fail(f"{prefix}: {e}")
        raise typer.Exit(2 if not isinstance(e, WarehouseBusy) else 3)
    except KeyboardInterrupt as e:
        code = getattr(e, "exit_code", None)  # winnow.ingest.Stopped: 130 for Ctrl-C, 143 for SIGTERM
        if code is None:
            _fail("interrupted")
            raise typer.Exit(130)
        from winnow.ingest import exit_stopped

        exit_stopped(code)  # now: Prefect's exit hooks would wait on its services
    except typer.Exit:
        raise
    except Exception as e:
        if os.environ.get("WINNOW_DEBUG"):
            raise
        from winnow.storage.db import disk_full

        full = disk_full(e)
        if full:
            _fail(f"error: no space left to write (free some and run again; loaded batches are kept): {full}")
            raise typer.Exit(2)
        msg = str(e).splitlines()[0] if str(e) else ""
        if type(e).__name__ == "OutOfMemoryException":  # DuckDB's, in a step that does not name itself
            from winnow.storage.db import out_of_memory

            _fail("error: " + out_of_memory(e))
            raise typer.Exit(2)
        _fail(f"internal error: {type(e).__name__}: {msg} (set WINNOW_DEBUG=1 for the traceback)")
        raise typer.Exit(1)


def _stdout_gone() -> None:
    """The reader of our output left (`winnow sql ... | head`): stop quietly, as Unix tools do."""
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit's flush
    raise typer.Exit(141)  # 128 + SIGPIPE, what a shell reports for a tool killed by the pipe


def _settings(config: Optional[Path], db: Optional[Path], quiet: bool = False, verbose: bool = False) -> Settings:
    _verbosity(quiet, verbose)
    settings = load_settings(config)
    settings = settings.with_db(db) if db else settings
    _say(f"settings from {settings.source}; warehouse {_abs(settings.warehouse.db)}", level=2)
    return settings


def _abs(path: str | Path) -> str:
    return str(Path(path).absolute())


def _stdin_paths(paths: List[str]) -> List[str]:
    """`-` among the paths stands for a list of paths on stdin, one per line."""
    if "-" not in paths:
        return paths
    listed = [line.strip() for line in sys.stdin if line.strip()]
    if not listed:
        raise UserError("`-` reads paths from stdin, one per line, but stdin had none")
    out: List[str] = []
    for p in paths:
        out.extend(listed if p == "-" else [p])
    return out


# ----------------------------------------------------------------- ingest

@app.command()
def ingest(
    paths: List[str] = typer.Argument(None, help="Files, folders (recursive) or globs [default: [input] paths]; "
                                                 "- reads a list of paths from stdin, one per line."),
    as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
    export: bool = typer.Option(True, "--export/--no-export", help="Export the corpus as Parquet after the run."),
    runner: Optional[str] = typer.Option(None, "--runner", help="Task runner: process, thread or dask [default: [flow] runner]."),
    dask_address: Optional[str] = typer.Option(None, "--dask-address", help="An existing Dask scheduler."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Worker processes, threads or Dask workers [default: [flow] workers, 0 = one per core]."),
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Ingest raw files into the warehouse with the Prefect flow."""
    started = time.perf_counter()
    with _errors():
        import dataclasses

        settings = _settings(config, db, quiet, verbose)
        from winnow.settings import RUNNERS

        if runner is not None and runner not in RUNNERS:
            raise UserError(f"--runner must be one of {', '.join(RUNNERS)}, not {runner!r}")
        if (runner or settings.flow.runner) == "dask":
            _check_dask_extra()  # before Prefect starts, not after ten seconds of it
        if workers is not None:
            if workers < 1:
                raise UserError("--workers must be >= 1")
            settings = dataclasses.replace(settings, flow=dataclasses.replace(settings.flow, workers=workers))
        inputs = _stdin_paths(list(paths)) if paths else list(settings.input.paths)
        from winnow.discover import check_inputs

        check_inputs(inputs)  # a missing path is a one-line error before Prefect starts
        from winnow.storage.db import check_warehouse_path

        check_warehouse_path(Path(settings.warehouse.db))
        if export:
            from winnow.storage.export import check_target, protected_paths

            check_target(settings.warehouse.export_dir, protected_paths(settings))  # before any work
        from winnow.prefect_env import ENV_UI, configure_prefect, external_api_url, ui_url
        from winnow.storage.db import data_lock, open_write, run_lock

        external = external_api_url()
        # wait for another run here, before Prefect starts; the flow takes the same lock again
        with run_lock(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds):
            # and for a reader (`winnow sql`, `stats`, `export`) holding the file, as for a writer
            with data_lock(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds,
                           "cannot start the run"):
                pass
            configure_prefect(settings, verbose=_level["value"] >= 2)
            if Path(settings.warehouse.db).exists():
                # a file another program holds open (a notebook) is "busy" now, not after Prefect's start-up
                with open_write(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds):
                    pass
            if external:
                os.environ[ENV_UI] = ui_url(external) or ""
            if not as_json:
                what = ", ".join(inputs) if len(inputs) <= 3 else f"{len(inputs)} paths"
                _say(f"winnow {__version__}: ingesting {what} into {_abs(settings.warehouse.db)}")
            from winnow.ingest import run_ingest
            from winnow.progress import Progress, ProgressPrinter

            progress = Progress()
            progress.stage("planning")  # Prefect starts only when there is work: run_ingest says so then
            with ProgressPrinter(progress, stream=sys.stderr) if not as_json and _level["value"] >= 1 \
                    else contextlib.nullcontext() as printer:
                summary = run_ingest(inputs, settings, export=export, runner=runner,
                                     dask_address=dask_address, started=started, progress=progress,
                                     say=printer.say if printer is not None else None)
        if as_json:
            print(json.dumps(summary, indent=2, default=str))
        else:
            print("\n".join(summary_lines(summary, settings)), flush=True)


DASK_EXTRA = ("prefect_dask", "distributed")


def _check_dask_extra() -> None:
    from importlib.util import find_spec

    missing = [m for m in DASK_EXTRA if find_spec(m) is None]
    if missing:
        raise UserError(f"the dask runner needs the dask extra ({', '.join(missing)} not installed): "
                        "run `pip install -e '.[dask]'` in the winnow checkout (or `make test`, which installs it)")


def summary_lines(s: dict, settings: Settings) -> list[str]:
    """The run summary as plain lines: no padding, no wrapping, whatever the output is."""
    f, d, dup, sec = s["files"], s["documents"], s["duplicates"], s["seconds"]
    recleaned = f.get("recleaned", 0)
    rows = [("files", f"{f['seen']} seen: {f['new']} new, {f['changed']} changed, "
                      + (f"{recleaned} re-cleaned: settings changed, " if recleaned else "")
                      + f"{f['unchanged']} unchanged, {f['rejected']} rejected"
                      + (f"; {f['hidden']} hidden skipped" if f.get("hidden") else ""))]
    if f["unchanged"] and not f["new"] and not f["changed"] and not recleaned:
        rows.append(("", "nothing new: unchanged files were skipped by sha256"))
    w = s.get("warc") or {}
    if w.get("files"):
        skipped = sum(n for k, n in w.items() if k.startswith("skipped:"))
        rows.append(("warc", f"{plural(w['files'], 'WARC file')}: {plural(w.get('pages', 0), 'HTML page')} read, "
                             f"{plural(w.get('rejected', 0), 'record')} rejected, "
                             f"{plural(skipped, 'other record')} skipped"))
    docs = f"{d['new']} new kept; corpus now {plural(d['corpus'], 'document')}"
    if d["superseded"]:
        why = ("re-cleaned: settings changed" if recleaned and not f["changed"]
               else "by changed files" if not recleaned
               else "by changed files and re-cleaning (settings changed)")
        docs += f"; {d['superseded']} earlier {'version' if d['superseded'] == 1 else 'versions'} superseded ({why})"
    if d["same_content_other_name"]:
        n = d["same_content_other_name"]
        docs += f"; {plural(n, 'file')} had the content of a stored document"
    rows.append(("documents", docs))
    rows.append(("duplicates", f"{dup['folded']} folded into {plural(dup['clusters'], 'cluster')} "
                               f"({dup['exact']} exact, {dup['near']} near)"
                               + (f"; {plural(dup['shared_part_pairs'], 'pair')} kept apart as shared parts"
                                  if dup.get("shared_part_pairs") else "")
                               + (f"; {plural(dup['boilerplate_pairs'], 'pair')} kept apart as boilerplate"
                                  if dup.get("boilerplate_pairs") else "")))
    rows.append(("languages", (", ".join(f"{k} {v}" for k, v in s["languages"].items()) or "-") + " (this run)"))
    if s["rejections"]:
        rows.append(("rejected", ", ".join(f"{k} {v}" for k, v in s["rejections"].items())
                     + " (see: winnow stats, or the rejected_files table)"))
    if s.get("export"):
        rows.append(("export", f"{plural(s['export']['rows'], 'row')} -> {s['export']['path']}"))
    if s.get("report"):
        rows.append(("report", s["report"]["path"]))
    rows.append(("warehouse", _abs(settings.warehouse.db)))
    prefect = s.get("prefect")
    if prefect:
        rows.append(("prefect", f"flow run {prefect['flow_run_name']} ({prefect['flow_run_id']})"
                                + (f" {prefect['ui']}" if prefect.get("ui") else "")))
    rows.append(("seconds", f"{sec['total']:.1f} total: {sec.get('planning', 0):.1f} planning, "
                            f"{sec['prefect_startup']:.1f} Prefect start-up"
                            + (" (not started: nothing new)" if s.get("prefect_started") is False else "")
                            + f", {sec['work']:.1f} work"))
    return [f"winnow run {s['run_id']} ({s['status']})"] + [f"{k:<11} {v}".rstrip() for k, v in rows]


# ----------------------------------------------------------------- clean

class CleanFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


@app.command()
def clean(
    paths: List[str] = typer.Argument(..., help="Files, folders or globs to clean; - cleans one page read from stdin."),
    fmt: CleanFormat = typer.Option(CleanFormat.text, "--format", "-f", help="text, json or jsonl."),
    explain: bool = typer.Option(False, "--explain", help="List every removed line and why."),
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
    db: Optional[Path] = typer.Option(None, "--db", hidden=True),  # refused: clean never reads a warehouse
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Clean files (discover, read, clean, language) without touching the warehouse."""
    with _errors():
        if db is not None:
            raise UserError("`winnow clean` never reads a warehouse, so --db does not apply "
                            "(corpus evidence needs `winnow ingest`)")
        from winnow.api import document_record, rejection_record
        from winnow.discover import Candidate, discover
        from winnow.pipeline import Pipeline
        from winnow.records import Rejection

        settings = _settings(config, None, quiet, verbose)
        pipeline = Pipeline(settings, documents=False)  # read, clean, filter, language: no warehouse
        records = []
        with contextlib.ExitStack() as stack:
            stdin_page = stack.enter_context(_stdin_page()) if "-" in paths else None
            found = discover([p for p in paths if p != "-"], follow_symlinks=settings.input.follow_symlinks)
            records += [rejection_record(r) for r in found.rejections]
            candidates = list(found.candidates)
            if stdin_page:
                candidates.insert(0, Candidate(str(stdin_page), str(stdin_page.parent)))
            for item in pipeline.stream(candidates):
                rec = rejection_record(item) if isinstance(item, Rejection) else document_record(item, explain, settings)
                if stdin_page and rec["path"] == str(stdin_page):
                    rec["path"] = "-"
                records.append(rec)
        _print_clean(records, fmt, explain)


@contextlib.contextmanager
def _stdin_page() -> Iterator[Path]:
    """The page on stdin, as a file the reader can treat like any other (bytes: encoding sniffed)."""
    import tempfile

    if sys.stdin.isatty():
        raise UserError("`winnow clean -` reads a page from stdin: pipe one in (winnow clean - < page.html)")
    with tempfile.TemporaryDirectory(prefix="winnow-stdin-") as tmp:
        page = Path(tmp) / "stdin"
        page.write_bytes(sys.stdin.buffer.read())
        yield page


def _print_clean(records: list[dict], fmt: CleanFormat, explain: bool) -> None:
    if fmt is CleanFormat.jsonl:
        for r in records:
            print(json.dumps(r, ensure_ascii=False))
        return
    if fmt is CleanFormat.json:
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return
    for r in records:
        if "rejected" in r:
            out.print(f"== {r['path']}: rejected ({r['rejected']}: {r['detail']})", markup=False)
            continue
        out.print(f"== {r['path']} [{r['type']}, {r['language']} {r['language_prob']:.2f}]", markup=False)
        out.print(f"# {r['title'] or '(no title)'}", markup=False)
        meta = ", ".join(f"{k}: {r[k]}" for k in ("author", "date", "url") if r.get(k))
        if meta:
            out.print(meta, markup=False)
        out.print()
        out.print(r["text"], markup=False)
        if explain:
            out.print()
            out.print(f"-- removed ({len(r['removed'])}):", markup=False)
            for x in r["removed"]:
                where = f"line {x['line']:>4}" if x["line"] is not None else "        "
                score = f" score={x['score']:.2f}" if x["score"] is not None else ""
                out.print(f"{where}  [{x['reason']}{score}]  {x['text'][:160]}", markup=False)
            out.print("-- filters:", markup=False)
            for line in r["filters"]:
                out.print(line, markup=False)
        out.print()


# ----------------------------------------------------------------- sql

class SqlFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


# "-- a comment" is a query, not an unknown option
@app.command(context_settings={"ignore_unknown_options": True})
def sql(
    query: str = typer.Argument(..., help="One SQL statement to run (read-only)."),
    fmt: SqlFormat = typer.Option(SqlFormat.table, "--format", "-f", help="table, csv, json or jsonl."),
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Run one read-only SQL statement against the warehouse (tables: documents, source_files, ...; views: corpus, ...)."""
    with _errors():
        import duckdb

        from winnow.storage.db import QueryLimits, open_read

        settings = _settings(config, db, quiet, verbose)
        limits = QueryLimits(settings.sql.memory_limit_mb, settings.sql.timeout_seconds)
        with open_read(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds, safe=True,
                       limits=limits) as con:
            try:
                statements = con.extract_statements(query)
                if not statements:
                    raise UserError("nothing to run: the query is empty or only comments")
                if len(statements) > 1:
                    raise UserError(f"one statement at a time: the query holds {len(statements)} "
                                    "(run each with its own `winnow sql`)")
                cur = con.execute(statements[0])
                columns = [d[0] for d in cur.description] if cur.description else []
                types = [str(d[1]) for d in cur.description] if cur.description else []
                rows = cur.fetchall() if columns else []
            except duckdb.Error as e:
                msg = str(e).splitlines()[0]
                low = msg.lower()
                if any(w in low for w in ("read-only", "read only", "permission", "disabled", "locked")):
                    raise UserError(f"refused: `winnow sql` is read-only and cannot reach files or extensions ({msg})")
                raise UserError(f"SQL error: {msg}")
        _print_rows(columns, types, rows, fmt)


def _plain(value, sql_type: str = ""):
    """A value as JSON data: JSON columns parsed (not a string of JSON), dates as ISO text."""
    import datetime as dt
    import decimal
    import uuid

    if value is None:
        return None
    if sql_type == "JSON" and isinstance(value, str):
        return json.loads(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _csv_cell(value, sql_type: str):
    """Lists, structs and maps as JSON text (not Python reprs); JSON columns as stored."""
    if value is None:
        return ""
    if sql_type == "JSON" and isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    plain = _plain(value, sql_type)
    if isinstance(plain, (list, dict)):
        return json.dumps(plain, ensure_ascii=False)
    return plain


def _print_rows(columns: list[str], types: list[str], rows: list[tuple], fmt: SqlFormat) -> None:
    def records():
        return ({c: _plain(v, t) for c, t, v in zip(columns, types, r)} for r in rows)

    if fmt is SqlFormat.json:
        print(json.dumps(list(records()), ensure_ascii=False, indent=2))
    elif fmt is SqlFormat.jsonl:
        for rec in records():
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    elif fmt is SqlFormat.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([_csv_cell(v, t) for v, t in zip(r, types)])
        sys.stdout.flush()
    else:
        t = Table(*columns, show_lines=False)
        for r in rows:
            t.add_row(*("NULL" if v is None else str(v) for v in r))
        out.print(t)
        if _level["value"] >= 1:
            out.print(f"({plural(len(rows), 'row')})", style="dim")


# ----------------------------------------------------------------- export

@app.command()
def export(
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Output folder [default: [warehouse] export_dir]."),
    partition_by: Optional[str] = typer.Option(None, "--partition-by", help="language, source_type or extractor."),
    fmt: str = typer.Option("parquet", "--format", "-f", help="parquet, or jsonl (gzip shards of [export] jsonl_shard_mb)."),
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Export the corpus (with provenance columns) as Parquet (zstd) or JSON Lines (gzip), with a dataset card."""
    with _errors():
        from winnow.storage.db import open_read
        from winnow.storage.export import check_target, export_corpus, protected_paths

        settings = _settings(config, db, quiet, verbose)
        if partition_by and partition_by not in ("language", "source_type", "extractor"):
            raise UserError(f"--partition-by must be language, source_type or extractor, not {partition_by!r}")
        if fmt not in ("parquet", "jsonl"):
            raise UserError(f"--format must be parquet or jsonl, not {fmt!r}")
        if partition_by and fmt != "parquet":
            raise UserError("--partition-by works with --format parquet only")
        target = out_dir if out_dir is not None else Path(settings.warehouse.export_dir)
        check_target(target, protected_paths(settings))  # before waiting for the warehouse
        with open_read(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds) as con:
            try:
                res = export_corpus(con, target, partition_by, protected_paths(settings), fmt=fmt, settings=settings)
            except OSError as e:
                raise UserError(f"cannot write the export to {target}: {e.strerror or e}")
        kind = "Parquet file" if fmt == "parquet" else "JSON Lines file"
        print(f"exported {plural(res.rows, 'document')} to {res.path} ({plural(res.files, kind)} + README.md, dataset_info.json)")


# ----------------------------------------------------------------- stats

# The sections of `winnow stats` after the totals, and their queries (warehouse/queries/stats.sql).
STATS_SECTIONS = {
    "corpus_by_language": "stats_corpus_by_language",
    "corpus_by_extractor": "stats_corpus_by_extractor",
    "rejected_files_by_reason": "stats_rejected_files_by_reason",
    "duplicate_clusters": "stats_duplicate_clusters",
    "runs": "stats_runs",
}


@app.command()
def stats(
    as_json: bool = typer.Option(False, "--json", help="Print as JSON (keys: total, corpus_by_language, ...)."),
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Counts by language, extractor, rejection reason; duplicate clusters; runs."""
    with _errors():
        from winnow.storage import queries
        from winnow.storage.db import open_read

        settings = _settings(config, db, quiet, verbose)
        results = {}
        with open_read(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds) as con:
            results["total"] = queries.rows(con, "stats_total")[0]
            for section, name in STATS_SECTIONS.items():
                results[section] = queries.rows(con, name)
        if as_json:
            print(json.dumps(results, indent=2, default=str))
            return
        tot = results.pop("total")
        print(f"corpus: {plural(tot['corpus_documents'], 'document')} ({tot['documents_stored']} stored, "
              f"{plural(tot['source_files'], 'source file version')})")
        for key, rows in results.items():
            t = Table(title=key.replace("_", " "), title_justify="left")
            cols = list(rows[0]) if rows else ["(none)"]
            for c in cols:
                t.add_column(c)
            for r in rows:
                t.add_row(*(str(v) for v in r.values()))
            out.print(t)


# ----------------------------------------------------------------- report

@app.command()
def report(
    out_file: Optional[Path] = typer.Option(None, "--out", help="The HTML file [default: [report] path]."),
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Write the warehouse as one self-contained HTML page (charts, reasons, duplicates, runs, documents)."""
    with _errors():
        from winnow.report import report_warehouse

        settings = _settings(config, db, quiet, verbose)
        target = out_file or settings.report_path
        if target.is_dir():
            raise UserError(f"the report path is a folder, not a file: {target}")
        try:
            res = report_warehouse(settings, target)
        except OSError as e:
            raise UserError(f"cannot write the report to {target}: {e.strerror or e}")
        out.print(f"report: {res.path} ({res.bytes / 1024:.0f} KiB, {res.seconds:.1f} s): {res.summary_line()}",
                  markup=False)


# ----------------------------------------------------------------- serve

@app.command()
def serve(
    inbox: Optional[str] = typer.Option(None, "--inbox", help="Folder to ingest [default: [schedule] inbox]."),
    interval: Optional[float] = typer.Option(None, "--interval", help="Seconds between runs [default: [schedule] interval_seconds]."),
    cron: Optional[str] = typer.Option(None, "--cron", help="A cron expression (wins over the interval)."),
    ui_port: Optional[int] = typer.Option(None, "--ui-port", help="Port of the local Prefect server and UI [default: [schedule] ui_port]."),
    quiet: bool = QuietOpt,
    verbose: bool = VerboseOpt,
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Run the ingest flow now, then on a schedule, with Prefect (starts a local Prefect server if needed)."""
    with _errors():
        from winnow.serve import ServeError, serve_ingest
        from winnow.storage.db import check_warehouse_path

        settings = _settings(config, db, quiet, verbose)
        folder = inbox or settings.schedule.inbox
        if not Path(folder).is_dir():
            raise UserError(f"the inbox is not a folder: {folder}")
        if interval is not None and interval <= 0:
            raise UserError("--interval must be > 0")
        port = ui_port if ui_port is not None else settings.schedule.ui_port
        if not 1 <= port <= 65535:
            raise UserError(f"--ui-port must be in 1..65535, not {port}")
        check_warehouse_path(Path(settings.warehouse.db))
        use_cron = cron if cron is not None else (settings.schedule.cron if interval is None else "")
        use_interval = interval if interval is not None else settings.schedule.interval_seconds
        if settings.flow.runner == "dask":
            _check_dask_extra()
        _say(f"warehouse {_abs(settings.warehouse.db)}")
        try:
            # the status lines obey --quiet; the one line per run is the result and always shows
            serve_ingest(settings, folder, None if use_cron else use_interval, use_cron or None, port,
                         say=_say, verbose=_level["value"] >= 2)
        except ServeError as e:
            raise UserError(str(e))


def main() -> None:
    import logging

    # trafilatura and friends warn about every page they discard: that is what rejected_files is for
    if not os.environ.get("WINNOW_DEBUG"):
        for name in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "justext"):
            logging.getLogger(name).setLevel(logging.ERROR)
    try:
        # not standalone: usage errors become one line like every other user error
        code = app(standalone_mode=False)
    except BrokenPipeError:  # output went to a pipe that closed outside a command's own handling
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 141
    except Exception as e:
        if not (hasattr(e, "format_message") and hasattr(e, "exit_code")):  # not a click usage error
            raise
        if type(e).__name__ == "NoArgsIsHelpError":  # plain `winnow`: the help
            e.show()
        else:
            where = getattr(getattr(e, "ctx", None), "command_path", None) or "winnow"
            _fail(f"error: {e.format_message()} (see: {where} -h)")
        code = e.exit_code
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
