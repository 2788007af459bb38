"""`winnow report`: the warehouse as one self-contained HTML page.

    queries.py   the SQL in warehouse/report/, run on a read-only connection
    charts.py    Altair (Vega-Lite) charts rendered to SVG by vl-convert
    page.py      the page (Jinja2 template page.html.j2, document browser browser.js)
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from winnow.report.page import render_to
from winnow.report.queries import gather
from winnow.settings import Settings
from winnow.storage.db import open_read


@dataclass
class ReportResult:
    path: str
    bytes: int
    seconds: float
    documents: int
    words: int
    languages: int
    sites: int
    rejected_files: int
    folded_duplicates: int

    def summary_line(self) -> str:
        return (f"{self.documents} documents, {self.words} words, {self.languages} languages, {self.sites} sites, "
                f"{self.rejected_files} files rejected, {self.folded_duplicates} duplicates folded")


def write_report(con, out: str | os.PathLike, *, warehouse: str, largest_clusters: int = 10,
                 browser_documents: int = 5000) -> ReportResult:
    """Write the report of the warehouse open on ``con`` to ``out`` (atomically: a reader never
    sees half a page)."""
    started = time.perf_counter()
    data = gather(con, largest_clusters=largest_clusters, browser_documents=browser_documents)
    target = Path(out).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:  # written as it is made
            render_to(fh, data, warehouse=warehouse)
        size = tmp.stat().st_size
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    g = data.glance
    return ReportResult(str(target), size, round(time.perf_counter() - started, 3), g["documents"], g["words"],
                        g["languages"], g["sites"], g["rejected_files"], g["folded_duplicates"])


def report_warehouse(settings: Settings, out: str | os.PathLike | None = None, con=None) -> ReportResult:
    """Write the report of the settings' warehouse (default: ``settings.report_path``), read through
    ``con`` (a connection to it that is open already: the run's own, after its last write; the
    report's temporary views and tables live on a cursor of it, closed with the report) or else a
    read-only connection opened for it."""
    if con is not None:
        with con.cursor() as cur:
            return _report(settings, out, cur)
    with open_read(Path(settings.warehouse.db), settings.warehouse.lock_timeout_seconds,
                   memory_mb=settings.warehouse.memory_limit_mb) as con:
        return _report(settings, out, con)


def _report(settings: Settings, out: str | os.PathLike | None, con) -> ReportResult:
    return write_report(con, out or settings.report_path, warehouse=str(settings.warehouse.db),
                        largest_clusters=settings.report.largest_clusters,
                        browser_documents=settings.report.browser_documents)
