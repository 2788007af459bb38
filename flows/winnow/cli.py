"""The `winnow` command line.

    winnow ingest [PATHS...]      run the Prefect ingest flow (default: [input] paths, i.e. seeds/)
    winnow clean PATHS...         clean files without touching the warehouse
    winnow sql "QUERY"            read-only SQL against the warehouse
    winnow export                 the corpus as Parquet
    winnow stats                  counts by language, extractor, rejection reason
    winnow report                 the warehouse as one self-contained HTML page
    winnow serve                  the ingest flow on a schedule (Prefect serve)

Every command takes --db and --config after its name (env: WINNOW_DB, WINNOW_CONFIG).
User errors print one line to stderr and exit with status 2; no traceback.
"""

from __future__ import annotations

import contextlib
import csv
import io
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

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts say "[input] paths": brackets are literal, not markup
    help="winnow: raw news and web files in, a clean deduplicated DuckDB corpus out.",
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)

DbOpt = typer.Option(None, "--db", envvar=ENV_DB, help="Warehouse file [default: warehouse/corpus.duckdb].")
ConfigOpt = typer.Option(None, "--config", envvar=ENV_CONFIG, help="Settings file [default: config/winnow.toml].")


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
    except (UserError, ConfigError, InputError, WarehouseError, ExportError) as e:
        prefix = "busy" if isinstance(e, WarehouseBusy) else "error"
        _fail(f"{prefix}: {e}")
        raise typer.Exit(2 if not isinstance(e, WarehouseBusy) else 3)
    except KeyboardInterrupt:
        _fail("interrupted")
        raise typer.Exit(130)
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
        _fail(f"internal error: {type(e).__name__}: {msg} (set WINNOW_DEBUG=1 for the traceback)")
        raise typer.Exit(1)


def _settings(config: Optional[Path], db: Optional[Path]) -> Settings:
    settings = load_settings(config)
    return settings.with_db(db) if db else settings


# ----------------------------------------------------------------- ingest

