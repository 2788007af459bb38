"""Reader comments under an article: where the thread starts, so nothing below it is body.

A comment thread has a shape an article does not: a run of short *stamp* lines, one per
comment, close together, each carrying a date and a time ("Posted by: Jane | Mar 26, 2007
2:00:18 PM", "Chris 07.15.12 at 11:59", "1. on 2012-10-09 at 9:00 am Olaf") or a commenter's
header ("Jane says:", "Jean a écrit :"). The thread starts at its first stamp, or at the
comment heading just above it ("14 comments", "16 Responses", "Comments", "Leave a reply";
per-language phrases in ``winnow.vocab.languages``). Everything from there down is comments,
a comment form or the page footer: not the article.

Only a confident act: at least ``min_stamps`` stamps, the thread below an article already
kept (``min_body_words_above``), dates and times together (a live blog's bare "10:05" is not a
comment stamp, nor a teaser's "2 hours ago"). A page that is all thread (a forum) has no
article above its first stamp, and is left alone.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from winnow.clean.text import patterns
from winnow.clean.text.features import NAMES, PageFeatures
from winnow.clean.text.lines import Line
from winnow.clean.text.params import COMMENTS
from winnow.vocab import languages

_COL = {name: i for i, name in enumerate(NAMES)}
# at most this many stamps at the top of a run are the page's own (a dateline, an "Updated" line, a
# commenter-like header quoted in the article) rather than comments' (_own_stamps)
MAX_OWN_STAMPS = 3
_VERB = re.compile(r"\b(?:" + languages.regex_alternation(languages.comment_verbs()) + r")\s*:\s*$", re.I)
_HEADING = re.compile(
    r"^[\[{(]?\s*(?:(?:\d+|no|one|two|three)\s+)?(?:" + languages.regex_alternation(languages.comment_headings())
    + r")\b", re.I)


_DATED = re.compile(patterns.DATE + "|" + patterns.AGO, re.I)
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_ENDS_SENTENCE = re.compile(r"[.!?。！？]\W*$")


def _distinct_names(lines: list[Line], chain, pf: PageFeatures) -> bool:
    """Loose stamps (a date without a time) are comments' when most carry a name of their own (the commenters;
    a blog's posts repeat theirs: "Posted on ... by admin") and most have a sentence under them (a list of
    other stories has a headline under, or over, each date)."""
    names = [_name_of(lines[i].text) for i in chain]
    ends = pf.X[:, _COL["ends_sentence"]]
    said = [bool(ends[a + 1 : b].any()) for a, b in zip(chain[:-1], chain[1:])]
    return (len(set(names)) >= COMMENTS["loose_distinct_share"] * len(names)
            and float(np.mean(said)) >= COMMENTS["min_said_share"])


_COUNT = re.compile(r"\b\d+\s+(?:" + languages.regex_alternation(languages.comment_headings()) + r")\b", re.I)
_PLAIN = frozenset(languages.plain_comment_headings())  # "Comments", "Kommentare": a heading on its own
_HEADING_LINE = re.compile(
    r"^[\[{(]?\s*(?:\d+\s+)?(?:" + languages.regex_alternation(languages.comment_headings())
    + r")\s*(?:\(\s*\d+\s*\))?\s*[:\]})]?\s*$", re.I)


def _strong_heading(text: str, words: float) -> bool:
    t = text.strip()
    alone = t.strip(" :[]{}()").casefold() in _PLAIN
    return words <= 6 and (words >= 2 or alone or any(c.isdigit() for c in t)) and bool(_HEADING_LINE.match(t))


def is_comment_heading(text: str, words: float) -> bool:
    """"Comments", "14 comments… read them below or add one", "16 Responses to “Title”", "Leave a Reply"."""
    return words <= COMMENTS["heading_max_words"] and bool(_HEADING.match(text.strip()))


def _name_of(text: str) -> str:
    """What a dated line says besides its date: "William Kirk - August 8, 2012" -> "william kirk"."""
    return " ".join(_LETTERS.findall(_DATED.sub(" ", text))).casefold()


def stamps(lines: list[Line], pf: PageFeatures, loose: bool = False) -> np.ndarray:
    """Indexes of the lines shaped like a comment's stamp: short, with a date and a time, or "Name says:".
    ``loose``: a date (or "11 days ago") without a time, and a name beside it ("William Kirk - August 8,
    2012", "Shubho, on November 8th, 2012"; ``loose_stamp_max_words`` words at most; a bare date is a
    post's date line), stamps only as a run whose names mostly differ (``_distinct_names``)."""
    X = pf.X
    words = X[:, _COL["words"]]
    dated = (X[:, _COL["has_date"]] == 1) & (X[:, _COL["has_time"]] == 1)
    if loose:
        dated = (((X[:, _COL["has_date"]] == 1) | (X[:, _COL["ago"]] == 1)) & (X[:, _COL["has_time"]] == 0)
                 & (words <= COMMENTS["loose_stamp_max_words"]))
        dated &= X[:, _COL["byline_prefix"]] == 0  # "by Jane Doe | August 9, 2012": a story's byline in a list
        # a name beside the date, and no sentence (a reference: "^ "Mozilla Manifesto". Retrieved 2012-03-21 .")
        s = np.array([i for i in np.flatnonzero(dated)
                      if not _ENDS_SENTENCE.search(lines[i].text) and _name_of(lines[i].text)], dtype=int)
        return s[np.concatenate([[True], np.diff(s) > 1])] if len(s) else s
    verb = np.array([bool(_VERB.search(ln.text[-40:])) for ln in lines], dtype=bool)
    s = np.flatnonzero((dated | verb) & (words <= COMMENTS["stamp_max_words"]))
    # a header of two lines ("Jane says:" over "January 4, 2010 at 8:33 am") is one stamp, its first line
    return s[np.concatenate([[True], np.diff(s) > 1])] if len(s) else s


def _thread_like(chain, words: np.ndarray) -> bool:
    """Stamps a comment apart, with the comment between them: not a table's rows (one under the other, or
    cells between them)."""
    cfg = COMMENTS
    if len(chain) < 2:
        return False
    gaps = np.diff(chain)
    said = [float(words[a + 1 : b].max(initial=0)) >= cfg["comment_min_words"] for a, b in zip(chain[:-1], chain[1:])]
    return float(np.median(gaps)) >= 2 and float(np.mean(said)) >= cfg["min_said_share"]


def _widget_chain(pf: PageFeatures, words: np.ndarray) -> tuple[list[int], int] | None:
    """The first run of at least ``min_widgets`` comment buttons ("Reply", "Report abuse") at most ``max_gap``
    lines apart with a comment between most of them, and how many lines a comment takes (the median between
    one comment's last button and the next one's first): (first buttons, comment lines), or None."""
    cfg = COMMENTS
    w = [i for i, c in enumerate(pf.categories) if "comment_widget" in c and words[i] <= cfg["widget_max_words"]]
    # buttons with no comment between them ("Reply to This", "Share", "Flag") are one comment's: groups
    groups: list[list[int]] = []
    for i in w:
        if groups and float(words[groups[-1][-1] + 1 : i].max(initial=0)) < cfg["comment_min_words"]:
            groups[-1].append(i)
        else:
            groups.append([i])
    chain: list[list[int]] = []
    for g in groups + [None]:
        if g is not None and (not chain or g[0] - chain[-1][-1] <= cfg["max_gap"]):
            chain.append(g)
            continue
        first = [c[0] for c in chain]
        if len(chain) >= cfg["min_widgets"] and _thread_like(first, words):
            return first, int(np.median([b[0] - a[-1] - 1 for a, b in zip(chain[:-1], chain[1:])]))
        chain = [g] if g is not None else []
    return None


def forum_span(lines: list[Line], pf: PageFeatures, body: np.ndarray) -> tuple[int, int] | None:
    """[start, end) of a forum thread that is the page's content: a run of at least ``min_stamps_alone``
    stamps with posts between them (``forum_max_gap`` lines apart at most), no article above it (fewer than
    ``min_body_words_above`` kept words) and no comment heading above it (a thread under a short post has
    one); from the line above the first stamp (the poster's name) to
    the post under the last one (as long as the median post). None when there is none."""
    cfg = COMMENTS
    s = stamps(lines, pf)
    words = pf.X[:, _COL["words"]]
    chains: list[list[int]] = [[]]
    for i in (int(x) for x in s):
        if chains[-1] and i - chains[-1][-1] > cfg["forum_max_gap"]:
            chains.append([])
        chains[-1].append(i)
    chain: list[int] = []
    for c in chains:
        gaps = np.diff(c)
        # the article's own dated byline above the first comment: the article between them
        if len(c) > 2 and gaps[0] > 2 * np.median(gaps[1:]) + 2:
            c = c[1:]
        if len(c) >= max(cfg["min_stamps_alone"], len(chain) + 1) and _thread_like(c, words):
            chain = c  # the longest thread-like run of stamps
    if not chain or float((words[: chain[0]] * body[: chain[0]]).sum()) >= cfg["min_body_words_above"]:
        return None
    prose = words * (pf.X[:, _COL["prose0"]] > 0.5)
    inside = float(prose[chain[0] : chain[-1] + 1].sum())
    if inside < cfg["forum_min_prose_share"] * float(prose.sum()):
        return None  # most of the page's prose lies elsewhere: an article the model missed, not a forum
    if max(float(prose[a:b].sum()) for a, b in zip(chain[:-1], chain[1:])) >= cfg["forum_max_post_share"] * inside:
        return None  # one "post" holds most of it: an article between dated lines, not a forum
    if _COUNT.search(lines[chain[0]].text):
        return None  # "Posted on May 3, 2012 at 6:15 AM • 9 Comments": a post's own date line, then its comments
    if any(is_comment_heading(lines[h].text, words[h]) for h in range(chain[0])):
        return None
    return max(chain[0] - 1, 0), min(chain[-1] + int(np.median(np.diff(chain))), len(lines))


def _own_stamps(chain: list[int], words: np.ndarray, kept_before: np.ndarray) -> int:
    """How many of a run's first stamps are the page's own, not comments': a stamp is when the stretch under
    it, down to the next stamp, holds more words than the article kept above it and is article-sized beside
    the stretches below (more lines than twice their median gap plus 2, or more words than
    ``first_comment_ratio`` times their median and ``first_comment_words``): the article's dated byline over
    the article, or a commenter-like header quoted inside it. At most ``MAX_OWN_STAMPS``; the thread, if
    any, starts under the last of them."""
    cfg = COMMENTS
    gaps = np.diff(chain)
    said = np.array([float(words[a + 1 : b].sum()) for a, b in zip(chain[:-1], chain[1:])])
    own = 0
    for k in range(min(MAX_OWN_STAMPS, len(chain) - 2)):
        article_sized = (gaps[k] > 2 * np.median(gaps[k + 1 :]) + 2
                         or said[k] > max(cfg["first_comment_ratio"] * float(np.median(said[k + 1 :])),
                                          cfg["first_comment_words"]))
        if article_sized and said[k] >= kept_before[chain[k]]:
            own = k + 1
    return own


def _prose_runs(pf: PageFeatures, words: np.ndarray) -> list[tuple[int, int, float]]:
    """Runs of consecutive running-text lines (at least ``run_line_words`` words, ending a sentence, prose
    prior above one half): (first line, end, words), the article's paragraphs one under the other."""
    cfg = COMMENTS
    X = pf.X
    ok = (words >= cfg["run_line_words"]) & (X[:, _COL["ends_sentence"]] == 1) & (X[:, _COL["prose0"]] > 0.5)
    runs, a = [], None
    for i, flag in enumerate(list(ok) + [False]):
        if flag and a is None:
            a = i
        elif not flag and a is not None:
            runs.append((a, i, float(words[a:i].sum())))
            a = None
    return runs


def _article_below(runs: list[tuple[int, int, float]], h: int) -> bool:
    """The page's biggest run of running text starts under line ``h``, within ``article_below_lines`` of it,
    and is at least ``article_below_words`` long, and no running text ends in the ``article_above_lines``
    lines above ``h``: the article is below that comment heading (its count in the article's header), not
    above it."""
    cfg = COMMENTS
    if not runs:
        return False
    a, _, w = max(runs, key=lambda r: r[2])
    if not (h < a <= h + cfg["article_below_lines"] and w >= cfg["article_below_words"]):
        return False
    return not any(h - cfg["article_above_lines"] <= e - 1 < h for _, e, _ in runs)


def _stamp_starts(lines: list[Line], pf: PageFeatures, s: np.ndarray, words: np.ndarray, kept_before: np.ndarray,
                  loose: bool, heads: list[int]) -> tuple[list[int], bool]:
    """Where a thread of stamps ``s`` starts: under a comment heading (at least ``min_stamps`` stamps in the
    ``after_heading`` lines below it, and no other comment heading between it and the first of them: a
    "Comment" subheading inside the article is not the thread's heading below it), or a run of ``min_stamps_alone`` stamps close together; ``loose``
    stamps (dates without times) only when their names mostly differ. ([start], tight) or ([], True)."""
    cfg = COMMENTS
    starts, tight = [], True  # tight: the comments begin right at the start (not an article between)
    for k, h in enumerate(heads):  # the comment headings, in order
        below = s[(s > h) & (s <= h + cfg["after_heading"])]
        if len(below) and k + 1 < len(heads) and heads[k + 1] < below[0]:
            continue  # another heading is nearer the stamps: that one is the thread's ("Comment" as a subheading)
        if len(below) >= cfg["min_stamps"] and _thread_like([int(x) for x in below], words) and (
                not loose or _distinct_names(lines, [int(x) for x in below], pf)):
            said = [float(words[a + 1 : b].sum()) for a, b in zip(below[:-1], below[1:])]
            # the first "comment" as long as an article (the page's own dated byline under a comment count
            # in its header): not a thread right under the heading
            long_first = said[0] > max(cfg["first_comment_ratio"] * float(np.median(said[1:] or said)),
                                       cfg["first_comment_words"])
            if long_first and kept_before[h] < cfg["min_body_words_above"]:
                continue  # a count in the page's header, above the article: the thread, if any, is further down
            starts.append(h)
            tight = int(below[0]) - h <= cfg["tight_lines"] and not long_first
            break
    # no heading: a run of stamps close together (chains of stamps at most max_gap apart)
    chains, cur = [], [int(s[0])] if len(s) else []
    for a, b in zip(s[:-1], s[1:]):
        if b - a <= cfg["max_gap"]:
            cur.append(int(b))
        else:
            chains.append(cur)
            cur = [int(b)]
    chains.append(cur)
    for chain in (c for c in chains if len(c) >= cfg["min_stamps_alone"]):
        chain = chain[_own_stamps(chain, words, kept_before):]  # the article's own dateline is no comment's
        gaps = np.diff(chain)
        if (len(chain) >= cfg["min_stamps_alone"] and _thread_like(chain, words)
                and float(np.median(gaps)) <= cfg["max_median_gap_alone"] and (not loose or _distinct_names(lines, chain, pf))):
            starts.append(chain[0])
            break
    return starts, tight


def thread_start(lines: list[Line], pf: PageFeatures, body: np.ndarray) -> int | None:
    """Index of the first line of the reader comments under the article, or None when there are none
    (or when in doubt).

    Either a comment heading with at least ``min_stamps`` stamps in the ``after_heading`` lines below
    it, or, without a heading, a run of at least ``min_stamps_alone`` stamps a few lines apart
    (``max_median_gap_alone``), as comments are, not counting the page's own stamps at its top
    (``_own_stamps``: a dateline over the article): the thread starts at the heading, or at the first
    stamp. Below an article only (``min_body_words_above`` kept words above the start, or
    ``min_prose_words_above`` words of prose lines when the first comment follows the start closely).
    """
    cfg = COMMENTS
    words = pf.X[:, _COL["words"]]
    kept_before = np.concatenate([[0.0], np.cumsum(words * body)])
    heads = [i for i, ln in enumerate(lines) if is_comment_heading(ln.text, words[i])]
    starts, tight = _stamp_starts(lines, pf, stamps(lines, pf), words, kept_before, False, heads)
    if not starts:
        # a run of comment buttons ("Reply" under every comment), a comment apart: the thread starts at the
        # comment heading above the first one, or one comment above it
        found = _widget_chain(pf, words)
        if found is not None:
            w, span = found
            heads = [h for h in range(max(w[0] - cfg["after_heading"], 0), w[0])
                     if is_comment_heading(lines[h].text, words[h])]
            starts.append(heads[-1] if heads else max(w[0] - span, 0))
    if not starts:  # dates without times: stamps only with the commenters' names beside them, under an article
        starts, tight = _stamp_starts(lines, pf, stamps(lines, pf, loose=True), words, kept_before, True, heads)
        if starts and not _article_above(pf, words, kept_before, min(starts), tight):
            starts = []
    if not starts:
        # no stamps: a line that is only a comment heading with a count or of two words or more ("14 Comments",
        # "Leave a Reply"; not a lone "Response" subheading or "Comment" table cell) well below the article's start
        heads = [i for i, ln in enumerate(lines) if _strong_heading(ln.text, words[i])]
        seen = Counter(lines[h].text.strip().casefold() for h in heads)  # "8 comments" and "44 comments" differ
        runs = _prose_runs(pf, words)
        for h in heads:
            # a heading on the page three times or more is each post's link ("Leave a comment" under every post
            # of a blog's front page), not the one thread's heading
            if kept_before[h] >= cfg["min_body_words_above_heading"] and seen[lines[h].text.strip().casefold()] < 3:
                if _article_below(runs, h):
                    continue  # the article's own comment count above it (a news stream kept above)
                return h
        return None
    start = min(starts)
    # a count heading right over the stamps ("16 comments:") is a thread under a post however short the post (a
    # picture, a video: a forum's page has no such heading)
    counted = tight and bool(_COUNT.search(lines[start].text)) and is_comment_heading(lines[start].text, words[start])
    if not counted and not _article_above(pf, words, kept_before, start, tight):
        return None  # a page that starts with its thread (a forum): keep it as it is
    return start


def _article_above(pf: PageFeatures, words: np.ndarray, kept_before: np.ndarray, start: int, tight: bool) -> bool:
    """An article above the thread's start: kept lines, or prose the model doubted (a short post above a long
    thread, whose comments outscored it) when the comments begin right at the start."""
    cfg = COMMENTS
    prose = np.concatenate([[0.0], np.cumsum(words * (pf.X[:, _COL["prose0"]] > cfg["prose_above"]))])
    doubted = tight and prose[start] >= cfg["min_prose_words_above"]
    return bool(kept_before[start] >= cfg["min_body_words_above"] or doubted)
