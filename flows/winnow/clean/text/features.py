"""Line features: what the model sees of each line, all language-agnostic.

Three groups:
- the line itself: length, terminal punctuation, "…" cut-offs, punctuation and
  digit ratios, capitalised words, stop-word density in the page's language,
  separators and markers, the chrome categories of ``patterns`` it matches;
- its neighbourhood: the same facts for the lines around it, gaps (blank lines),
  headline-then-teaser alternation, the last "related stories" heading above it,
  end-of-article markers and reader-comment timestamps ("2 days ago", "X says:") above it;
- the page: position, distance to the densest run of prose, how much the line's
  words share with that run (topical coherence), repetition inside the page;
- lists (``_list_features``): runs of short lines without a sentence end (a sidebar's
  links, "Top posts", a tag cloud) and how many such lines lie between the line and the
  densest run, numbered sequences ("1. ...", "2. ..."), archive items ("March 2009 (12)"),
  headlines ending in a count, the make-up of the line's block, lines opening with the
  same words (a gallery's captions), a person's or a site's blurb ("Jane Doe is a ...",
  "Welcome to ..."), and code-like lines (a script a renderer kept as text).

No feature uses indentation; a list marker and blank lines are single features
among many, and the model is trained on every page also without them, so other
renderings (no indentation, one line per paragraph, blank-line separated) look
alike to it. Chrome patterns are searched only in a line's first characters
(speed); words are compared by their first five letters (Korea/Korean).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from winnow.clean.text import lang, params, patterns
from winnow.clean.text.lines import MAX_LINE_CHARS, Line
from winnow.vocab import word_count, word_counts

_TOKEN = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SENT_END = re.compile(patterns.SENTENCE_END)
_ELLIPSIS = re.compile(patterns.ELLIPSIS_END)
_SENT_PUNCT = re.compile(r"[.!?;。！？](?:\s|$)")
_URL = re.compile(r"https?://|www\.|\.(?:com|org|net|co\.\w\w)\b|@\w|#\w")
_DATE = re.compile(patterns.DATE)
_TIME = re.compile(patterns.TIME)
_BYLINE = re.compile(patterns.BYLINE_PREFIX, re.I)
_UPDATED = re.compile(patterns.UPDATED, re.I)
_AGO = re.compile(patterns.AGO)
_IMAGE = re.compile(patterns.IMAGE_PREFIX, re.I)
_COUNT = re.compile(patterns.COUNT_SUFFIX)
_END = set(patterns.END_MARKERS)
# patterns are written in lower case and matched against the lower-cased line (faster than re.I)
_CATS = {name: re.compile(rx) for name, rx in patterns.CATEGORIES.items()}
CATEGORY_NAMES = tuple(patterns.CATEGORIES)
_CAT_MAX = patterns.CATEGORY_MAX_WORDS
_CAT_LIST = [(c, _CATS[c], _CAT_MAX.get(c, math.inf)) for c in CATEGORY_NAMES]
_TICK_SEPS = tuple(f" {s} " for s in patterns.TICKER_SEPARATORS)
_MENU_SEPS = tuple(f" {s} " for s in patterns.MENU_SEPARATORS)
_DIGIT = re.compile(r"\d")
_POWERED_BY = re.compile(patterns.POWERED_BY)  # on the line as written: a product's name is capitalised
# an archive or tag-cloud item: "March 2009 (12)", "creative ads (48)", "October 2012"
_ARCHIVE = re.compile(r"\(\d+\)|\b(?:" + patterns.MONTHS + r")\.?\s+\d{4}\b")
_ARCHIVE_GATE = re.compile(r"\(\d|\d{4}")  # no archive item without a count or a year (speed)
_NUMBERED = re.compile(r"^(\d{1,3})[.)]\s")  # "3. Headline", "12) Name"
_ENDS_COUNT = re.compile(r"\D\s+\d[\d,.]*[km]?$")  # a headline with its view or comment count: "... Personal 266"
# a line about a person or the site ("Jane Doe is a writer based in ...", "This article is written by ...",
# "Welcome to ...", "X is a weekly podcast ..."): an author's bio or the site's blurb, not the article
_ABOUT = re.compile(
    r"^(?:(?:[A-Z][\w.'’-]*\s+){1,4}(?:is|was|ist|est|es|è)\s+(?:(?:an?|the|ein|eine|un|une|una|el|la|le|il)\s|[A-Z])|"
    r"(?:[A-Z][\w.'’-]*\s+){1,3}(?:writes|blogs|covers) (?:about|for)\b|"
    r"(?i:(?:this|the) (?:article|post|story|blog) (?:is|was) (?:written|brought to you) by|welcome to\b|about the author))",
)
_CODE = re.compile(params.CODE["pattern"])  # program code or markup (a script a renderer kept as text)
CODE_CHARS = 300
OPENING_TOKENS = 3  # lines opening with the same words: a gallery's captions, a list's items
LIST_ITEM_WORDS = 12  # a list item: at most this many words, no sentence end
NUMBER_GAP = 6  # numbered items of one list lie at most this many lines apart
ARCHIVE_CHARS = 400  # archive items are counted in a line's first characters
HEAD_CHARS = 160  # chrome patterns are looked for in the start of a line only (speed)
LONG_WORDS = 40  # longer lines: only their first LONG_HEAD_CHARS, and no date/time search
LONG_HEAD_CHARS = 60
STEM = 5  # words are compared by their first letters (Korea/Korean, Russia/Russian)
LEAD_LINES = 4  # the lead: this many prose lines at the start of the densest run

BASE = [
    "log_chars", "words", "log_words", "mean_word_len", "cjk_ratio",
    "ends_sentence", "ends_ellipsis", "ends_colon", "ends_other_punct",
    "sent_punct_per_word", "comma_per_word", "punct_ratio", "digit_ratio",
    "cap_ratio", "all_caps", "starts_lower", "stop_density", "stop_count", "has_stoplist",
    "has_marker", "ticker_seps", "menu_seps", "has_url", "has_date", "has_time",
    "byline_prefix", "updated_prefix", "ago", "image_prefix", "in_quotes", "count_suffix", "link_share",
] + [f"cat_{c}" for c in CATEGORY_NAMES]

CONTEXT = [
    "relpos", "log_lines_from_start", "log_lines_to_end", "char_frac_before",
    "blank_before", "blank_after", "log_block_size", "pos_in_block",
    "page_repeat", "prose0", "prose0_w1", "prose0_w2", "prose0_w4", "prose0_w8",
    "in_run", "log_dist_before_run", "log_dist_after_run", "run_share",
    "coherence", "coherence_title", "hl_prev", "hl_next", "headline_like", "hl_window",
    "teaser_window", "since_related", "related_after_run",
    "prev_words", "next_words", "prev_ends", "next_ends", "prev_stop", "next_stop",
    "log_page_lines", "page_prose_share", "line_vs_median",
    "since_comment", "log_comment_above", "log_end_markers_w8", "chrome_above_w10", "chrome_below_w10",
    "coherence_lead", "log_prose_before_related", "alternation_w4", "stamps_above_w30", "link_share_w2",
    "log_list_run", "list_w6", "log_list_between_run", "numbered_seq", "log_archive_items", "ends_count",
    "block_mean_words", "block_ends_share", "log_opening_repeat", "about_someone",
    "code_like", "code_w2",
]
NAMES = BASE + CONTEXT


@dataclass
class PageFeatures:
    X: np.ndarray  # (n_lines, len(NAMES))
    categories: list[list[str]]  # matched chrome categories per line
    stoplist: frozenset = field(default_factory=frozenset)
    language: str | None = None
    run: tuple[int, int] = (0, 0)  # densest prose run [start, end)
    tokens: list[list[str]] = field(default_factory=list)  # lower-cased word tokens per line
    content: list[set] = field(default_factory=list)  # content words per line


def line_words(text: str) -> float:
    """Words of a line as winnow counts them everywhere (``winnow.vocab.word_count``)."""
    return float(word_count(text[:MAX_LINE_CHARS]))


def _content_words(tokens: list[str], stop: frozenset, cjk: int, text: str) -> set:
    if cjk:
        chars = [c for c in text if _CJK.match(c)]
        return {a + b for a, b in zip(chars, chars[1:])}
    return {t[:STEM] for t in tokens if len(t) > 2 and t not in stop and not t.isdigit()}


def _window_mean(v: np.ndarray, k: int) -> np.ndarray:
    if len(v) == 0:
        return v
    c = np.concatenate([[0.0], np.cumsum(v)])
    n = len(v)
    idx = np.arange(n)
    lo = np.maximum(idx - k, 0)
    hi = np.minimum(idx + k + 1, n)
    return (c[hi] - c[lo]) / (hi - lo)


def densest_run(score: np.ndarray) -> tuple[int, int]:
    """[start, end) of the maximum-sum run of ``score`` (Kadane)."""
    best, best_s, best_e = -math.inf, 0, 0
    cur, cur_s = 0.0, 0
    for i, v in enumerate(score.tolist()):
        if cur <= 0:
            cur, cur_s = v, i
        else:
            cur += v
        if cur > best:
            best, best_s, best_e = cur, cur_s, i + 1
    return best_s, best_e


def _numbered_sequences(texts: list[str]) -> np.ndarray:
    """Per line: how long the sequence of numbered lines ("1. ...", "2. ...", each within ``NUMBER_GAP``
    lines of the one before) it belongs to is; 0 for a line without a number in front."""
    n = len(texts)
    num = np.full(n, -1)
    for i, t in enumerate(texts):
        m = _NUMBERED.match(t)
        if m:
            num[i] = int(m.group(1))
    fwd = np.zeros(n)
    bwd = np.zeros(n)
    for i in np.flatnonzero(num >= 0):
        prev = [j for j in range(max(i - NUMBER_GAP, 0), i) if num[j] == num[i] - 1]
        fwd[i] = fwd[prev[-1]] + 1 if prev else 1
    for i in np.flatnonzero(num >= 0)[::-1]:
        nxt = [j for j in range(i + 1, min(i + NUMBER_GAP + 1, n)) if num[j] == num[i] + 1]
        bwd[i] = bwd[nxt[0]] + 1 if nxt else 1
    return np.where(num >= 0, fwd + bwd - 1, 0.0)


def _list_features(C: np.ndarray, texts: list[str], words: np.ndarray, ends: np.ndarray, lines: list[Line],
                   run: tuple[int, int]) -> None:
    """Lists of short items (a sidebar's links, an archive by month, a tag cloud, "Top posts" headlines): runs
    of short lines without a sentence end, how many such lines lie between a line and the densest prose run,
    numbered sequences, archive items and headline counts, and the make-up of the line's block."""
    n = len(texts)
    if not n:
        return
    col = {name: k for k, name in enumerate(CONTEXT)}
    item = ((words >= 1) & (words <= LIST_ITEM_WORDS) & (ends == 0)).astype(float)
    runlen = np.zeros(n)
    i = 0
    while i < n:
        if not item[i]:
            i += 1
            continue
        j = i
        while j < n and item[j]:
            j += 1
        runlen[i:j] = j - i
        i = j
    rs, re_ = run
    ci = np.concatenate([[0.0], np.cumsum(item)])
    idx = np.arange(n)
    between = np.where(idx >= re_, ci[idx] - ci[min(re_, n)], 0.0)
    between = np.where(idx < rs, ci[min(rs, n)] - ci[np.minimum(idx + 1, n)], between)
    archive = np.zeros(n)
    count = np.zeros(n)
    for i, t in enumerate(texts):
        if _DIGIT.search(t):
            head = t[:ARCHIVE_CHARS]
            archive[i] = len(_ARCHIVE.findall(head.lower())) if _ARCHIVE_GATE.search(head) else 0
            count[i] = float(words[i] >= 3 and not ends[i] and bool(_ENDS_COUNT.search(t[-16:])))
    block = np.cumsum([i > 0 and ln.blank_before for i, ln in enumerate(lines)])  # block number per line
    size = np.bincount(block)
    bmean = (np.bincount(block, weights=words) / size)[block]
    bends = (np.bincount(block, weights=ends) / size)[block]
    C[:, col["log_list_run"]] = np.log1p(runlen)
    C[:, col["list_w6"]] = _window_mean(item, 6)
    C[:, col["log_list_between_run"]] = np.log1p(np.maximum(between, 0.0))
    C[:, col["numbered_seq"]] = np.log1p(_numbered_sequences(texts))
    C[:, col["log_archive_items"]] = np.log1p(archive)
    C[:, col["ends_count"]] = count
    C[:, col["block_mean_words"]] = np.log1p(bmean)
    C[:, col["block_ends_share"]] = bends


def page_features(lines: list[Line]) -> PageFeatures:
    """The feature matrix of a page's lines (rows in ``NAMES`` order) and what was learnt on the way."""
    n = len(lines)
    texts = [ln.text if len(ln.text) <= MAX_LINE_CHARS else ln.text[:MAX_LINE_CHARS] for ln in lines]
    raw_tokens = [_TOKEN.findall(t) for t in texts]
    tokens = [[t.lower() for t in ts] for ts in raw_tokens]
    counts: Counter = Counter()
    for ts in tokens:
        counts.update(ts)
    language, stop = lang.stoplist_for(counts)

    B = np.zeros((n, len(BASE)))
    cats: list[list[str]] = []
    cjk_n = np.zeros(n)
    words = word_counts(texts).astype(float)  # winnow.vocab: the one word count
    for i, (t, raw, ts) in enumerate(zip(texts, raw_tokens, tokens)):
        nc = len(t)
        cjk = len(_CJK.findall(t)) if not t.isascii() else 0
        cjk_n[i] = cjk
        nw = words[i]
        alnum = sum(map(len, raw))
        tail = t[-8:]
        ends_s = bool(_SENT_END.search(tail))
        ends_e = bool(_ELLIPSIS.search(tail))
        last = t[-1]
        firsts = [x[0] for x in raw]
        caps = sum(map(str.isupper, firsts))
        cased = caps + sum(map(str.islower, firsts))
        nstop = sum(map(stop.__contains__, ts)) if stop else 0
        short = nw <= LONG_WORDS
        head = (t[:HEAD_CHARS] if short else t[:LONG_HEAD_CHARS]).lower()
        digits = bool(_DIGIT.search(head))
        matched = [c for c, rx, mx in _CAT_LIST if nw <= mx and (rx.search(head) or (
            c == "copyright" and _POWERED_BY.search(t[: len(head)])))]
        tick = sum(map(t.count, _TICK_SEPS)) + (1 if t[:1] in patterns.TICKER_SEPARATORS else 0)
        menu = sum(map(t.count, _MENU_SEPS))
        if tick >= patterns.MIN_SEPARATORS and "ticker" not in matched:
            matched.append("ticker")
        if menu >= patterns.MIN_SEPARATORS and not ends_s and nw <= 40 and "nav" not in matched:
            matched.append("nav")
        cats.append(matched)
        row = [
            math.log1p(nc), nw, math.log1p(nw), (alnum / len(raw)) if raw else 0.0, cjk / nc if nc else 0.0,
            float(ends_s), float(ends_e), float(last == ":"), float(not ends_s and not ends_e and not last.isalnum()),
            len(_SENT_PUNCT.findall(t)) / max(nw, 1), t.count(",") / max(nw, 1),
            1.0 - (alnum + t.count(" ")) / nc if nc else 0.0,
            len(_DIGIT.findall(t[:2000])) / min(nc, 2000) if nc else 0.0,
            caps / cased if cased else 0.0, float(cased > 0 and t.upper() == t and caps == cased),
            float(t[:1].islower()),
            nstop / len(ts) if (ts and stop) else 0.0, float(nstop), float(bool(stop)),
            float(bool(lines[i].marker)), float(tick), float(menu),
            float(bool(_URL.search(head))), float(short and digits and bool(_DATE.search(head))),
            float(short and digits and bool(_TIME.search(head))),
            float(bool(_BYLINE.match(t)) and nw <= 12), float(bool(_UPDATED.match(t))),
            float(short and digits and bool(_AGO.search(head))),
            float(bool(_IMAGE.match(t))), float(t[:1] in "\"'“‘«„" ), float(bool(_COUNT.search(t[-12:]))),
            lines[i].link_share,
        ] + [float(c in matched) for c in CATEGORY_NAMES]
        B[i] = row

    ends = B[:, BASE.index("ends_sentence")]
    stopd = B[:, BASE.index("stop_density")]
    has_stop = bool(stop)
    # prose0: a hand-made prior "this reads like a paragraph" used for context features
    length_term = np.clip((words - 3.0) / 17.0, 0.0, 1.0)
    stop_term = np.clip(stopd / 0.3, 0.0, 1.0) if has_stop else np.full(n, 0.7)
    prose0 = length_term * (0.45 + 0.55 * ends) * (0.4 + 0.6 * stop_term)
    for i in range(n):
        if set(cats[i]) & {"copyright", "comment_form", "share_widget", "ticker", "nav", "related_headlines"}:
            prose0[i] *= 0.3
    run_score = (prose0 - 0.35) * np.log1p(words)
    rs, re_ = densest_run(run_score) if n else (0, 0)

    # topical coherence with the densest run (and with the line just above it: the likely title)
    content = [_content_words(ts, stop, int(cjk_n[i]), texts[i]) for i, ts in enumerate(tokens)]
    run_vocab: Counter = Counter()
    for i in range(rs, re_):
        run_vocab.update(content[i])
    title_vocab: set = set()
    for j in range(rs - 1, max(rs - 12, -1), -1):
        if 3 <= words[j] <= 30 and not ends[j]:
            title_vocab = content[j]
            break
    coh = np.zeros(n)
    coh_t = np.zeros(n)
    for i in range(n):
        c = content[i]
        if not c:
            coh[i] = -1.0
            coh_t[i] = -1.0
            continue
        inside = rs <= i < re_
        hit = sum(1 for w in c if run_vocab.get(w, 0) - (1 if inside else 0) > 0)
        coh[i] = hit / len(c)
        coh_t[i] = len(c & title_vocab) / len(c) if title_vocab else -1.0

    # headline-like: short, no sentence end, mostly capitalised or not starting lower
    headline = ((words >= 3) & (words <= 22) & (ends == 0) & (B[:, BASE.index("starts_lower")] == 0)).astype(float)
    teaser = (((B[:, BASE.index("ends_ellipsis")] == 1) & (words >= 6)) | (B[:, BASE.index("ago")] == 1)).astype(float)
    hl_prev = np.concatenate([[0.0], headline[:-1]]) if n else headline
    hl_next = np.concatenate([headline[1:], [0.0]]) if n else headline

    keys = [" ".join(ts[:80]) if ts else t[:80] for t, ts in zip(texts, tokens)]  # repetition inside the page
    kc = Counter(keys)
    blocks = np.zeros(n)
    posb = np.zeros(n)
    start = 0
    for i in range(n + 1):
        if i == n or (i > start and lines[i].blank_before):
            size = i - start
            for j in range(start, i):
                blocks[j] = size
                posb[j] = (j - start) / max(size - 1, 1)
            start = i
    chars = np.array([len(t) for t in texts], dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(chars)])
    total_chars = max(cum[-1], 1.0)
    since_rel = np.full(n, 60.0)
    last_rel = None
    # the article's own prose resuming below a "Related" heading (a table of contents' "See also", a
    # box in the middle of the article) ends its reach: such a box holds headlines, not on-topic paragraphs
    resumes = (words >= 20) & (ends == 1) & (coh >= 0.5)
    for i in range(n):
        if "related_headlines" in cats[i] and words[i] <= 8:
            last_rel = i
        elif resumes[i]:
            last_rel = None
        if last_rel is not None:
            since_rel[i] = min(i - last_rel, 60)
    med = float(np.median(words)) if n else 0.0
    page_prose = float((prose0 > 0.5).mean()) if n else 0.0

    C = np.zeros((n, len(CONTEXT)))
    idx = np.arange(n, dtype=float)
    C[:, 0] = idx / max(n - 1, 1)
    C[:, 1] = np.log1p(idx)
    C[:, 2] = np.log1p(n - 1 - idx)
    C[:, 3] = cum[:-1] / total_chars
    C[:, 4] = [float(ln.blank_before) for ln in lines]
    C[:, 5] = [float(ln.blank_after) for ln in lines]
    C[:, 6] = np.log1p(blocks)
    C[:, 7] = posb
    C[:, 8] = [kc[k] - 1 for k in keys]
    C[:, 9] = prose0
    C[:, 10] = _window_mean(prose0, 1)
    C[:, 11] = _window_mean(prose0, 2)
    C[:, 12] = _window_mean(prose0, 4)
    C[:, 13] = _window_mean(prose0, 8)
    C[:, 14] = ((idx >= rs) & (idx < re_)).astype(float)
    C[:, 15] = np.log1p(np.maximum(rs - idx, 0))
    C[:, 16] = np.log1p(np.maximum(idx - (re_ - 1), 0))
    run_chars = cum[re_] - cum[rs] if n else 0.0
    C[:, 17] = run_chars / total_chars
    C[:, 18] = coh
    C[:, 19] = coh_t
    C[:, 20] = hl_prev
    C[:, 21] = hl_next
    C[:, 22] = headline
    C[:, 23] = _window_mean(headline, 4)
    C[:, 24] = _window_mean(teaser, 4)
    C[:, 25] = since_rel
    C[:, 26] = [float(since_rel[i] < 60 and (i - since_rel[i]) >= re_ - 1) for i in range(n)]
    if n:
        C[:, 27] = np.concatenate([[0.0], words[:-1]])
        C[:, 28] = np.concatenate([words[1:], [0.0]])
        C[:, 29] = np.concatenate([[0.0], ends[:-1]])
        C[:, 30] = np.concatenate([ends[1:], [0.0]])
        C[:, 31] = np.concatenate([[0.0], stopd[:-1]])
        C[:, 32] = np.concatenate([stopd[1:], [0.0]])
    C[:, 33] = math.log1p(n)
    C[:, 34] = page_prose
    C[:, 35] = np.log1p(words) - math.log1p(med)
    # "the article is over": comment headers and other end markers above the line
    since_c = np.full(n, 60.0)
    comment_above = np.zeros(n)
    end_since_run = np.zeros(n)
    last_c, nc_above, ne = None, 0, 0
    is_chrome = np.zeros(n)
    for i in range(n):
        cs = cats[i]
        is_chrome[i] = float(bool(cs))
        if last_c is not None:
            since_c[i] = min(i - last_c, 60)
        comment_above[i] = nc_above
        if ("comment_header" in cs or "comment_form" in cs) and words[i] <= 16:
            last_c = i
            nc_above += 1
        if (_END & set(cs)) and words[i] <= 16:
            end_since_run[i] = 1.0
    # end markers among the 8 lines above (local: a share box inside an article is not its end)
    ce = np.concatenate([[0.0], np.cumsum(end_since_run)])
    lo8 = np.maximum(np.arange(n) - 8, 0)
    end_since_run = ce[np.arange(n)] - ce[lo8]
    cum_ch = np.concatenate([[0.0], np.cumsum(is_chrome)])
    lo = np.maximum(np.arange(n) - 10, 0)
    hi = np.minimum(np.arange(n) + 11, n)
    above = (cum_ch[np.arange(n)] - cum_ch[lo]) / np.maximum(np.arange(n) - lo, 1)
    below = (cum_ch[hi] - cum_ch[np.minimum(np.arange(n) + 1, n)]) / np.maximum(hi - np.arange(n) - 1, 1)
    C[:, 36] = since_c
    C[:, 37] = np.log1p(comment_above)
    C[:, 38] = np.log1p(end_since_run)
    C[:, 39] = above
    C[:, 40] = below
    # coherence with the lead: the first prose lines of the run (a stream of unrelated teasers shares little)
    lead_vocab: Counter = Counter()
    lead_idx = [i for i in range(rs, re_) if prose0[i] > 0.5][:LEAD_LINES]
    for i in lead_idx:
        lead_vocab.update(content[i])
    lead_vocab.update(title_vocab)
    lead_set = set(lead_idx)
    coh_l = np.full(n, -1.0)
    for i in range(n):
        c = content[i]
        if c and lead_vocab:
            own = i in lead_set
            coh_l[i] = sum(1 for w in c if lead_vocab.get(w, 0) - (1 if own else 0) > 0) / len(c)
    # a "related stories" heading after a good amount of prose: what follows is probably not this article
    prose_words = np.cumsum(words * (prose0 > 0.5))
    after_rel = np.zeros(n)
    cur = 0.0
    for i in range(n):
        if "related_headlines" in cats[i] and words[i] <= 8:
            cur = float(prose_words[i])
        elif resumes[i]:
            cur = 0.0
        after_rel[i] = cur
    alt = np.abs(np.diff(headline)) if n > 1 else np.zeros(0)
    alt = np.concatenate([alt, [0.0]]) if n else alt
    # reader comments: timestamps ("2 days ago at 07:52 am"), "X says:" headers in the lines above
    stamp = ((B[:, BASE.index("has_time")] + B[:, BASE.index("ago")] + B[:, BASE.index("cat_comment_header")]) > 0)
    stamp = (stamp & (words <= 16) & (np.arange(n) > rs)).astype(float)  # the byline's own time is above the run
    cs = np.concatenate([[0.0], np.cumsum(stamp)])
    lo30 = np.maximum(np.arange(n) - 30, 0)
    C[:, 44] = (cs[np.arange(n)] - cs[lo30]) if n else 0.0
    C[:, 41] = coh_l
    C[:, 42] = np.log1p(after_rel)
    C[:, 43] = _window_mean(alt, 4) if n else alt
    C[:, 45] = _window_mean(B[:, BASE.index("link_share")], 2)  # a menu or a teaser list: a run of links
    _list_features(C, texts, words, ends, lines, (rs, re_))
    openings = [" ".join(ts[:OPENING_TOKENS]) if len(ts) >= OPENING_TOKENS else "" for ts in tokens]
    oc = Counter(openings)
    C[:, CONTEXT.index("log_opening_repeat")] = [math.log1p(oc[o] - 1) if o else 0.0 for o in openings]
    code = np.array([float(bool(_CODE.search(t[:CODE_CHARS]))) for t in texts])
    C[:, CONTEXT.index("code_like")] = code
    C[:, CONTEXT.index("code_w2")] = _window_mean(code, 2)
    C[:, CONTEXT.index("about_someone")] = [float(words[i] >= 6 and bool(_ABOUT.match(t[:200])))
                                            for i, t in enumerate(texts)]
    X = np.hstack([B, C]) if n else np.zeros((0, len(NAMES)))
    return PageFeatures(X, cats, stop, language, (rs, re_), tokens, content)
