"""Export: the corpus view as a Parquet dataset (zstd) or gzipped JSON Lines shards, with its
provenance columns, and a dataset card beside the data (``storage/card.py``).

An export never deletes or renames anything winnow did not write, and a reader
never sees a half-written or missing export:

- Each export is written to a new version folder ``<parent>/.<name>.versions/<id>/``
  that carries winnow's mark (a ``.winnow-export`` file, written first).
- ``<out>`` itself is a symbolic link to the current version. The new version
  replaces the old one with a single ``rename(2)`` of a new link over the old:
  at every instant ``<out>`` is either the old export or the new one.
- The previous version is kept until the next export, and any version replaced less
  than ``REPLACED_GRACE_SECONDS`` ago (its folder's mtime is set when it is replaced)
  is kept too, so a reader that resolved the link just before a swap can finish
  reading however many exports follow meanwhile; older versions, and versions left
  half-written by a killed export that long ago, are deleted. The versions folder carries
  the mark too, and inside it only entries named as winnow names them are ever deleted.

A target that exists and is not such a link (a file, a folder with anything in it,
a link elsewhere) is refused with ``ExportError``, except an export written by
winnow before versioned exports (a folder holding nothing but the Parquet files
winnow's ``COPY`` writes), which is taken over once. An empty folder is replaced.
A target that is, or contains, the warehouse, the settings file or the working
folder is refused whatever it holds.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from filelock import FileLock

from winnow.storage.queries import named

# The Parquet export's query (warehouse/queries/export.sql), unpartitioned or by each column allowed.
PARQUET_EXPORTS = {
    None: named("export_parquet"),
    "language": named("export_parquet_by_language"),
    "source_type": named("export_parquet_by_source_type"),
    "extractor": named("export_parquet_by_extractor"),
}
FORMATS = ("parquet", "jsonl")
DATA_FILES = {"parquet": "*.parquet", "jsonl": "*.jsonl.gz"}
PARTITIONS = tuple(p for p in PARQUET_EXPORTS if p)
MARK = ".winnow-export"  # inside every version folder winnow writes
KEEP_PREVIOUS = True  # keep the version replaced by the last swap (readers that started before it)
# A version replaced (or left half-written) less than this long ago is not deleted: a reader that
# resolved the link before a swap has this long to finish, even when exports follow each other.
REPLACED_GRACE_SECONDS = 120.0


class ExportError(RuntimeError):
    """The export target cannot be used (one-line message)."""


@dataclass
class ExportResult:
    path: str
    rows: int
    files: int
    version: str = ""
    format: str = "parquet"


def versions_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.versions"


def _marked(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and (folder / MARK).is_file()


# Names winnow gives the entries of its versions folder: only these are ever deleted there.
_OWN_NAME = re.compile(r"^(\d{8}T\d{6}-\d{9}-[0-9a-f]{6}|legacy-[0-9a-f]{8}|\.trash-.+|\.lock)$")


def _foreign_versions(out: Path) -> None:
    """Refuse when something not made by winnow has the versions folder's name: a file, a link, or a
    folder holding entries winnow never names so (checked before a run, and again when exporting)."""
    versions = versions_dir(out)
    if not os.path.lexists(versions) or _marked(versions):
        return
    if (versions.is_symlink() or not versions.is_dir()
            or any(not _OWN_NAME.match(e.name) for e in versions.iterdir())):
        raise ExportError(f"refusing to export to {out}: {versions} exists and was not made by winnow")


def _own_versions(out: Path) -> Path:
    """The versions folder, created with winnow's mark; refused when someone else's folder has its name."""
    _foreign_versions(out)
    versions = versions_dir(out)
    versions.mkdir(exist_ok=True)
    if not (versions / MARK).is_file():
        (versions / MARK).write_text(json.dumps({"written_by": "winnow", "kind": "export versions"}) + "\n")
    return versions


def _link_version(out: Path) -> Path | None:
    """The version folder ``out`` links to, if ``out`` is winnow's link to a marked version."""
    if not out.is_symlink():
        return None
    target = os.readlink(out)
    versions = versions_dir(out)
    candidate = (out.parent / target) if not os.path.isabs(target) else Path(target)
    if candidate.parent != versions or not _marked(candidate):
        return None
    return candidate


_LEGACY_FILE = re.compile(r"^(corpus|data_\d+)\.parquet$")
_LEGACY_PARTITION = re.compile(r"^(%s)=[^/]*$" % "|".join(PARTITIONS))