@app.command()
def ingest(
    paths: List[str] = typer.Argument(None, help="Files, folders (recursive) or globs [default: [input] paths]."),
    as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
    export: bool = typer.Option(True, "--export/--no-export", help="Export the corpus as Parquet after the run."),
    runner: Optional[str] = typer.Option(None, "--runner", help="Task runner: process, thread or dask [default: [flow] runner]."),
    dask_address: Optional[str] = typer.Option(None, "--dask-address", help="An existing Dask scheduler."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Worker processes, threads or Dask workers [default: [flow] workers, 0 = one per core]."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Prefect's logs."),
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Ingest raw files into the warehouse with the Prefect flow."""
    started = time.perf_counter()
    with _errors():
        import dataclasses

        settings = _settings(config, db)
        from winnow.settings import RUNNERS

        if runner is not None and runner not in RUNNERS:
            raise UserError(f"--runner must be one of {', '.join(RUNNERS)}, not {runner!r}")
        if workers is not None:
            if workers < 1:
                raise UserError("--workers must be >= 1")
            settings = dataclasses.replace(settings, flow=dataclasses.replace(settings.flow, workers=workers))
        inputs = list(paths) if paths else list(settings.input.paths)
        from winnow.discover import check_inputs

        check_inputs(inputs)  # a missing path is a one-line error before Prefect starts
        from winnow.storage.db import check_warehouse_path

        check_warehouse_path(Path(settings.warehouse.db))
        if export:
            from winnow.storage.export import check_target, protected_paths

            check_target(settings.warehouse.export_dir, protected_paths(settings))  # before any work
        from winnow.prefect_env import configure_prefect
        from winnow.storage.db import data_lock, run_lock

        # wait for another run here, before Prefect starts; the flow takes the same lock again
        with run_lock(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds):
            # and for a reader (`winnow sql`, `stats`, `export`) holding the file, as for a writer
            with data_lock(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds,
                           "cannot start the run"):
                pass
            configure_prefect(settings, verbose=verbose)
            if not as_json:
                err.print(f"winnow {__version__}: ingesting {', '.join(inputs)} into {settings.warehouse.db}"
                          " (starting Prefect...)", markup=False)
            from winnow import flow as wflow

            from winnow.progress import Progress, ProgressPrinter

            progress = Progress()
            progress.stage("starting Prefect")
            with ProgressPrinter(progress, stream=sys.stderr) if not as_json else contextlib.nullcontext():
                summary = wflow.run_ingest(inputs, settings, export=export, runner=runner,
                                           dask_address=dask_address, started=started, progress=progress)
        if as_json:
            print(json.dumps(summary, indent=2, default=str))
        else:
            _print_summary(summary, settings)


def _print_summary(s: dict, settings: Settings) -> None:
    f, d, dup, sec = s["files"], s["documents"], s["duplicates"], s["seconds"]
    t = Table(title=f"winnow run {s['run_id']} ({s['status']})", show_header=False, box=None, pad_edge=False)
    t.add_column(style="bold")
    t.add_column()
    t.add_row("files", f"{f['seen']} seen: {f['new']} new, {f['changed']} changed, "
                       f"{f['unchanged']} unchanged, {f['rejected']} rejected"
                       + (f"; {f['hidden']} hidden skipped" if f.get("hidden") else ""))
    if f["unchanged"] and not f["new"] and not f["changed"]:
        t.add_row("", "nothing new: unchanged files were skipped by sha256")
    w = s.get("warc") or {}
    if w.get("files"):
        skipped = sum(n for k, n in w.items() if k.startswith("skipped:"))
        t.add_row("warc", f"{w['files']} WARC files: {w.get('pages', 0)} HTML pages read, "
                          f"{w.get('rejected', 0)} records rejected, {skipped} other records skipped")
    t.add_row("documents", f"{d['new']} new kept; corpus now {d['corpus']} documents"
                           + (f"; {d['superseded']} superseded by changed files" if d["superseded"] else "")
                           + (f"; {d['same_content_other_name']} files had the content of a stored document"
                              if d["same_content_other_name"] else ""))
    t.add_row("duplicates", f"{dup['folded']} folded into {dup['clusters']} clusters "
                            f"({dup['exact']} exact, {dup['near']} near)")
    langs = ", ".join(f"{k} {v}" for k, v in s["languages"].items()) or "-"
    t.add_row("languages", langs + " (this run)")
    if s["rejections"]:
        t.add_row("rejected", ", ".join(f"{k} {v}" for k, v in s["rejections"].items())
                  + "  (see: winnow stats, or the rejected_files table)")
    if s.get("export"):
        t.add_row("export", f"{s['export']['rows']} rows -> {s['export']['path']}")
    if s.get("report"):
        t.add_row("report", s["report"]["path"])
    t.add_row("warehouse", str(settings.warehouse.db))
    t.add_row("seconds", f"{sec['total']:.1f} total: {sec['prefect_startup']:.1f} Prefect start-up, "
                         f"{sec['work']:.1f} work")
    out.print(t)


# ----------------------------------------------------------------- clean

class CleanFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


@app.command()
def clean(
    paths: List[str] = typer.Argument(..., help="Files, folders or globs to clean."),
    fmt: CleanFormat = typer.Option(CleanFormat.text, "--format", "-f", help="text, json or jsonl."),
    explain: bool = typer.Option(False, "--explain", help="List every removed line and why."),
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Clean files (discover, read, clean, language) without touching the warehouse."""
    with _errors():
        from winnow.discover import discover
        from winnow.pipeline import Pipeline
        from winnow.records import Rejection

        settings = _settings(config, db)
        found = discover(paths, follow_symlinks=settings.input.follow_symlinks)
        pipeline = Pipeline(settings, documents=False)  # read, clean, filter, language: no warehouse
        records = [_rejection_record(r) for r in found.rejections]
        for item in pipeline.stream(found.candidates):
            records.append(_rejection_record(item) if isinstance(item, Rejection)
                           else _clean_record(item, explain, settings))
        _print_clean(records, fmt, explain)


def _rejection_record(r) -> dict:
    return {"path": r.path, "rejected": r.reason, "detail": r.detail, "sha256": r.sha256}


def _clean_record(doc, explain: bool, settings: Settings) -> dict:
    src = doc.source
    rec = {
        "path": src.path, "title": doc.title, "text": doc.text, "language": doc.language,
        "language_prob": doc.language_prob, "author": doc.author, "date": doc.date, "url": doc.url,
        "type": src.type, "encoding": src.encoding, "extractor": doc.extractor, "sha256": src.sha256,
    }
    if src.record_offset is not None:  # a page from a WARC file
        rec["warc_record"] = {"offset": src.record_offset, "id": src.record_id, "target_uri": src.target_uri,
                              "date": src.warc_date}
    if explain:
        rec["removed"] = [{"line": r.line_no, "reason": r.reason, "score": r.score, "text": r.text}
                          for r in doc.removed]
        from winnow.filters import explain as explain_filters

        rec["filters"] = explain_filters(doc, settings)
    return rec


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


@app.command()
def sql(
    query: str = typer.Argument(..., help="SQL to run (read-only)."),
    fmt: SqlFormat = typer.Option(SqlFormat.table, "--format", "-f", help="table, csv or json."),
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Run read-only SQL against the warehouse (tables: documents, source_files, ...; views: corpus, ...)."""
    with _errors():
        import duckdb

        from winnow.storage.db import QueryLimits, open_read

        settings = _settings(config, db)
        limits = QueryLimits(settings.sql.memory_limit_mb, settings.sql.timeout_seconds)
        with open_read(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds, safe=True,
                       limits=limits) as con:
            try:
                cur = con.execute(query)
                columns = [d[0] for d in cur.description] if cur.description else []
                rows = cur.fetchall() if columns else []
            except duckdb.Error as e:
                msg = str(e).splitlines()[0]
                low = msg.lower()
                if any(w in low for w in ("read-only", "read only", "permission", "disabled", "locked")):
                    raise UserError(f"refused: `winnow sql` is read-only and cannot reach files or extensions ({msg})")
                raise UserError(f"SQL error: {msg}")
        _print_rows(columns, rows, fmt)


def _print_rows(columns: list[str], rows: list[tuple], fmt: SqlFormat) -> None:
    if fmt is SqlFormat.json:
        print(json.dumps([dict(zip(columns, r)) for r in rows], ensure_ascii=False, indent=2, default=str))
    elif fmt is SqlFormat.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)
        sys.stdout.write(buf.getvalue())
    else:
        t = Table(*columns, show_lines=False)
        for r in rows:
            t.add_row(*("NULL" if v is None else str(v) for v in r))
        out.print(t)
        out.print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", style="dim")


# ----------------------------------------------------------------- export

@app.command()
def export(
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Output folder [default: [warehouse] export_dir]."),
    partition_by: Optional[str] = typer.Option(None, "--partition-by", help="language, source_type or extractor."),
    fmt: str = typer.Option("parquet", "--format", "-f", help="parquet, or jsonl (gzip shards of [export] jsonl_shard_mb)."),
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Export the corpus (with provenance columns) as Parquet (zstd) or JSON Lines (gzip), with a dataset card."""
    with _errors():
        from winnow.storage.db import open_read
        from winnow.storage.export import check_target, export_corpus, protected_paths

        settings = _settings(config, db)
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
        kind = "Parquet" if fmt == "parquet" else "JSON Lines"
        out.print(f"exported {res.rows} documents to {res.path} ({res.files} {kind} file{'s' if res.files != 1 else ''}"
                  " + README.md, dataset_info.json)", markup=False)


# ----------------------------------------------------------------- stats

STATS_QUERIES = {
    "corpus by language": "SELECT language, count(*) AS documents, sum(word_count) AS words FROM corpus GROUP BY ALL ORDER BY documents DESC, language",
    "corpus by extractor": "SELECT extractor, source_type, count(*) AS documents FROM corpus GROUP BY ALL ORDER BY documents DESC, extractor",
    "rejected files by reason": "SELECT reason, count(DISTINCT path) AS files FROM rejected_files GROUP BY ALL ORDER BY files DESC, reason",
    "duplicate clusters": "SELECT count(DISTINCT cluster_id) AS clusters, count(*) AS documents, count(*) FILTER (WHERE NOT is_representative) AS folded, count(*) FILTER (WHERE match = 'exact') AS exact, count(*) FILTER (WHERE match = 'near') AS near FROM duplicates",
    "runs": "SELECT status, count(*) AS runs, max(started_at) AS last_started FROM runs GROUP BY ALL ORDER BY status",
}


@app.command()
def stats(
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Counts by language, extractor, rejection reason; duplicate clusters; runs."""
    with _errors():
        from winnow.storage.db import open_read

        settings = _settings(config, db)
        results = {}
        with open_read(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds) as con:
            results["total"] = {
                "corpus_documents": con.execute("SELECT count(*) FROM corpus").fetchone()[0],
                "documents_stored": con.execute("SELECT count(*) FROM documents").fetchone()[0],
                "source_files": con.execute("SELECT count(*) FROM source_files").fetchone()[0],
            }
            for title, q in STATS_QUERIES.items():
                cur = con.execute(q)
                cols = [d[0] for d in cur.description]
                results[title] = [dict(zip(cols, r)) for r in cur.fetchall()]
        if as_json:
            print(json.dumps(results, indent=2, default=str))
            return
        tot = results.pop("total")
        out.print(f"corpus: {tot['corpus_documents']} documents "
                  f"({tot['documents_stored']} stored, {tot['source_files']} source file versions)", markup=False)
        for title, rows in results.items():
            t = Table(title=title, title_justify="left")
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
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Write the warehouse as one self-contained HTML page (charts, reasons, duplicates, runs, documents)."""
    with _errors():
        from winnow.report import report_warehouse

        settings = _settings(config, db)
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
    db: Optional[Path] = DbOpt,
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Run the ingest flow on a schedule with Prefect (starts a local Prefect server if needed)."""
    with _errors():
        from winnow.serve import ServeError, serve_ingest
        from winnow.storage.db import check_warehouse_path

        settings = _settings(config, db)
        folder = inbox or settings.schedule.inbox
        if not Path(folder).is_dir():
            raise UserError(f"the inbox is not a folder: {folder}")
        if interval is not None and interval <= 0:
            raise UserError("--interval must be > 0")
        check_warehouse_path(Path(settings.warehouse.db))
        use_cron = cron if cron is not None else (settings.schedule.cron if interval is None else "")
        use_interval = interval if interval is not None else settings.schedule.interval_seconds
        try:
            serve_ingest(settings, str(config) if config else None, folder, None if use_cron else use_interval,
                         use_cron or None, say=lambda m: print(f"winnow: {m}", file=sys.stderr, flush=True))
        except ServeError as e:
            raise UserError(str(e))


def main() -> None:
    import logging

    # trafilatura and friends warn about every page they discard: that is what rejected_files is for
    if not os.environ.get("WINNOW_DEBUG"):
        for name in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "justext"):
            logging.getLogger(name).setLevel(logging.ERROR)
    app()


if __name__ == "__main__":
    main()
