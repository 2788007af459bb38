"""The engine: lines -> features -> model -> decisions -> metadata -> Extraction."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from winnow.clean.text import comments, params, patterns, posts
from winnow.clean.text.features import NAMES, PageFeatures, densest_run, page_features
from winnow.clean.text.lines import Line, line_key, split_lines
from winnow.clean.text.metadata import find_byline, find_title, strip_image_prefix
from winnow.clean.text.model import LineModel, default_model
from winnow.records import Extraction, Removed

EXTRACTOR = "winnow-text"
_HARD = set(patterns.HARD)
_CREDIT = re.compile(patterns.CAPTION_CREDIT, re.I)
_POST_FOOTER = re.compile(patterns.POST_FOOTER, re.I)
_MARKER = re.compile(patterns.LIST_MARKER)
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?$")  # a Markdown table's delimiter row
_COL = {name: i for i, name in enumerate(NAMES)}
_CODE = re.compile(params.CODE["pattern"])
_LISTING = re.compile(params.CODE["listing_pattern"])
_SIDEBAR = re.compile(patterns.SIDEBAR_HEADING, re.I)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_SIDEBAR_OPENING = re.compile(patterns.SIDEBAR_OPENING, re.I)
_COUNT = re.compile(r"\(\s*\d+\s*\)")
_SENTENCE = re.compile(r"[.!?。！？]['\"”’)]*$")
# a sentence followed by its reference marks: "... of New Zealand.[101]", "... citizens.[136][n 7]"
_CITED_SENTENCE = re.compile(r"[.!?。！？]['\"”’)]*(?:\[[^\[\]\n]{1,24}\])+$")


def clean_text_dump(text: str, evidence=None, lines: list[Line] | None = None) -> Extraction:
    """Title + body paragraphs of a plain-text dump of a web page; every other line removed with a reason.

    ``evidence`` (optional, corpus statistics) has ``count(key) -> int``: in how many
    distinct documents a non-blank raw line with ``line_key(line) == key`` occurs, and
    ``total`` (an int, or a method returning one): how many documents were counted.
    Lines recurring in many documents (a site's chrome) are removed with reason
    ``recurring``; thresholds in ``params.EVIDENCE``. Without evidence the cleaner
    works alone. Never raises; never returns text that is not in the input. ``lines``: the
    text's ``split_lines``, when the caller has split it already (for the evidence counts).
    """
    try:
        return clean_with(text, evidence=evidence, model=default_model(), lines=lines)
    except Exception as exc:  # never raise: keep nothing, say why
        return Extraction(
            title=None, paragraphs=[], extractor=EXTRACTOR, not_article=True,
            not_article_reason=f"error:{type(exc).__name__}",
        )


def clean_with(text: str, evidence=None, model: LineModel | None = None,
               lines: list[Line] | None = None) -> Extraction:
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    lines = split_lines(text) if lines is None else lines
    if not lines:
        return Extraction(title=None, paragraphs=[], extractor=EXTRACTOR, not_article=True, not_article_reason="empty")
    pf = page_features(lines)
    words = pf.X[:, _COL["words"]]
    if model is not None:
        p1, p = model.predict(pf.X, words)
        threshold = model.threshold
    else:  # no weights: the hand-made prose prior, smoothed
        p = p1 = 0.5 * pf.X[:, _COL["prose0"]] + 0.5 * pf.X[:, _COL["prose0_w2"]]
        threshold = 0.5
    reasons: list[str | None] = [None] * len(lines)

    body = p >= threshold
    _hysteresis(p, pf, body)
    _fallback(np.maximum(p, p1), words, body)
    _keep_prose_run(pf, words, body)
    running = _keep_running_text(pf, words, body, lines)
    # rules the issue requires whatever the model says
    for i, cats in enumerate(pf.categories):
        hard = [c for c in cats if c in _HARD]
        limit = params.HARD_MAX_WORDS_BY_CATEGORY.get(hard[0], params.HARD_MAX_WORDS) if hard else 0
        if hard and words[i] <= limit:
            body[i] = False
            reasons[i] = hard[0]
    for i, ln in enumerate(lines):
        if words[i] <= params.CAPTION_MAX_WORDS and _CREDIT.search(ln.text[-120:]):
            body[i] = False
            reasons[i] = reasons[i] or "caption"
        elif words[i] <= params.POST_FOOTER_MAX_WORDS and _POST_FOOTER.search(_MARKER.sub("", ln.text.strip(), 1)):
            body[i] = False
            reasons[i] = reasons[i] or "post_footer"
    _drop_sidebar_boxes(lines, words, body, reasons)
    for i in np.flatnonzero(pf.X[:, _COL["words"]] == 0):  # no word at all: "*", "|", "»"
        body[i] = False
        reasons[i] = reasons[i] or "symbols"
    _apply_evidence(lines, pf, body, reasons, evidence)
    forum = comments.forum_span(lines, pf, body)
    start = _drop_comments(lines, pf, body, reasons) if forum is None else None
    if start is not None:  # the thread outscored a short article: look for the article above it again
        _fallback(np.maximum(p, p1)[:start], words[:start], body[:start])
        _keep_prose_run(pf, words, body, start)
        for i in range(start):
            body[i] &= reasons[i] is None  # what a rule removed stays removed
    _keep_forum(forum, pf, words, body, reasons)
    if forum is None:  # a blog's front page: its dated posts, above the comments if any
        texts = [ln.text for ln in lines]
        running = running | posts.keep_posts(texts, pf, words, body, reasons, len(lines) if start is None else start)
    _keep_article_run(pf, words, body, reasons, running)
    _drop_headline_streams(pf, words, body, reasons)
    _keep_announced_lists(lines, pf, p, words, body, reasons)
    _bridge_sections(p, pf, words, body, reasons)
    _fill_holes(p, pf, words, body, reasons)
    if _keep_code_blocks(lines, words, body, reasons) | _keep_tables(lines, words, body, reasons):
        _fill_holes(p, pf, words, body, reasons)
    tiny = _keep_tiny_page(pf, words, body, reasons)

    # metadata
    title_i = None if tiny else find_title(lines, pf, body)
    meta_lines: dict[int, str] = {}
    title = None
    if title_i is not None:
        title = strip_image_prefix(lines[title_i].text).strip() or None
        meta_lines[title_i] = "title"
        body[title_i] = False
    if title is not None:  # the title repeated further down is not body either
        tkey = line_key(title)
        for i in np.flatnonzero(body):
            if line_key(strip_image_prefix(lines[i].text)) == tkey:
                body[i] = False
                meta_lines[int(i)] = "title_repeat"
    kept = np.flatnonzero(body)
    first_body = int(kept[0]) if len(kept) else len(lines)
    author = date = None
    for j, a, d in find_byline(lines, pf, title_i, first_body):
        if j in meta_lines:
            continue
        meta_lines[j] = "byline" if a else "date"
        body[j] = False
        author = author or a
        date = date or d

    not_article, why = (False, None) if tiny else _not_article(lines, pf, body, running)
    paragraphs = [] if not_article else [lines[i].text for i in np.flatnonzero(body)]
    removed: list[Removed] = []
    for i, ln in enumerate(lines):
        if body[i] and not not_article:
            continue
        if i in meta_lines:
            reason, score = meta_lines[i], None
        elif body[i]:
            reason, score = "not_article", None
        else:
            reason = reasons[i] or _reason(pf, i)
            score = None if reasons[i] else round(float(p[i]), 3)
        removed.append(Removed(text=ln.text, reason=reason, line_no=ln.no, score=score))
    return Extraction(
        title=title, paragraphs=paragraphs, author=author, date=date, removed=removed,
        extractor=EXTRACTOR, not_article=not_article, not_article_reason=why,
    )


def _drop_sidebar_boxes(lines: list[Line], words: np.ndarray, body: np.ndarray, reasons: list) -> None:
    """A blog's sidebar box goes whatever the model says (reason ``sidebar``): a sidebar heading alone on its
    line ("Recent Posts", "Archives", "Blogroll"; ``patterns.SIDEBAR_HEADING``) over at least
    ``SIDEBAR["min_items"]`` list items (short lines that are no sentence: headlines, "March 2009 (12)", blog
    names), down to the first line that is not one or where the items' spacing changes (blank lines between
    them or not); or a line opening with a sidebar heading and holding its items with ``min_counts`` counts or
    more ("Archives November (5) October (18) September (20)")."""
    cfg = params.SIDEBAR
    for i, ln in enumerate(lines):
        if ("(" in ln.text and len(_COUNT.findall(ln.text)) >= cfg["min_counts"]
                and _SIDEBAR_OPENING.match(_MD_HEADING.sub("", _MARKER.sub("", ln.text, 1), 1))):
            body[i] = False  # the box on one line: "Archives November (5) October (18) September (20) ..."
            reasons[i] = reasons[i] or "sidebar"
            continue
        if words[i] == 0 or words[i] > cfg["heading_words"] or not _SIDEBAR.match(
                _MD_HEADING.sub("", _MARKER.sub("", ln.text, 1), 1)):
            continue
        j = i + 1
        while j < len(lines) and 0 < words[j] <= cfg["item_words"] and not (
                words[j] >= cfg["sentence_words"] and _SENTENCE.search(lines[j].text)):
            if j >= i + 3 and lines[j].blank_before != lines[i + 2].blank_before:
                break  # the items' spacing changes: the list has ended (a menu's box over the article's title)
            j += 1
        if j - i - 1 < cfg["min_items"]:
            continue
        for k in range(i, j):
            body[k] = False
            reasons[k] = reasons[k] or "sidebar"


def _keep_announced_lists(lines: list[Line], pf: PageFeatures, p: np.ndarray, words: np.ndarray, body: np.ndarray,
                          reasons: list) -> None:
    """A list the article announces is article: under a kept line ending in a colon ("We're running three
    experiments:", "The happiest countries are:"), the run of list items (``LISTS["item_words"]`` words at most,
    no rule and no chrome pattern against them, at most ``LISTS["max_items"]``) is kept when the article goes on
    right under it: a kept line at most ``LISTS["max_gap"]`` lines below, or, right under the list, a sentence
    the model only doubted (``_doubted_sentence``: kept with the list; the model reads a paragraph after a run
    of short lines as a menu's too). The model reads short list items as a menu's."""
    cfg = params.LISTS
    for i in np.flatnonzero(body):
        if not _announces(lines[i].text, words[i], None):
            continue
        j = i + 1
        while (j < len(lines) and j - i <= cfg["max_items"] and not body[j] and 0 < words[j] <= cfg["item_words"]
               and reasons[j] is None and not pf.categories[j]):
            j += 1
        if j - i - 1 < cfg["min_items"]:
            continue
        if body[j : j + cfg["max_gap"] + 1].any():
            body[i + 1 : j] = True
        elif j < len(lines) and _doubted_sentence(pf, p, words, reasons, j):
            body[i + 1 : j + 1] = True


def _doubted_sentence(pf: PageFeatures, p: np.ndarray, words: np.ndarray, reasons: list, i: int) -> bool:
    """Line ``i`` is a sentence (``LISTS["after_words"]`` words or more, ending a sentence, no rule and no chrome
    pattern against it) that the model scored at least ``HYSTERESIS["low"]``."""
    return (words[i] >= params.LISTS["after_words"] and bool(pf.X[i, _COL["ends_sentence"]])
            and reasons[i] is None and not pf.categories[i] and float(p[i]) >= params.HYSTERESIS["low"])


def _code_like(text: str, words: float) -> bool:
    """A line of program code or markup: it ends in ";", "{" or "}", opens with a comment, a tag or a prompt,
    is a call or an assignment, a line of SQL or of a query's result table, or has no word at all ("});")."""
    return words == 0 or (words <= params.CODE["max_words"] and bool(_CODE.search(text) or _LISTING.search(text)))


def _keep_code_blocks(lines: list[Line], words: np.ndarray, body: np.ndarray, reasons: list) -> bool:
    """A code listing inside the article (a tutorial's example, a config file) is article: a run of at least
    ``CODE["min_lines"]`` code-like lines (``_code_like``) right under or right above a kept line, or right
    under the sentence that announces it (``_announces``: "Let's create the HTML test file for it:", kept with
    it), and inside the article's extent (between its first and last kept line) is kept, unless a rule removed
    a line of it. The model reads code as chrome (no sentences, much punctuation), and a Markdown dump keeps a
    listing's line breaks, so the model doubts a run of short lines. Returns whether anything was kept."""
    kept = np.flatnonzero(body)
    if len(kept) < 2:
        return False
    first, last = int(kept[0]), int(kept[-1])
    code = [_code_like(ln.text, words[i]) for i, ln in enumerate(lines)]
    changed, i = False, first
    while i < last:
        if not code[i] or body[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and code[j] and not body[j]:
            j += 1
        run = range(i, j)
        real = sum(1 for k in run if words[k] > 0)
        intro = i > 0 and not body[i - 1] and _announces(lines[i - 1].text, words[i - 1], reasons[i - 1])
        if (real >= params.CODE["min_lines"] and (body[i - 1] or intro or (j < len(lines) and body[j]))
                and j <= last and all(reasons[k] in (None, "symbols") for k in run)):
            if intro:
                body[i - 1] = True
            for k in run:
                if words[k] > 0:
                    body[k] = True
                    changed = True
        i = j
    return changed


def _keep_tables(lines: list[Line], words: np.ndarray, body: np.ndarray, reasons: list) -> bool:
    """A Markdown table inside the article is article: a header row, its delimiter row (``---|---|---``, the
    mark of a table, which no menu has) and the rows under it with as many cell separators (one more or
    less), between the article's first and last kept line, are kept, unless a rule other than the menu rule
    removed a row. A row's cell separators made it a menu line ("nav") and the model reads a table's short
    cells as a menu's (Readability's links-in-tables in Markdown lost its table). Returns whether anything
    was kept."""
    kept = np.flatnonzero(body)
    if len(kept) < 2:
        return False
    first, last = int(kept[0]), int(kept[-1])
    changed = False
    for d in range(first + 2, last):
        if not _TABLE_RULE.match(lines[d].text):
            continue
        cols = lines[d].text.count("|")
        end = d + 1
        while end < last and abs(lines[end].text.count("|") - cols) <= 1 and not _TABLE_RULE.match(lines[end].text):
            end += 1
        rows = [d - 1, *range(d + 1, end)]
        if abs(lines[d - 1].text.count("|") - cols) > 1 or end == d + 1:
            continue
        if any(reasons[k] not in (None, "nav") for k in rows):
            continue
        for k in rows:
            if words[k] > 0 and not body[k]:
                body[k] = True
                reasons[k] = None
                changed = True
    return changed


def _announces(text: str, words: float, reason: str | None) -> bool:
    """A sentence that announces what follows ("As an example, let's reuse the Cow example:"): it ends in a
    colon, has at least ``LISTS["min_intro_words"]`` words and no rule removed it."""
    return reason is None and words >= params.LISTS["min_intro_words"] and text.rstrip().endswith(":")


def _keep_tiny_page(pf: PageFeatures, words: np.ndarray, body: np.ndarray, reasons: list) -> bool:
    """A page whose whole text is a few words (fewer than ``NOT_ARTICLE["tiny_page_words"]``: a test page, a
    one-line note) has nothing to tell content from chrome by: every line no rule removed and matching no
    chrome pattern is its content, without a title taken off it (downstream filters judge whether a few words
    are worth a document). Returns whether the page is that small."""
    if float(words.sum()) >= params.NOT_ARTICLE["tiny_page_words"]:
        return False
    for i in range(len(body)):
        if words[i] > 0 and reasons[i] is None and not pf.categories[i]:
            body[i] = True
    return bool(body.any())


def _keep_forum(span: tuple[int, int] | None, pf: PageFeatures, words: np.ndarray, body: np.ndarray,
                reasons: list) -> None:
    """A page that is a forum thread (``comments.forum_span``: stamps from the top, no article above them; no
    comments are dropped then) has its posts as content: every line of the thread that no rule removed and that matches no chrome pattern is
    kept, names and dates included (a forum post is its author, date and text)."""
    if span is None:
        return
    for i in range(*span):
        if words[i] > 0 and reasons[i] is None and not pf.categories[i]:
            body[i] = True


def _drop_comments(lines: list[Line], pf: PageFeatures, body: np.ndarray, reasons: list) -> int | None:
    """Everything from the start of the reader comments under the article down is not article; returns that
    start (None: no comments)."""
    start = comments.thread_start(lines, pf, body)
    if start is None:
        return None
    for i in range(start, len(lines)):
        if body[i] or not reasons[i]:
            reasons[i] = "comments"
        body[i] = False
    return start


def _ends_sentence(pf: PageFeatures, lines: list[Line] | None) -> np.ndarray:
    """Whether each line ends a sentence: the features' ``ends_sentence``, or a sentence followed by its
    reference marks ("... of New Zealand.[101]", "... citizens.[136][n 7]": an encyclopedia's or a paper's
    paragraph, which the features read as ending in a bracket)."""
    ends = pf.X[:, _COL["ends_sentence"]] == 1
    if lines is not None:
        ends |= np.array([ln.text.endswith("]") and bool(_CITED_SENTENCE.search(ln.text)) for ln in lines], dtype=bool)
    return ends


def _keep_running_text(pf: PageFeatures, words: np.ndarray, body: np.ndarray,
                       lines: list[Line] | None = None) -> np.ndarray:
    """Long running text is kept whatever the model says: a paragraph of many words that ends a sentence, is
    not cut off and reads like the page's language (stop words) is content on any page (a blog's front
    page of whole posts, a forum post, a document); teasers are short or cut off. Rules applied afterwards
    (comments under an article, chrome patterns) still remove it. Returns the lines it marked."""
    cfg = params.RUNNING_TEXT
    X = pf.X
    ok = (words >= cfg["min_words"]) & _ends_sentence(pf, lines) & (X[:, _COL["ends_ellipsis"]] == 0)
    if pf.stoplist:
        ok &= X[:, _COL["stop_density"]] >= cfg["min_stop_density"]
    ok &= np.array([not c for c in pf.categories], dtype=bool)
    # among comment stamps (two in the 30 lines above): a reader's comment, not a post
    ok &= X[:, _COL["stamps_above_w30"]] < 2
    # running text is paragraphs in a row: a lone long line among short ones is a comment or a teaser
    idx = np.flatnonzero(ok)
    near = np.zeros(len(ok), dtype=bool)
    if len(idx) > 1:
        close = np.diff(idx) <= cfg["max_gap"] + 1
        near[idx[1:][close]] = True
        near[idx[:-1][close]] = True
    ok &= near
    body |= ok
    return ok


def _keep_article_run(pf: PageFeatures, words: np.ndarray, body: np.ndarray, reasons: list,
                      running: np.ndarray | None = None) -> None:
    """The article is one run of lines: a kept block below the main one, far from it (many removed lines
    between) or under a "Related stories" heading, much shorter and on another topic (a sidebar, a teaser list
    under the comment form, a news stream) is not article. Blocks above the main one stay: when the model took
    a long teaser list for the main block, the article above it is not lost."""
    cfg = params.ARTICLE_RUN
    kept = np.flatnonzero(body)
    if len(kept) < 2:
        return
    def heading(i: int) -> bool:
        return "related_headlines" in pf.categories[i] and words[i] <= cfg["heading_words"]

    def small_box(a: int, b: int) -> bool:  # a "Related links" heading and a short link inside the article
        return b - a - 1 <= params.HYSTERESIS["skip_callouts"] and all(
            heading(i) or (words[i] <= params.HYSTERESIS["box_line_words"] and not pf.X[i, _COL["ends_sentence"]])
            for i in range(a + 1, b))

    blocks, cur = [], [int(kept[0])]
    for a, b in zip(kept[:-1], kept[1:]):
        if b - a - 1 <= cfg["join_gap"] and (small_box(a, b) or not any(heading(i) for i in range(a + 1, b))):
            cur.append(int(b))
        else:
            blocks.append(cur)
            cur = [int(b)]
    blocks.append(cur)
    if len(blocks) < 2:
        return
    size = [float(words[b].sum()) for b in blocks]
    m = int(np.argmax(size))
    main_vocab = _vocabulary(pf, blocks[m])
    for k, blk in enumerate(blocks):
        if k <= m or size[k] >= cfg["max_share"] * size[m]:  # what comes before the main block stays
            continue
        between = range(blocks[m][-1] + 1, blk[0])
        if len(between) < cfg["far_lines"] and not any(heading(i) for i in between):  # near, and no "Related stories" heading between
            continue
        if running is not None and float(words[[i for i in blk if running[i]]].sum()) >= cfg["running_share"] * size[k]:
            continue  # long running text: a whole post, not a teaser list
        n, total = _words_in(pf, blk, main_vocab)
        if (n / total if total else 0.0) >= cfg["max_shared"]:
            continue
        for i in blk:
            body[i] = False
            reasons[i] = reasons[i] or "off_run"


def _vocabulary(pf: PageFeatures, rows) -> set:
    """The content words of these lines."""
    out: set = set()
    for i in rows:
        out |= pf.content[i]
    return out


def _words_in(pf: PageFeatures, rows, vocab: set) -> tuple[int, int]:
    """How many of these lines' content words (each line's once) are in ``vocab``, and how many there are:
    do the lines speak of what ``vocab``'s lines speak of?"""
    content = [w for i in rows for w in pf.content[i]]
    return sum(1 for w in content if w in vocab), len(content)


def _drop_headline_streams(pf: PageFeatures, words: np.ndarray, body: np.ndarray, reasons: list) -> None:
    """A stream of other stories' headlines at the top of the kept body goes: the body's first lines, at
    least ``STREAM["min_lines"]`` of them, each short (a headline's length), few ending a sentence, whose
    content words the body under them hardly uses (a news site's "latest" stream a text dump renders above
    the article, its links gone). An article's own opening list (key points, ingredients, contents) speaks
    of what the article speaks of; a stream speaks of other stories."""
    cfg = params.STREAM
    kept = np.flatnonzero(body)
    ends = pf.X[:, _COL["ends_sentence"]]
    run = 0
    while run < len(kept) and 0 < words[kept[run]] <= cfg["max_words"]:
        run += 1
    if run < cfg["min_lines"] or float(words[kept[run:]].sum()) < cfg["body_words"]:
        return
    head = kept[:run]
    if float(ends[head].sum()) > cfg["max_sentences"] * run:
        return
    n, total = _words_in(pf, head, _vocabulary(pf, kept[run:]))
    if total and n > cfg["max_shared"] * total:
        return
    for i in head:
        body[i] = False
        reasons[i] = reasons[i] or "headline_stream"


def _bridge_sections(p: np.ndarray, pf: PageFeatures, words: np.ndarray, body: np.ndarray, reasons: list) -> None:
    """A section of the article the model only doubted, between two kept lines, is article: a stretch longer
    than a hole (more than ``HOLES["max_lines"]`` lines with words, at most ``BRIDGE["max_lines"]`` lines) that
    no rule removed and that matches no chrome pattern, whose lines all score at least ``min_p`` and on average
    ``min_mean_p``, are mostly sentences or list items rather than labels (median ``min_median_words`` words:
    a chart's axis labels are one or two), and whose content words are mostly (``min_shared``) words the kept
    body uses too. A technical article's bulleted sections, a table of contents, a reference page's short
    entries read like a menu to the model, but they speak of what the article speaks of; a list of other
    stories or books between two kept lines shares few words with the body."""
    cfg = params.BRIDGE
    kept = np.flatnonzero(body)
    vocab = _vocabulary(pf, kept)
    for a, b in zip(kept[:-1], kept[1:]):
        if b - a - 1 > cfg["max_lines"]:
            continue
        gap = [i for i in range(a + 1, b) if words[i] > 0]
        if len(gap) <= params.HOLES["max_lines"] or any(reasons[i] is not None or pf.categories[i] for i in gap):
            continue
        if float(np.min(p[gap])) < cfg["min_p"] or float(np.mean(p[gap])) < cfg["min_mean_p"]:
            continue
        if float(np.median(words[gap])) < cfg["min_median_words"]:
            continue
        n, total = _words_in(pf, gap, vocab)
        if total and n >= cfg["min_shared"] * total:
            body[gap] = True


def _fill_holes(p: np.ndarray, pf: PageFeatures, words: np.ndarray, body: np.ndarray, reasons: list) -> None:
    """The article is one run of lines: a short hole in it (a subheading, a line of code, a list item the
    model doubted) between two kept lines is article too, unless a rule removed it or it is chrome-like."""
    cfg = params.HOLES
    kept = np.flatnonzero(body)
    for a, b in zip(kept[:-1], kept[1:]):
        if b - a - 1 == 0 or b - a - 1 > cfg["max_lines"]:
            continue
        hole = range(a + 1, b)
        if any(reasons[i] is not None or pf.categories[i] for i in hole):
            continue
        if min(float(p[i]) for i in hole) < cfg["min_p"]:
            continue
        for i in hole:
            if words[i] > 0:
                body[i] = True


def _fallback(p: np.ndarray, words: np.ndarray, body: np.ndarray) -> None:
    cfg = params.FALLBACK
    if float(words[body].sum()) >= cfg["min_body_words"] or len(p) == 0:
        return
    cut = max(cfg["min_p"], cfg["rel_p"] * float(p.max()))
    ok = p >= cut
    # the run of near-body lines (short gaps allowed) around the best line
    best = int(np.argmax(p * np.log1p(words)))
    lo = hi = best
    while lo > 0 and (ok[lo - 1] or (lo > 1 and ok[lo - 2])):
        lo -= 1
    while hi < len(p) - 1 and (ok[hi + 1] or (hi < len(p) - 2 and ok[hi + 2])):
        hi += 1
    body[lo : hi + 1] |= ok[lo : hi + 1]


def _hysteresis(p: np.ndarray, pf: PageFeatures, body: np.ndarray) -> None:
    """Two thresholds, as in edge detection: a sentence scoring a little under the threshold is kept when
    the line next to it is kept (the last paragraph before a "Related" box, the first after a caption),
    looking past a callout or two ("Also read | ...") between them, or past a small "Related links" box
    inside the article (its heading and a short link under it)."""
    low, skip = params.HYSTERESIS["low"], params.HYSTERESIS["skip_callouts"]
    X = pf.X
    words = X[:, _COL["words"]]
    ok = (p >= low) & (X[:, _COL["ends_sentence"]] == 1) & ~body
    callout = np.array([bool(_HARD & set(c)) for c in pf.categories], dtype=bool)  # "Also read | ..." inside
    heading = np.array(["related_headlines" in c for c in pf.categories], dtype=bool) & (
        words <= params.ARTICLE_RUN["heading_words"])
    short = (words <= params.HYSTERESIS["box_line_words"]) & (X[:, _COL["ends_sentence"]] == 0)
    n = len(p)
    for step in (1, -1):
        for i in (range(1, n) if step == 1 else range(n - 2, -1, -1)):
            if not ok[i]:
                continue
            j, boxed = i - step, False
            while 0 <= j < n and abs(i - j) <= skip and (callout[j] or heading[j] or short[j]):
                boxed |= bool(callout[j] or heading[j])
                j -= step
            if 0 <= j < n and body[j] and (j == i - step or boxed):
                body[i] = True


def _keep_prose_run(pf: PageFeatures, words: np.ndarray, body: np.ndarray, end: int | None = None) -> None:
    """When in doubt, keep the article: if the model kept (almost) nothing but the page has a run of
    sentences, that run is the body (a short post, an unusual layout); a list of teasers is still
    caught afterwards by the not-an-article check."""
    cfg = params.FALLBACK
    if float(words[body].sum()) >= cfg["min_body_words"]:
        return
    rs, re_ = pf.run if end is None else densest_run((pf.X[:end, _COL["prose0"]] - 0.35) * np.log1p(words[:end]))
    prose = pf.X[:, _COL["prose0"]]
    ok = np.zeros(len(body), dtype=bool)
    ok[rs:re_] = prose[rs:re_] >= cfg["run_min_prose"]
    if float(words[ok].sum()) >= cfg["run_min_words"]:
        body |= ok


def _reason(pf: PageFeatures, i: int) -> str:
    """Name the kind of chrome a model-removed line is, for --explain."""
    cats = pf.categories[i]
    if cats:
        return cats[0]
    X = pf.X
    since = X[i, _COL["since_related"]]
    after_article = X[i, _COL["related_after_run"]] or X[i, _COL["log_prose_before_related"]] > 4.0
    if since <= 12 or (since < 60 and after_article):
        return "related_headlines"  # under a "Related / Top stories" heading
    if X[i, _COL["updated_prefix"]] or (X[i, _COL["has_date"]] and X[i, _COL["words"]] <= 8):
        return "dateline"
    if X[i, _COL["ends_ellipsis"]] or (
        X[i, _COL["hl_prev"]] and X[i, _COL["words"]] >= 12 and X[i, _COL["coherence_lead"]] < 0.2
    ):
        return "teaser"
    return "low_score"


def _apply_evidence(lines: list[Line], pf: PageFeatures, body: np.ndarray, reasons: list, evidence) -> None:
    """Drop lines that recur across many documents of the corpus (a site's chrome)."""
    if evidence is None:
        return
    try:
        total = evidence.total
        total = int(total() if callable(total) else total)
    except Exception:
        return
    cfg = params.EVIDENCE
    if total < cfg["min_total"]:
        return
    need = max(cfg["min_count"], cfg["min_share"] * total)
    words = pf.X[:, _COL["words"]]
    hits = []
    for i, ln in enumerate(lines):
        if words[i] > cfg["max_words"]:
            continue
        key = ln.key
        if not key:
            continue  # never counted (evidence.line_hashes)
        try:
            c = int(evidence.count(key))
        except Exception:
            continue
        if c >= need:
            hits.append(i)
    body_words = float(words[body].sum())
    hit_words = float(sum(words[i] for i in hits if body[i]))
    if body_words and hit_words > cfg["max_body_share"] * body_words:
        hits = [i for i in hits if not body[i]]  # a syndicated copy, not chrome: only label
    for i in hits:
        body[i] = False
        reasons[i] = reasons[i] or "recurring"


def _not_article(lines: list[Line], pf: PageFeatures, body: np.ndarray,
                 running: np.ndarray | None = None) -> tuple[bool, str | None]:
    """Is the page a list of teasers (an index page) or empty? Only when confident, as on the HTML path
    (``winnow.clean.html.pagetype``): teasers count by the list entries they belong to, each under a
    headline of its own. A line repeated under every entry ("View this ad", "Read more") is a button, not a
    headline, so entries without headlines (classified ads, search results) are the page's content; a
    teaser seen twice (a second copy of the list) counts once; fewer than ``min_entries`` entries are a
    short post beside a few links."""
    cfg = params.NOT_ARTICLE
    X = pf.X
    kept = np.flatnonzero(body)
    words = X[:, _COL["words"]]
    total = float(words[kept].sum()) if len(kept) else 0.0
    # words of lines that could be sentences: a body of one- and two-word lines is a menu's items
    if float(sum(words[i] for i in kept if words[i] >= cfg["min_line_words"])) < cfg["min_body_words"]:
        return True, "no_body"
    vocab: dict = {}
    for i in kept:
        for w in pf.content[i]:
            vocab[w] = vocab.get(w, 0) + 1
    keys = [ln.key for ln in lines]
    seen_keys = Counter(keys)
    teaser_words, entries, paragraph = 0.0, set(), 0.0
    for i in kept:
        c = pf.content[i]
        shared = sum(1 for w in c if vocab.get(w, 0) > 1) / len(c) if c else 0.0
        cut = bool(X[i, _COL["ends_ellipsis"]]) or bool(X[i, _COL["ago"]])
        # under a headline of its own (a date line is not one: a blog's entries, a table's date column; nor
        # is a line repeated on the page, the button of every entry)
        headed = bool(X[i, _COL["hl_prev"]]) and i > 0 and not X[i - 1, _COL["has_date"]] \
            and seen_keys[keys[i - 1]] < cfg["button_repeats"]
        unrelated = (headed and shared < cfg["teaser_coherence"]
                     and cfg["teaser_min_words"] <= words[i] < cfg["article_paragraph_words"])
        if running is not None and running[i]:  # paragraphs of running text in a row: never teasers
            paragraph = max(paragraph, float(cfg["article_paragraph_words"]))
        elif (cut and headed) or unrelated:
            if keys[i] not in entries:
                teaser_words += words[i]
                entries.add(keys[i])
        elif not cut:
            paragraph = max(paragraph, float(words[i]))
    # confident only: one whole paragraph that is not a teaser says "article" (when in doubt, keep it)
    if paragraph >= cfg["article_paragraph_words"]:
        return False, None
    if len(entries) >= cfg["min_entries"] and teaser_words >= cfg["teaser_share"] * total:
        return True, "teaser_list"
    return False, None