def _legacy_export(out: Path) -> bool:
    """A folder holding only what an older winnow's COPY wrote: corpus.parquet, or partition folders."""
    entries = list(out.iterdir())
    if [e.name for e in entries] == ["corpus.parquet"]:
        return entries[0].is_file() and not entries[0].is_symlink()
    if not entries:
        return False
    for e in entries:
        if e.is_symlink() or not e.is_dir() or not _LEGACY_PARTITION.match(e.name):
            return False
        files = list(e.iterdir())
        if not files or not all(f.is_file() and not f.is_symlink() and _LEGACY_FILE.match(f.name) for f in files):
            return False
    return True


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
        return True
    except ValueError:
        return False


def protected_paths(settings) -> list[str]:
    """What an export folder must never contain: the warehouse and the settings file."""
    return [settings.warehouse.db] + ([settings.source] if Path(settings.source).is_file() else [])


def check_target(out_dir: str | Path, protected: Iterable[str | Path] = ()) -> Path:
    """Refuse, with one line, a target winnow may not replace; return its absolute path.

    ``protected`` are paths (the warehouse, the settings file) an export must never contain.
    """
    if str(out_dir).strip() == "":
        raise ExportError("the export folder is empty: name a folder (--out DIR or [warehouse] export_dir)")
    out = Path(os.path.abspath(out_dir))
    real = Path(os.path.realpath(out))
    for p in [Path.cwd(), *protected]:
        rp = Path(os.path.realpath(p))
        if _inside(rp, real) or _inside(rp, out):
            raise ExportError(f"refusing to export to {out}: it contains {rp}")
    _foreign_versions(out)  # before any work, not when the export starts after loading
    if out.is_symlink():
        if _link_version(out) is None:
            raise ExportError(f"refusing to export to {out}: it is a link winnow did not make")
        return out
    if not out.exists():
        return out
    if not out.is_dir():
        raise ExportError(f"refusing to export to {out}: a file of that name exists (winnow replaces only its own exports)")
    if any(out.iterdir()) and not _legacy_export(out):
        raise ExportError(f"refusing to export to {out}: the folder is not empty and was not written by winnow")
    return out


def _new_version(versions: Path) -> Path:
    versions.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{time.time_ns() % 10**9:09d}-{secrets.token_hex(3)}"
    folder = versions / name
    folder.mkdir()
    (folder / MARK).write_text(json.dumps({"written_by": "winnow", "kind": "corpus export"}) + "\n", encoding="utf-8")
    return folder


def _swap(out: Path, version: Path) -> None:
    """Point ``out`` at ``version`` with one rename(2) of a new link over the old one."""
    link = out.parent / f".{out.name}.link-{secrets.token_hex(4)}"
    os.symlink(os.path.relpath(version, out.parent), link)
    try:
        if out.is_symlink() or not out.exists():
            os.replace(link, out)
            return
        # a real folder: empty, or an export of an older winnow; moved into the versions, then replaced
        if any(out.iterdir()):
            legacy = versions_dir(out) / f"legacy-{secrets.token_hex(4)}"
            (out / MARK).write_text(json.dumps({"written_by": "winnow", "kind": "older export"}) + "\n")
            os.rename(out, legacy)
        else:
            out.rmdir()
        os.replace(link, out)
    except BaseException:
        if link.is_symlink():
            link.unlink()
        raise


def _drop_stale_links(out: Path) -> None:
    """Remove the new-link symlinks of exports killed between making the link and the swap
    (``.<name>.link-<hex>``, a name only ``_swap`` makes; a symlink, never what it points to)."""
    for link in out.parent.glob(f".{glob.escape(out.name)}.link-*"):
        if link.is_symlink() and re.fullmatch(r"[0-9a-f]{8}", link.name.rsplit(".link-", 1)[1]):
            link.unlink(missing_ok=True)


def _mark_replaced(version: Path | None) -> None:
    """Record when ``version`` stopped being the export: its folder's mtime (its files are untouched)."""
    if version is not None:
        try:
            os.utime(version)
        except OSError:
            pass  # gone already: nothing to keep


def _recent(v: Path, now: float) -> bool:
    try:
        return now - v.stat().st_mtime < REPLACED_GRACE_SECONDS
    except OSError:
        return False


