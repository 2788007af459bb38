"""Split a text dump into lines, and the normalised key of a line.

A dump is read line by line: each non-blank line is one candidate paragraph.
The list marker a renderer put in front of an item (``*``, ``+``, ``o``, ``•``,
``»`` ...) and the indentation are taken off the text but kept as facts about
the line; blank lines are kept only as "is there a gap before/after".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from winnow.clean.text import patterns

_MARKER = re.compile(patterns.LIST_MARKER)
_WS = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[^\w]+")

MAX_LINE_CHARS = 200_000  # longer lines are cut for feature computation only


@dataclass
class Line:
    no: int  # 1-based line number in the input
    text: str  # stripped, marker removed, inner whitespace collapsed
    marker: str  # the list marker that was taken off ("" if none)
    indent: int  # leading whitespace columns (not used by the model: renderers differ)
    blank_before: bool
    blank_after: bool


def line_key(line: str) -> str:
    """Normalised form of a line, the key under which corpus evidence is counted.

    NFKC, case-folded, list marker dropped, digits collapsed to ``0`` (dates and
    counters change, the chrome does not), punctuation and whitespace collapsed
    to single spaces, cut at 200 characters. Pure and deterministic.
    """
    s = unicodedata.normalize("NFKC", line or "")
    s = _MARKER.sub("", s.strip(), count=1)
    s = s.casefold()
    s = _DIGITS.sub("0", s)
    s = _NON_WORD.sub(" ", s).strip()
    return s[:200]


def split_lines(text: str) -> list[Line]:
    """Non-blank lines of ``text`` with their structural facts."""
    raw = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[Line] = []
    blank_run = True  # start of input counts as a gap
    for i, r in enumerate(raw, 1):
        s = r  # control characters stay: a paragraph is always a substring of its line
        stripped = s.strip()
        if not stripped or not any(ch.isprintable() and not ch.isspace() for ch in stripped[:64] or " "):
            if out:
                out[-1].blank_after = True
            blank_run = True
            continue
        indent = len(s) - len(s.lstrip())
        m = _MARKER.match(stripped)
        marker = ""
        if m and m.end() < len(stripped):
            marker = m.group(0).strip()
            stripped = stripped[m.end():]
        body = _WS.sub(" ", stripped).strip()
        if not body:
            if out:
                out[-1].blank_after = True
            blank_run = True
            continue
        out.append(Line(i, body, marker, indent, blank_run, False))
        blank_run = False
    if out:
        out[-1].blank_after = True
    return out
