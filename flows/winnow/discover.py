"""Discover: expand the user's paths (files, folders, globs) into input files, and open them safely.

Folders are walked recursively in sorted order; hidden files and folders (a name
starting with ".") are skipped and counted. Every candidate carries the *root* it
must stay inside: the resolved input folder it was found in, the folder part of a
glob before its first wildcard, or, for a file named directly, the resolved file
itself. A symbolic link is followed only when its target stays inside that root;
a link leaving it is recorded as rejected, never read; a link loop is rejected
(``symlink_loop``). A link named directly on the command line is followed: the user
named it, and its target becomes the root.

``open_checked`` repeats the check at open time, so a file swapped after discovery
(for a link leaving the root, a FIFO, a device) is refused, never read or waited on:
it opens without blocking and without following a final link when links are off,
``fstat``s the open file (regular files only) and resolves the opened file's real
path (``/proc/self/fd``) against the root.

A path that does not exist is a user error (``InputError``), not a rejection:
nothing was given that could be recorded.
"""

from __future__ import annotations

import errno
import glob
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from winnow.records import Rejection

_GLOB_CHARS = set("*?[")


class InputError(ValueError):
    """An input path the user gave cannot be used (one-line message)."""


@dataclass(frozen=True)
class Candidate:
    """A file to read: its path (absolute, links not resolved) and the root it must stay inside."""

    path: str
    root: str


@dataclass
class Discovery:
    candidates: list[Candidate]
    rejections: list[Rejection]
    hidden: int = 0  # hidden files and folders skipped (names starting with ".")


@dataclass
class _Found:
    candidates: list[Candidate] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    hidden: int = 0


def _real(path: str | os.PathLike) -> str | None:
    """The fully resolved path, or None for a link loop."""
    try:
        return os.path.realpath(path, strict=True)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return None
        return os.path.realpath(path)  # a dangling link: where it points


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _check_link(p: Path, root: str, follow_symlinks: bool) -> Rejection | None:
    """A link met while walking or globbing: None when it may be followed."""
    target = _real(p)
    if target is None:
        return Rejection(str(p), "symlink_loop", "symbolic link loop; not followed")
    if not _inside(target, root):
        return Rejection(str(p), "symlink_outside_root", f"link to {target} leaves {root}; not followed")
    if not follow_symlinks:
        return Rejection(str(p), "symlink", "symbolic links are not followed (input.follow_symlinks)")
    if not os.path.exists(target):
        return Rejection(str(p), "broken_symlink", f"link target {target} does not exist")
    return None


def _add(found: _Found, p: Path, root: str, follow_symlinks: bool, stack: list[Path]) -> None:
    """One entry of a folder or a glob: a candidate, a folder to walk, or a rejection."""
    try:
        if p.is_symlink():
            refused = _check_link(p, root, follow_symlinks)
            if refused:
                found.rejections.append(refused)
                return
        if p.is_dir():
            stack.append(p)
        elif p.is_file():
            found.candidates.append(Candidate(str(p), root))
        else:
            found.rejections.append(Rejection(str(p), "not_a_file", "not a regular file (device, fifo or socket)"))
    except OSError as e:
        found.rejections.append(Rejection(str(p), "unreadable", e.strerror or str(e)))