def _prune(out: Path, keep: set[Path]) -> None:
    """Delete winnow's versions not in ``keep`` and not replaced within ``REPLACED_GRACE_SECONDS``
    (older exports, half-written ones of killed exports).

    Each is first renamed to ``.trash-<name>`` (one rename), so a kill mid-delete leaves
    an entry the next export still recognises as its own; nothing of another name is touched.
    """
    now = time.time()
    for v in versions_dir(out).iterdir():
        if v in keep or v.name in (MARK, ".lock") or not _OWN_NAME.match(v.name) or v.is_symlink():
            continue
        if not v.name.startswith(".trash-") and _recent(v, now):
            continue
        trash = v if v.name.startswith(".trash-") else v.with_name(f".trash-{v.name}")
        if trash != v:
            os.rename(v, trash)
        if trash.is_dir():
            shutil.rmtree(trash, ignore_errors=True)
        else:
            trash.unlink(missing_ok=True)


def export_corpus(con, out_dir: str | Path, partition_by: str | None = None,
                  protected: Iterable[str | Path] = (), *, fmt: str = "parquet", settings=None) -> ExportResult:
    """Export the corpus to ``out_dir``; with ``settings``, the dataset card is written beside the data."""
    if fmt not in FORMATS:
        raise ValueError(f"cannot export as {fmt!r} (parquet or jsonl)")
    if partition_by and partition_by not in PARTITIONS:
        raise ValueError(f"cannot partition by {partition_by!r} (language, source_type or extractor)")
    if partition_by and fmt != "parquet":
        raise ValueError("only a Parquet export can be partitioned")
    out = check_target(out_dir, protected)
    out.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(_own_versions(out) / ".lock")):  # two exports to one folder take turns
        return _export_locked(con, out, partition_by, fmt, settings)


def _export_locked(con, out: Path, partition_by: str | None, fmt: str, settings) -> ExportResult:
    out = check_target(out)  # again, under the lock
    previous = _link_version(out)
    version = _new_version(versions_dir(out))
    if fmt == "jsonl":
        shard_mb = settings.export.jsonl_shard_mb if settings is not None else 256.0
        rows = write_jsonl(con, version, int(shard_mb * 1024 * 1024))
    elif partition_by:
        rows = con.execute(PARQUET_EXPORTS[partition_by], [str(version / "data")]).fetchone()[0]
        for part in (version / "data").iterdir():  # COPY wants a fresh folder: move the partitions up
            os.rename(part, version / part.name)
        (version / "data").rmdir()
    else:
        rows = con.execute(PARQUET_EXPORTS[None], [str(version / "corpus.parquet")]).fetchone()[0]
    files = sorted(p.relative_to(version).as_posix() for p in version.rglob(DATA_FILES[fmt]))
    if settings is not None:
        from winnow.storage.card import write_card

        write_card(con, version, settings, data_format=fmt, files=files)
    _fsync_tree(version)
    _swap(out, version)
    _mark_replaced(previous)
    _prune(out, {version, previous} if KEEP_PREVIOUS and previous else {version})
    _drop_stale_links(out)
    return ExportResult(str(out), rows, len(files), version.name, fmt)


def _witnesses(con) -> list[str]:
    """For each column of the corpus, the first doc_id where it is not NULL (export.sql says why)."""
    return sorted({d for d in con.execute(named("export_witnesses")).fetchone() if d is not None})


def write_jsonl(con, folder: Path, shard_bytes: int) -> int:
    """The corpus as ``corpus-NNNNN.jsonl.gz`` shards of at most ``shard_bytes`` of JSON text each
    (a shard holds at least one row, and the first one every witness row); gzip without a
    timestamp, so the same corpus gives the same bytes."""
    witnesses = _witnesses(con)
    cur = con.execute(named("export_jsonl_rows"), [witnesses])
    rows, shard, size, fh = 0, 0, 0, None
    try:
        while batch := cur.fetchmany(1000):
            for (line,) in batch:
                data = line.encode("utf-8") + b"\n"
                if fh is None or (size and size + len(data) > shard_bytes and rows >= len(witnesses)):
                    if fh is not None:
                        fh.close()
                    fh = gzip.GzipFile(folder / f"corpus-{shard:05d}.jsonl.gz", "wb", mtime=0)
                    shard, size = shard + 1, 0
                fh.write(data)
                size += len(data)
                rows += 1
    finally:
        if fh is not None:
            fh.close()
    if fh is None:  # an empty corpus is one empty shard, so the export still loads
        gzip.GzipFile(folder / "corpus-00000.jsonl.gz", "wb", mtime=0).close()
    return rows


def _fsync_tree(folder: Path) -> None:
    """Flush the new version to disk before the link points at it (a power cut keeps a whole export)."""
    for path in [*folder.rglob("*"), folder]:
        flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
        fd = os.open(path, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
