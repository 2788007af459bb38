"""winnow from Python (a notebook, a script): ingest, clean, and read the warehouse.

    from winnow import api

    summary = api.ingest(["seeds"], db="warehouse/corpus.duckdb")   # the Prefect flow, as `winnow ingest`
    table = api.query("SELECT language, count(*) AS n FROM corpus GROUP BY 1")   # a pyarrow Table
    with api.connect() as con:                                      # read-only, closed at the block's end
        con.execute("SELECT title FROM corpus LIMIT 3").fetchall()
    records = api.clean(["seeds/000_6854359e01b304fc.txt"])         # as `winnow clean --format json`

Why connections close themselves: DuckDB lets one process write a database file and refuses
every other process meanwhile, even one that only reads. A notebook that keeps
``duckdb.connect("warehouse/corpus.duckdb", read_only=True)`` open makes every ingest fail with
"busy". ``connect()`` and ``query()`` hold the file only while they run, and take winnow's
lock, so they wait for a run's batch instead of breaking it; the Parquet export
(``warehouse/export/``) can be read at any time by anything.

Arguments ``config`` and ``db`` work as ``--config`` and ``--db`` do on the command line.
In a script (not a notebook), call ``ingest`` under ``if __name__ == "__main__":``: the process
runner's workers import the main module again, as with any Python multiprocessing.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Optional, Sequence

from winnow.settings import Settings, load_settings

if TYPE_CHECKING:
    import duckdb
    import pyarrow

PathLike = str | os.PathLike


def settings(config: Optional[PathLike] = None, db: Optional[PathLike] = None) -> Settings:
    """The settings `winnow` would use: ``config`` (or config/winnow.toml), with ``db`` if given."""
    s = load_settings(config)
    return s.with_db(db) if db is not None else s


def ingest(paths: Optional[Sequence[PathLike]] = None, *, config: Optional[PathLike] = None,
           db: Optional[PathLike] = None, export: bool = True) -> dict:
    """Run the Prefect ingest flow in this process; the run summary (as ``winnow ingest --json``)."""
    from winnow.discover import check_inputs
    from winnow.prefect_env import configure_prefect
    from winnow.storage.db import check_warehouse_path, run_lock

    s = settings(config, db)
    inputs = [str(p) for p in paths] if paths else list(s.input.paths)
    check_inputs(inputs)
    check_warehouse_path(Path(s.warehouse.db))
    configure_prefect(s)  # before Prefect is imported
    from winnow.flow import run_ingest

    with run_lock(Path(s.warehouse.db), s.warehouse.lock_timeout_seconds):
        return run_ingest(inputs, s, export=export)


def clean(paths: Sequence[PathLike], *, config: Optional[PathLike] = None, explain: bool = False) -> list[dict]:
    """Clean files without a warehouse: one dict per file (a document, or ``rejected`` with the reason)."""
    from winnow.discover import discover
    from winnow.pipeline import Pipeline
    from winnow.records import Rejection

    s = settings(config)
    found = discover([str(p) for p in paths], follow_symlinks=s.input.follow_symlinks)
    pipeline = Pipeline(s, documents=False)
    records = [rejection_record(r) for r in found.rejections]
    for item in pipeline.stream(found.candidates):
        records.append(rejection_record(item) if isinstance(item, Rejection) else document_record(item, explain, s))
    return records


@contextlib.contextmanager
def connect(*, config: Optional[PathLike] = None, db: Optional[PathLike] = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only DuckDB connection to the warehouse, closed when the ``with`` block ends."""
    from winnow.storage.db import open_read

    s = settings(config, db)
    with open_read(Path(s.warehouse.db), s.warehouse.lock_timeout_seconds) as con:
        yield con


def query(sql: str, params: Optional[Sequence] = None, *, config: Optional[PathLike] = None,
          db: Optional[PathLike] = None) -> pyarrow.Table:
    """Run one query and return its rows as a pyarrow Table (``.to_pandas()`` with pandas installed);
    the warehouse is open only while the query runs."""
    with connect(config=config, db=db) as con:
        rel = con.cursor().sql(sql, params=list(params) if params else None)
        # DuckDB 2 names it to_arrow_table; 1.x arrow()
        return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()


def rejection_record(r) -> dict:
    return {"path": r.path, "rejected": r.reason, "detail": r.detail, "sha256": r.sha256}


def document_record(doc, explain: bool = False, settings: Optional[Settings] = None) -> dict:
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
        if settings is not None:
            from winnow.filters import explain as explain_filters

            rec["filters"] = explain_filters(doc, settings)
    return rec
