"""A blog's front page: several dated posts, one under the other, are the page's content.

A front page shows its latest posts in full, each under a date line of its own ("Wednesday,
December 13. 2006", "December 26, 2006"), then its title and paragraphs, often a "Posted by ... |
Comments (5)" footer. The line model, trained mostly on single articles, keeps the first post (or
none) and drops the others as a second article would be. The posts are found by their date
lines: a run of at least ``min_posts`` date lines, each followed by a post of prose (whole
sentences, not cut off, in the page's language) before the next date line. The lines of those posts
that no rule removed and that match no chrome pattern are kept. A list of other stories with a date
and a teaser each ("More news") has no whole posts under its dates, and a comment thread's stamps
carry a time, so neither is taken for posts.
"""

from __future__ import annotations

from statistics import median

import numpy as np

from winnow.clean.text import params
from winnow.clean.text.features import NAMES, PageFeatures

_COL = {name: i for i, name in enumerate(NAMES)}


def date_lines(pf: PageFeatures, words: np.ndarray, end: int) -> list[int]:
    """Lines above ``end`` that are a date and little else (no time of day: a comment's stamp has one)."""
    cfg = params.POSTS
    X = pf.X
    ok = (X[:end, _COL["has_date"]] == 1) & (X[:end, _COL["has_time"]] == 0) & (words[:end] <= cfg["date_max_words"])
    ok &= words[:end] > 0
    return [int(i) for i in np.flatnonzero(ok)]


def _prose_words(pf: PageFeatures, words: np.ndarray, lo: int, hi: int) -> float:
    cfg = params.POSTS
    X = pf.X
    total = 0.0
    for i in range(lo, hi):
        if words[i] < cfg["prose_min_words"] or X[i, _COL["ends_ellipsis"]] or pf.categories[i]:
            continue
        if not X[i, _COL["ends_sentence"]]:
            continue
        if pf.stoplist and X[i, _COL["stop_density"]] < cfg["min_stop_density"]:
            continue
        total += float(words[i])
    return total


def post_spans(pf: PageFeatures, words: np.ndarray, end: int) -> list[tuple[int, int]]:
    """(first, end) line spans of the posts of a front page, from each post's date line; [] when the page
    is not one."""
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
    return posts


def keep_posts(pf: PageFeatures, words: np.ndarray, body: np.ndarray, reasons: list, end: int) -> np.ndarray:
    """Keep the posts of a front page (above ``end``: the reader comments, if any, start there); returns
    the lines kept."""
    kept = np.zeros(len(body), dtype=bool)
    for a, b in post_spans(pf, words, end):
        for i in range(a, b):
            if words[i] > 0 and reasons[i] is None and not pf.categories[i]:
                kept[i] = True
    body |= kept
    return kept