def _walk(found: _Found, folders: list[Path], root: str, follow_symlinks: bool) -> None:
    seen_dirs: set[str] = set()
    stack = list(reversed(folders))
    while stack:
        folder = stack.pop()
        real = _real(folder)
        if real is None or real in seen_dirs:  # a link loop through folders
            continue
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except OSError as e:
            found.rejections.append(Rejection(str(folder), "unreadable", f"cannot list folder: {e.strerror}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                found.hidden += 1
                continue
            _add(found, Path(entry.path), root, follow_symlinks, stack)


def _glob_base(pattern: str) -> Path:
    """The folder part of a glob before its first wildcard: the root of what it matches."""
    parts = Path(pattern).absolute().parts
    fixed = []
    for part in parts:
        if _GLOB_CHARS & set(part):
            break
        fixed.append(part)
    return Path(*fixed)


def _is_glob(text: str) -> bool:
    return bool(_GLOB_CHARS & set(text)) and not os.path.lexists(text)


def _expand(raw: str | os.PathLike) -> list[Path]:
    """One input as absolute paths: a glob's matches, or the path itself. Raises InputError."""
    text = os.fspath(raw)
    if _is_glob(text):
        matches = sorted(glob.glob(text, recursive=True))
        if not matches:
            raise InputError(f"no files match {text!r}")
        return [Path(m).absolute() for m in matches]
    p = Path(text).absolute()
    if not os.path.lexists(p):
        raise InputError(f"no such file or directory: {text}")
    return [p]


def check_inputs(inputs: Iterable[str | os.PathLike]) -> None:
    """Raise InputError for a missing path or an empty glob, without walking any folder."""
    for raw in inputs:
        _expand(raw)


def _named(found: _Found, p: Path, follow_symlinks: bool) -> None:
    """A path named directly: followed even when it is a link (its target becomes the root)."""
    real = _real(p)
    if real is None:
        found.rejections.append(Rejection(str(p), "symlink_loop", "symbolic link loop"))
    elif os.path.isdir(real):
        _walk(found, [p], real, follow_symlinks)
    elif os.path.isfile(real):
        found.candidates.append(Candidate(str(p), real))
    elif p.is_symlink():
        found.rejections.append(Rejection(str(p), "broken_symlink", "link target does not exist"))
    else:
        found.rejections.append(Rejection(str(p), "not_a_file", "not a regular file"))


def discover(inputs: Iterable[str | os.PathLike], follow_symlinks: bool = True) -> Discovery:
    """Expand files, folders (recursively) and glob patterns into candidate files."""
    found = _Found()
    for raw in inputs:
        text = os.fspath(raw)
        if not _is_glob(text):
            for p in _expand(text):
                _named(found, p, follow_symlinks)
            continue
        base = _glob_base(text)
        root = _real(base) or str(base)
        folders: list[Path] = []
        for p in _expand(text):
            real = _real(p)
            if real is not None and not p.is_symlink() and not _inside(real, root):  # "**" went through a link
                found.rejections.append(Rejection(str(p), "symlink_outside_root",
                                                  f"reached through a link; is {real}, outside {root}; not read"))
                continue
            _add(found, p, root, follow_symlinks, folders)
        _walk(found, folders, root, follow_symlinks)
    unique: dict[str, Candidate] = {}
    for c in found.candidates:
        unique.setdefault(c.path, c)
    seen_rejected: dict[str, Rejection] = {}
    for r in found.rejections:
        seen_rejected.setdefault(r.path, r)
    return Discovery(sorted(unique.values(), key=lambda c: c.path), list(seen_rejected.values()), found.hidden)


# ------------------------------------------------------------------ opening

class OpenRefused(Exception):
    """The file cannot be read safely; ``reason`` and ``detail`` become a Rejection."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


def _opened_path(fd: int, path: str, st: os.stat_result) -> str:
    """The real path of an open file: from /proc where there is one, else resolved and re-checked."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        real = os.path.realpath(path)
        other = os.stat(real)
        if (other.st_dev, other.st_ino) != (st.st_dev, st.st_ino):
            raise OpenRefused("vanished", "the file was replaced while being opened")
        return real


def open_checked(candidate: Candidate, follow_symlinks: bool = True) -> tuple[int, os.stat_result]:
    """Open a candidate for reading without blocking; refuse anything but a regular file inside its root.

    Returns the file descriptor (the caller closes it) and its ``fstat``; raises OpenRefused.
    """
    flags = _OPEN_FLAGS | (0 if follow_symlinks else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(candidate.path, flags)
    except FileNotFoundError:
        raise OpenRefused("vanished", "deleted between discovery and reading") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            if follow_symlinks or _real(candidate.path) is None:
                raise OpenRefused("symlink_loop", "symbolic link loop") from None
            raise OpenRefused("symlink", "became a symbolic link after discovery; links are not followed") from None
        raise OpenRefused("unreadable", e.strerror or str(e)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OpenRefused("not_a_file", "not a regular file when opened (fifo, device, socket or folder)")
        real = _opened_path(fd, candidate.path, st)
        # roots are resolved at discovery; a folder root given by hand may still hold links
        root = os.path.realpath(candidate.root) if os.path.isdir(candidate.root) else candidate.root
        if not _inside(real, root):
            raise OpenRefused("symlink_outside_root", f"opened file is {real}, outside {candidate.root}; not read")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, st
