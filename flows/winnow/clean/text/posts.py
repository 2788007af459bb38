"""A blog's front page: several dated posts, one under the other, are the page's content.

A front page shows its latest posts in full, each under a date line of its own ("Wednesday,
December 13. 2006", "December 26, 2006"), then its title and paragraphs, often a "Posted by ... |
Comments (5)" footer. The line model, trained mostly on single articles, keeps the first post (or
none) and drops the others as a second article would be. The posts are found by their date
lines: a run of at least ``min_posts`` date lines in order (newest first, or oldest first), each
followed by a post of prose (whole sentences, not cut off, in the page's language) before the next
date line (a sidebar's lists of other stories' dates has dates with nothing under them), and the
posts alike in size (an article over a few dated excerpts of other stories is one big "post" and
small ones); a post ends with its last paragraph. The lines of those posts
that no rule removed and that match no chrome pattern are kept. A list of other stories with a date
and a teaser each ("More news") has no whole posts under its dates, and a comment thread's stamps
carry a time, so neither is taken for posts.
"""

from __future__ import annotations

from statistics import median

import numpy as np

from winnow.clean.text import params
from winnow.clean.text.features import NAMES, PageFeatures
from winnow.clean.text.metadata import iso_date

_COL = {name: i for i, name in enumerate(NAMES)}


def date_lines(pf: PageFeatures, words: np.ndarray, end: int) -> list[int]:
    """Lines above ``end`` that are a date and little else (no time of day: a comment's stamp has one)."""
    cfg = params.POSTS
    X = pf.X
    ok = (X[:end, _COL["has_date"]] == 1) & (X[:end, _COL["has_time"]] == 0) & (words[:end] <= cfg["date_max_words"])
    ok &= words[:end] > 0
    return [int(i) for i in np.flatnonzero(ok)]


def _prose(pf: PageFeatures, words: np.ndarray, i: int) -> bool:
    """A line of whole sentences in the page's language, not cut off, matching no chrome pattern."""
    cfg = params.POSTS
    X = pf.X
    if words[i] < cfg["prose_min_words"] or X[i, _COL["ends_ellipsis"]] or pf.categories[i]:
        return False
    if not X[i, _COL["ends_sentence"]]:
        return False
    return not (pf.stoplist and X[i, _COL["stop_density"]] < cfg["min_stop_density"])


def _prose_words(pf: PageFeatures, words: np.ndarray, lo: int, hi: int) -> float:
    return float(sum(words[i] for i in range(lo, hi) if _prose(pf, words, i)))


def _in_order(days: list[str]) -> bool:
    """A front page lists its posts newest first (or, rarely, oldest first): dates that jump back and forth
    are a sidebar's list of other stories."""
    if any(len(d) != 10 for d in days):  # a date that could not be read
        return False
    return days == sorted(days) or days == sorted(days, reverse=True)


def post_spans(texts: list[str], pf: PageFeatures, words: np.ndarray, end: int) -> list[tuple[int, int]]:
    """(first, end) line spans of the posts of a front page, from each post's date line to its last
    paragraph; [] when the page is not one. ``texts``: the lines' text."""
    cfg = params.POSTS
    dates = date_lines(pf, words, end)
    dates = [d for k, d in enumerate(dates) if k == 0 or d - dates[k - 1] > 1]  # "Monday" over "May 3": one date
    if len(dates) < cfg["min_posts"]:
        return []
    spans = list(zip(dates, dates[1:]))
    last = dates[-1] + int(median(b - a for a, b in spans))
    spans.append((dates[-1], min(end, last)))
    posts = [(a, b) for a, b in spans if _prose_words(pf, words, a + 1, b) >= cfg["post_min_words"]]
    if len(posts) < cfg["min_posts"] or len(posts) < cfg["min_post_share"] * len(spans):
        return []
    if not _in_order([iso_date(texts[a]) or "" for a, _ in posts]):
        return []
    # posts alike in size: an article over a few dated excerpts of other stories is one big "post" and
    # small ones
    sizes = sorted(_prose_words(pf, words, a + 1, b) for a, b in posts)
    if sizes[len(sizes) // 2] < cfg["min_size_ratio"] * sizes[-1]:
        return []
    # a post ends with its last paragraph (the links and boxes under it are not the post)
    return [(a, max(i for i in range(a + 1, b) if _prose(pf, words, i)) + 1) for a, b in posts]


def keep_posts(texts: list[str], pf: PageFeatures, words: np.ndarray, body: np.ndarray, reasons: list,
               end: int) -> np.ndarray:
    """Keep the posts of a front page (above ``end``: the reader comments, if any, start there); returns
    the lines kept."""
    kept = np.zeros(len(body), dtype=bool)
    for a, b in post_spans(texts, pf, words, end):
        for i in range(a, b):
            if words[i] > 0 and reasons[i] is None and not pf.categories[i]:
                kept[i] = True
    body |= kept
    return kept
