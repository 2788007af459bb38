"""Export: the corpus view as a Parquet dataset (zstd), with its provenance columns.

Written to a temporary folder beside the target and renamed into place, so a
reader never sees a half-written export.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

EXPORT = "COPY (SELECT * FROM corpus ORDER BY doc_id) TO '{target}' (FORMAT parquet, COMPRESSION zstd{partition})"


@dataclass
class ExportResult:
    path: str
    rows: int
    files: int


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def export_corpus(con, out_dir: str | Path, partition_by: str | None = None) -> ExportResult:
    if partition_by and partition_by not in {"language", "source_type", "extractor"}:
        raise ValueError(f"cannot partition by {partition_by!r} (language, source_type or extractor)")
    out = Path(out_dir).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    if partition_by:
        sql = EXPORT.format(target=_quote(tmp), partition=f", PARTITION_BY ({partition_by})")
    else:
        sql = EXPORT.format(target=_quote(tmp / "corpus.parquet"), partition="")
    rows = con.execute(sql).fetchone()[0]  # COPY returns the number of rows written
    old = out.parent / f".{out.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    if old.exists():
        shutil.rmtree(old)
    files = sum(1 for _ in out.rglob("*.parquet"))
    return ExportResult(str(out), rows, files)
