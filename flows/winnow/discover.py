"""Discover: expand the user's paths (files, folders, globs) into input files.

Folders are walked recursively in sorted order; hidden files and folders (a name
starting with ".") are skipped. A symbolic link is followed only when its target
stays inside the input folder it was found in; a link leaving it is recorded as
rejected, never read. A path that does not exist is a user error (``InputError``),
not a rejection: nothing was given that could be recorded.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from winnow.records import Rejection

_GLOB_CHARS = set("*?[")


class InputError(ValueError):
    """An input path the user gave cannot be used (one-line message)."""


@dataclass(frozen=True)
class Candidate:
    """A file to read: its path (absolute, links not resolved) and the root it was found under."""

    path: str
    root: str


@dataclass
class Discovery:
    candidates: list[Candidate]
    rejections: list[Rejection]


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _walk(root: Path, follow_symlinks: bool) -> tuple[list[Candidate], list[Rejection]]:
    real_root = root.resolve()
    found: list[Candidate] = []
    rejected: list[Rejection] = []
    seen_dirs: set[Path] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        real = folder.resolve()
        if real in seen_dirs:  # a link loop
            continue
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except OSError as e:
            rejected.append(Rejection(str(folder), "unreadable", f"cannot list folder: {e.strerror}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            p = Path(entry.path)
            if entry.is_symlink():
                target = p.resolve()
                if not _inside(target, real_root):
                    rejected.append(
                        Rejection(str(p), "symlink_outside_root", f"link to {target} leaves {root}; not followed")
                    )
                    continue
                if not follow_symlinks:
                    rejected.append(Rejection(str(p), "symlink", "symbolic links are not followed (input.follow_symlinks)"))
                    continue
                if not target.exists():
                    rejected.append(Rejection(str(p), "broken_symlink", f"link target {target} does not exist"))
                    continue
            try:
                if entry.is_dir():
                    stack.append(p)
                elif entry.is_file():
                    found.append(Candidate(str(p), str(root)))
                else:
                    rejected.append(Rejection(str(p), "not_a_file", "not a regular file (device, fifo or socket)"))
            except OSError as e:
                rejected.append(Rejection(str(p), "unreadable", e.strerror or str(e)))
    found.sort(key=lambda c: c.path)
    return found, rejected


def _expand(raw: str | os.PathLike) -> list[Path]:
    """One input as absolute paths: a glob's matches, or the path itself. Raises InputError."""
    text = os.fspath(raw)
    if _GLOB_CHARS & set(text) and not Path(text).exists():
        matches = sorted(glob.glob(text, recursive=True))
        if not matches:
            raise InputError(f"no files match {text!r}")
        return [Path(m).absolute() for m in matches]
    p = Path(text).absolute()
    if not p.exists() and not p.is_symlink():
        raise InputError(f"no such file or directory: {text}")
    return [p]


def check_inputs(inputs: Iterable[str | os.PathLike]) -> None:
    """Raise InputError for a missing path or an empty glob, without walking any folder."""
    for raw in inputs:
        _expand(raw)


def discover(inputs: Iterable[str | os.PathLike], follow_symlinks: bool = True) -> Discovery:
    """Expand files, folders (recursively) and glob patterns into candidate files."""
    candidates: list[Candidate] = []
    rejections: list[Rejection] = []
    for raw in inputs:
        for p in _expand(raw):
            if p.is_dir():
                c, r = _walk(p, follow_symlinks)
                candidates += c
                rejections += r
            elif p.is_file():
                candidates.append(Candidate(str(p), str(p.parent)))
            elif p.is_symlink():
                rejections.append(Rejection(str(p), "broken_symlink", "link target does not exist"))
            else:
                rejections.append(Rejection(str(p), "not_a_file", "not a regular file"))
    unique: dict[str, Candidate] = {}
    for c in candidates:
        unique.setdefault(c.path, c)
    seen_rejected: dict[str, Rejection] = {}
    for r in rejections:
        seen_rejected.setdefault(r.path, r)
    return Discovery(sorted(unique.values(), key=lambda c: c.path), list(seen_rejected.values()))
