"""Split a text dump into lines, and the normalised key of a line.

A dump is read line by line: each non-blank line is one candidate paragraph.
The list marker a renderer put in front of an item (``*``, ``+``, ``o``, ``•``,
``»`` ...) and the indentation are taken off the text but kept as facts about
the line; blank lines are kept only as "is there a gap before/after". A dump
hard-wrapped at a fixed width (``lynx -dump``, ``w3m -dump``, e-mail) first has
its wrapped paragraphs re-joined into one line each, so every renderer's
paragraph is one candidate line; Markdown links and bold marks
(html2text-style dumps) are reduced to their text, images dropped. A line holding table
cells side by side (a run of three or more spaces between them) is cut into
one line per cell.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from winnow.clean.text import patterns
from winnow.clean.text.params import COLUMNS, WRAP

_MARKER = re.compile(patterns.LIST_MARKER)
_WS = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[^\w]+")
# Markdown inline syntax (html2text-style dumps): [text](target "title"), ![alt](src), **bold**
_MD_LINK = re.compile(r"!?\[([^\[\]\n]{0,500})\]\((?:[^()\s]|\([^()\s]*\)){0,2000}(?:\s+\"[^\"\n]{0,1000}\")?\)")
_MD_IMAGE = re.compile(r"!\[[^\[\]\n]{0,500}\]\((?:[^()\s]|\([^()\s]*\)){0,2000}(?:\s+\"[^\"\n]{0,1000}\")?\)")
# a link whose title goes on past the end of its line (html2text keeps the title's line breaks), and the line
# that closes it
_OPEN_TITLE = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\)){0,2000}\s+\"[^\"\n]*$")
_TITLE_CLOSE = re.compile(r"^[^\"]*\"\)")
_TITLE_MAX_LINES = 8
_LINK_TITLE = re.compile(r"(\]\((?:[^()\s]|\([^()\s]*\)){0,2000}?)\s+\"[^\"\n]{0,2000}\"\)")
_MD_BOLD = re.compile(r"\*\*(?=\S)([^*\n]{1,2000}?)(?<=\S)\s*\*\*")  # html2text: "**Jane Doe **"
# _emphasis_ and *emphasis* (html2text writes <em> as _..._): the marks hug words at both ends; an
# identifier's underscores (snake_case, __init__) and a bullet's "* " are not emphasis; no mark inside (linear time)
_MD_EMPHASIS = re.compile(r"(?<![\w*])([_*])(?=[^\s_*])([^\n_*]{1,1000}?)(?<=[^\s_*])\1(?![\w*])")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+.!-])")  # html2text escapes: \( \_ \. ...
_GAP = re.compile(r"(?<=\S)[ \t]{3,}(?=\S)")  # a column gap between table cells
_DATE = re.compile(patterns.DATE, re.I)
_TIME = re.compile(patterns.TIME, re.I)
_SENTENCE_END = re.compile(r"[.!?:;…\"'”’)\]]$")
_CELL = re.compile(r"\S+(?:[ \t]{1,2}\S+)*")  # a cell: words at most two spaces apart
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

MAX_LINE_CHARS = 200_000  # longer lines are cut for feature computation only


@dataclass
class Line:
    no: int  # 1-based line number in the input
    text: str  # stripped, marker removed, inner whitespace collapsed
    marker: str  # the list marker that was taken off ("" if none)
    indent: int  # leading whitespace columns (not used by the model: renderers differ)
    blank_before: bool
    blank_after: bool
    link_share: float = 0.0  # share of the line's text that was Markdown link text ("[Home](/)": 1.0)
    _key: str | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> str:
        """``line_key(text)``, computed once: the cleaner and the corpus evidence of the same lines
        both need it (it was computed twice per line of every text dump)."""
        if self._key is None:
            self._key = line_key(self.text)
        return self._key


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


def markdown_inline(text: str) -> str:
    """Markdown links reduced to their text, images dropped (alt text is not shown on a page), ``**bold**``,
    ``_emphasis_`` and ``*emphasis*`` to their words, ``\\(`` escapes to the character (a link target is
    not prose)."""
    text = _MD_LINK.sub(r"\1", _MD_IMAGE.sub("", text))  # an image's alt text is not on the page
    return _MD_ESCAPE.sub(r"\1", _MD_EMPHASIS.sub(r"\2", _MD_BOLD.sub(r"\1", text)))


def wrap_width(raw: list[str]) -> int:
    """The column a hard-wrapped dump was wrapped at (``lynx -dump``, e-mail), or 0 if it was not.

    A wrapped dump has no multi-word line longer than some width W between 40 and
    200 columns and many lines that end just short of it; an unwrapped dump's
    longest lines are its long paragraphs, of all lengths, and only one or two end
    near the longest.
    """
    lengths = sorted((len(r.rstrip()) for r in raw if " " in r.strip()), reverse=True)
    if len(lengths) < WRAP["min_lines"]:
        return 0
    allowed = int(WRAP["max_longer_share"] * len(lengths))
    for k in range(min(allowed + 1, len(lengths))):
        w = lengths[k]
        if w < WRAP["min_width"]:
            return 0
        if w > WRAP["max_width"]:
            continue
        near = sum(1 for n in lengths[k:] if n >= w - WRAP["near_columns"])
        if near >= max(WRAP["min_lines"], WRAP["min_near_share"] * sum(1 for n in lengths if n >= w // 2)):
            return w
        if near >= WRAP["min_lines"] and _broken_sentences(raw, w) >= WRAP["min_broken"]:
            return w  # a short wrapped article among many menu lines: its cut sentences give it away
    return 0


def _broken_sentences(raw: list[str], w: int) -> int:
    """Lines ending just short of ``w`` in the middle of a sentence (no closing punctuation) whose next line
    goes on in lower case (not a list item: "o Tablets"): what hard-wrapping does to a paragraph, and an unwrapped dump's long lines
    (whole paragraphs, ending a sentence) do not show."""
    count = 0
    for a, b in zip(raw[:-1], raw[1:]):
        a, b = a.rstrip(), b.strip()
        if w - WRAP["near_columns"] <= len(a) <= w and b[:1].islower() and not _MARKER.match(b) \
                and not _SENTENCE_END.search(a):
            count += 1
    return count


def _continues(prev: str, nxt: str, width: int) -> bool:
    """Was ``nxt`` pushed onto its own line by the wrapping of ``prev``? (its first word did not fit)."""
    p, s = prev.rstrip(), nxt.strip()
    if not p or not s or _MARKER.match(s):
        return False
    indent_p = len(prev) - len(prev.lstrip())
    indent_n = len(nxt) - len(nxt.lstrip())
    if indent_n > indent_p + 2 or indent_n + 6 < indent_p:  # a hanging indent under a bullet is fine
        return False
    first = s.split(maxsplit=1)[0]
    return len(p) + 1 + len(first) > width - WRAP["slack"]


def _joins(raw: list[str], width: int) -> int:
    """How many lines of ``raw`` continue the one above at wrap width ``width``."""
    return sum(1 for a, b in zip(raw, raw[1:]) if a.strip() and _continues(a, b, width))


def unwrap(raw: list[str]) -> list[tuple[int, str]]:
    """(1-based number of its first line, text) of each line of ``raw`` once wrapped paragraphs are re-joined.

    A no-op on a dump that was not hard-wrapped (``wrap_width`` is 0). Joined
    pieces are separated by one space, or by nothing between two CJK characters.
    """
    width, seen = wrap_width(raw), raw
    if any("](" in r for r in raw):  # a Markdown dump: wrapped with its link targets (html2text's own
        shown = [markdown_inline(r) if "](" in r else r for r in raw]  # wrapping) or as shown (a <pre>'s
        w = wrap_width(shown)  # lines, targets added after): the width that explains more line breaks
        if w and _joins(shown, w) > (_joins(raw, width) if width else 0):
            width, seen = w, shown
    out: list[tuple[int, str]] = []
    prev = None
    for i, (r, v) in enumerate(zip(raw, seen), 1):
        if width and prev is not None and out and _continues(prev, v, width):
            no, t = out[-1]
            s = r.strip()
            sep = "" if (_CJK.match(t[-1:]) and _CJK.match(s[:1])) else " "
            out[-1] = (no, t.rstrip() + sep + s)
        else:
            out.append((i, r))
        prev = v if v.strip() else None
    return out


def _cells(lines: list[tuple[int, str]]):
    """Each line cut at column gaps: a table layout rendered as text puts a menu and an article paragraph
    side by side on one line, separated by a run of spaces; each cell is a line of its own. Side by side
    columns of a layout are then read one after the other (``_reading_order``), as a browser's reader
    and html2text do: the article column is not interleaved with the sidebar beside it."""
    rows = [(no, [(m.start(), m.group(0)) for m in _CELL.finditer(r)] if _GAP.search(r.strip()) else None, r)
            for no, r in lines]
    for no, cells, r in _reading_order(rows):
        if cells is None:
            yield no, r
            continue
        (start, first), rest = cells[0], cells[1:]
        yield no, " " * start + first
        for _, part in rest:
            yield no, part


def _reading_order(rows):
    """Rows of a layout table (side by side columns) column by column: the cells of the left column first,
    then those of the next, each column in its own order. A column starts where cells start, far from the margin, on at
    least two lines, one of them after a gap (deep indentation alone is no column); a table's region runs from its first to its last line with a cell in a right column
    (and on over the lines padded to the table's width, as inscriptis pads them). A data table, whose rows
    fill every column, keeps its rows (few of its lines have one column only), and so does a forum's
    table of posters beside their dated posts."""
    cfg = COLUMNS
    starts = Counter(c[0] for _, cells, _ in rows if cells for c in cells if c[0] >= cfg["min_column"])
    starts.update(len(r) - len(r.lstrip()) for _, cells, r in rows
                  if cells is None and r.strip() and len(r) - len(r.lstrip()) >= cfg["min_column"])
    after_gap = {c[0] for _, cells, _ in rows if cells for c in cells[1:]}  # deep indentation alone is no column
    bounds: list[int] = []
    for b in sorted(b for b, k in starts.items() if k >= cfg["min_lines"] and b in after_gap):
        if not bounds or b - bounds[-1] >= cfg["min_width"]:  # a few columns further in: indentation
            bounds.append(b)
    if not bounds:
        return rows
    def column(start: int) -> int:
        return sum(1 for b in bounds if start >= b - cfg["slack"])
    def padded(row) -> bool:  # a line of a table inscriptis padded to the table's width
        r = row[2]
        return len(r) > bounds[0] and len(r) - len(r.rstrip()) >= cfg["min_padding"]
    def right(row) -> bool:
        no, cells, r = row
        if cells:
            return any(column(c[0]) > 0 for c in cells)
        # a cell alone on its line is in a right column only in a padded table row (indentation is no column)
        return bool(r.strip()) and padded(row) and column(len(r) - len(r.lstrip())) > 0
    out, i, n = [], 0, len(rows)
    while i < n:
        if not right(rows[i]):
            out.append(rows[i])
            i += 1
            continue
        last = end = i
        j = i + 1
        while j < n and (j - last <= cfg["max_gap"] or padded(rows[j])):
            if right(rows[j]):
                last = end = j
            elif padded(rows[j]) and end == j - 1:
                end = j
            j += 1
        out += _by_column(rows[i : end + 1], column, right, cfg)
        i = end + 1
    return out


def _prose_beside_menu(region, column, cfg) -> bool:
    """Is one column of the region running text (several cells of a sentence's length) and another a menu
    (cells of a few words)? A layout's article beside its navigation, even when every row fills both (a
    dump that lost its indentation, where a cell alone on its line no longer shows its column)."""
    sizes: dict[int, list[int]] = {}
    for _, cells, _ in region:
        for start, text in cells or ():
            sizes.setdefault(column(start), []).append(len(text.split()))
    if len(sizes) < 2:
        return False
    prose = any(sum(1 for n in v if n >= cfg["prose_words"]) >= cfg["min_prose_cells"] for v in sizes.values())
    menu = any(sorted(v)[len(v) // 2] <= cfg["menu_words"] for v in sizes.values())
    return prose and menu


def _by_column(region, column, right, cfg):
    """The region's cells, column by column (a layout), or its rows as they are (a data table)."""
    filled = [row for row in region if row[2].strip()]
    both = sum(1 for _, cells, _ in filled if cells and len({column(c[0]) for c in cells}) > 1)
    if len(filled) < cfg["min_region_lines"] or not both:
        return region
    if both > cfg["max_full_rows"] * len(filled) and not _prose_beside_menu(region, column, cfg):
        return region
    stamps = sum(1 for _, _, r in filled if _DATE.search(r) and _TIME.search(r))
    if stamps >= cfg["max_stamps"]:  # a forum's or comment thread's table: each row a poster beside a post
        return region
    by: dict[int, list] = {}
    for no, cells, r in region:
        if cells is None:
            k = column(len(r) - len(r.lstrip())) if right((no, cells, r)) else 0
            by.setdefault(k, []).append((no, None, r))
            continue
        for start, text in cells:
            by.setdefault(column(start), []).append((no, [(start, text)], text))
    return [row for k in sorted(by) for row in by[k]]


def _join_link_breaks(raw: list[str]) -> list[str]:
    """html2text breaks a link inside its text ("[Mike Bossy's goal  " / "](http://...)"): the line that
    starts with the rest of the link is put back at the end of the one above (its own place left blank)."""
    for i in range(1, len(raw)):
        if raw[i].lstrip().startswith("](") and raw[i - 1].strip():
            raw[i - 1] = raw[i - 1].rstrip() + raw[i].strip()
            raw[i] = ""
    return raw


def _drop_link_titles(raw: list[str]) -> list[str]:
    """A Markdown link's title (``[Ad Texts](/ad-texts/ "How hard can it be ...")``) is a tooltip, not text
    on the page: it is dropped before lines are split. html2text writes the title attribute as it is, line
    breaks and space runs included, so a title left in place read as prose lines of its own, or as table
    cells at its space runs. A title running past its line is joined up to the line that closes it (at most
    ``_TITLE_MAX_LINES`` lines; those lines are left blank)."""
    i = 0
    while i < len(raw):
        if '"' not in raw[i] or "](" not in raw[i]:
            i += 1
            continue
        if _OPEN_TITLE.search(raw[i]):
            for j in range(i + 1, min(len(raw), i + 1 + _TITLE_MAX_LINES)):
                if '"' in raw[j]:
                    if _TITLE_CLOSE.match(raw[j]):
                        raw[i] = raw[i].rstrip() + " " + " ".join(r.strip() for r in raw[i + 1 : j + 1])
                        for k in range(i + 1, j + 1):
                            raw[k] = ""
                    break
        raw[i] = _LINK_TITLE.sub(r"\1)", raw[i])
        i += 1
    return raw


def _link_text_chars(line: str) -> int:
    return sum(len(m.group(1).strip()) for m in _MD_LINK.finditer(_MD_IMAGE.sub("", line)))


def split_lines(text: str) -> list[Line]:
    """Non-blank lines of ``text`` with their structural facts (hard-wrapped paragraphs re-joined)."""
    raw = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if "](" in (text or ""):
        raw = _drop_link_titles(_join_link_breaks(raw))
    out: list[Line] = []
    blank_run = True  # start of input counts as a gap
    for i, r in _cells(unwrap(raw)):
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
        linked = _link_text_chars(stripped) if "](" in stripped else 0
        if "](" in stripped or "*" in stripped or "_" in stripped or "\\" in stripped:
            stripped = markdown_inline(stripped)
        body = _WS.sub(" ", stripped).strip()
        if not body:
            if out:
                out[-1].blank_after = True
            blank_run = True
            continue
        out.append(Line(i, body, marker, indent, blank_run, False, min(1.0, linked / len(body))))
        blank_run = False
    if out:
        out[-1].blank_after = True
    return out
