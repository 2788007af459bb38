"""Title, byline and date: found around the start of the body, kept as metadata."""

from __future__ import annotations

import re
from typing import Optional

import numpy as np

from winnow.clean.text import patterns
from winnow.clean.text.features import NAMES, PageFeatures
from winnow.clean.text.lines import Line
from winnow.clean.text.params import TITLE
from winnow.vocab import languages

_IMAGE = re.compile(patterns.IMAGE_PREFIX, re.I)
_DATE = re.compile(patterns.DATE, re.I)
_TIME = re.compile(patterns.TIME, re.I)
_BYLINE = re.compile(patterns.BYLINE_PREFIX, re.I)
_UPDATED = re.compile(patterns.UPDATED, re.I)
_SPLIT = re.compile(r"\s*(?:\||•|·|–|—|,|;|/|\bon\b|\ble\b|\bam\b|\bel\b)\s*", re.I)
_NAME_WORD = re.compile(r"^[^\W\d_][\w.'’\-]*$")
_MONTH = languages.month_numbers()  # name or abbreviation -> 1..12, every language
_CALENDAR = languages.weekday_names() | set(_MONTH)


def iso_date(s: str) -> Optional[str]:
    """The first date in ``s`` as YYYY-MM-DD, or the matched text when it cannot be read."""
    m = _DATE.search(s or "")
    if not m:
        return None
    raw = m.group(0)
    parts = re.findall(r"\d+|[^\W\d_]+", raw.lower())
    nums = [int(p) for p in parts if p.isdigit()]
    words = [p for p in parts if not p.isdigit() and p not in ("st", "nd", "rd", "th", "er")]
    y = mo = d = None
    if words:
        mo = _MONTH.get(words[0]) or _MONTH.get(words[0][:3])
        if len(nums) >= 2:
            y = max(nums, key=lambda v: v > 31)
            d = nums[0] if nums[0] != y else nums[1]
    elif len(nums) == 3:
        if nums[0] > 31:
            y, mo, d = nums
        else:
            d, mo, y = nums
            if mo > 12 and d <= 12:
                d, mo = mo, d
    if y is not None and y < 100:
        y += 2000
    if y and mo and d and 1 <= mo <= 12 and 1 <= d <= 31 and 1900 <= y <= 2100:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return raw


def strip_image_prefix(text: str) -> str:
    """'Putin.9.Thmb.jpg Putin set to ...' -> 'Putin set to ...'."""
    return _IMAGE.sub("", text, count=1)


def find_title(lines: list[Line], pf: PageFeatures, body: np.ndarray) -> Optional[int]:
    """Index of the title line: headline-like, close above the body, sharing its words."""
    n = len(lines)
    if n == 0:
        return None
    kept = np.flatnonzero(body)
    if not len(kept):
        return None  # no body, no title (the last line of a page is not a headline for nothing)
    first = int(kept[0])
    lead: set = set()
    for i in kept[: TITLE["lead_paragraphs"]]:
        lead |= pf.content[i]
    X = pf.X
    words = X[:, NAMES.index("words")]
    ends = X[:, NAMES.index("ends_sentence")]
    best, best_score = None, TITLE["min_score"]
    lo = max(0, first - TITLE["max_lines_above"])
    for j in range(lo, min(first + 1, n)):
        text = strip_image_prefix(lines[j].text)
        w = words[j]
        if w < TITLE["min_words"] or w > TITLE["max_words"] or len(text) > TITLE["max_chars"]:
            continue
        if w > TITLE["long_words"] and ends[j]:  # a sentence that long is a paragraph (a lead shown twice), not a headline
            continue
        if body[j] and not (j == first and ends[j] == 0 and w <= TITLE["max_words_in_body"] and len(kept) > 1):
            continue
        bad = set(pf.categories[j]) & set(TITLE["excluded_categories"])
        if bad == {"caption"} and text != lines[j].text:  # only the glued image name made it a caption
            bad = set()
        if bad == {"ticker"} and X[j, NAMES.index("ticker_seps")] == 0:  # "BREAKING: <headline>"
            bad = set()
        if X[j, NAMES.index("has_date")] and w <= TITLE["date_line_words"]:  # "Nov. 18, 2019 7:04 pm ET"
            continue
        if bad or X[j, NAMES.index("byline_prefix")] or X[j, NAMES.index("updated_prefix")] or X[j, NAMES.index("has_url")]:
            continue
        c = pf.content[j]
        overlap = len(c & lead) / max(len(c), TITLE["overlap_min_words"]) if c else 0.0
        score = (
            TITLE["w_overlap"] * overlap
            - TITLE["w_distance"] * (first - j)
            + TITLE["w_length"] * min(w, 12) / 12
            - TITLE["w_short"] * float(w < TITLE["short_words"])
            - TITLE["w_long"] * max(0.0, w - TITLE["long_words"]) / 10
            - TITLE["w_sentence_end"] * float(text.rstrip("\"'”’»)").endswith("."))
            - TITLE["w_marker"] * float(bool(lines[j].marker))
            - TITLE["w_in_body"] * float(bool(body[j]))
        )
        if score > best_score:
            best, best_score = j, score
    return best


def find_byline(lines: list[Line], pf: PageFeatures, title: Optional[int], first_body: int) -> list[tuple[int, Optional[str], Optional[str]]]:
    """(index, author, date) of byline/date lines between the title and the body's start."""
    out = []
    n = len(lines)
    start = title + 1 if title is not None else max(0, first_body - 6)
    stop = min(n, first_body + 2)
    for j in range(start, stop):
        t = lines[j].text
        w = pf.X[j, NAMES.index("words")]
        if w > 16:
            continue
        has_date = bool(_DATE.search(t))
        prefix = bool(_BYLINE.match(t))
        updated = bool(_UPDATED.match(t))
        if not (has_date or prefix or updated):
            continue
        if j >= first_body and not (prefix or (has_date and w <= 10)):
            continue
        author = None
        if not updated:
            s = _BYLINE.sub("", t, count=1)
            head = _SPLIT.split(s, maxsplit=1)[0].strip(" :")
            head = _DATE.sub("", head)
            head = _TIME.sub("", head).strip(" ,:-")
            ws = head.split()
            named = 1 <= len(ws) <= 5 and all(_NAME_WORD.match(x) for x in ws)
            dated = all(x.casefold().strip(".,") in _CALENDAR for x in ws)  # "Tuesday", "Mon." is a date
            if named and not dated and (prefix or any(x[:1].isupper() for x in ws)):
                author = head
        out.append((j, author, iso_date(t) if has_date else None))
    return out
