"""Two extractors, one body: trafilatura's and readability's, compared by general signals.

trafilatura's own extraction runs once (fast mode: without its internal readability/jusText
comparison, which winnow does itself here with readability's result in hand). The second
candidate is readability's algorithm (trafilatura's maintained fork of readability-lxml, run
on the tree already parsed) converted to trafilatura's body format, so every later pass reads
one kind of body whichever extractor won.

The choice (``choose``) looks only at page-independent signals of the two bodies: how much
text each has, how much of it is link text on the page, how many paragraphs, and how much of
one the other contains. Its thresholds are data (``patterns.CHOOSER``), fitted by
``benchmarks/quality_html.py`` leave-one-data-set-out.
"""

from __future__ import annotations

import logging
import re
from copy import copy
from dataclasses import dataclass

from lxml import etree
import lxml.html
from readability import Document
from trafilatura.external import sanitize_tree
from trafilatura.settings import Extractor

from winnow.clean.html import patterns as pat
from winnow.clean.html.blocks import Block

LOG = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")


def readability_body(tree, include_comments: bool, include_tables: bool) -> etree._Element | None:
    """readability-lxml's main content of the page, as a trafilatura body (or None)."""
    try:
        summary = Document(copy(tree)).summary(html_partial=True)
        div = lxml.html.fragment_fromstring(summary) if summary and summary.strip() else None
    except Exception as err:  # noqa: BLE001 - readability raises on pages without a body
        LOG.debug("readability-lxml: %s: %s", type(err).__name__, err)
        return None
    if div is None or not len(div):
        return None
    options = Extractor(comments=include_comments, tables=include_tables)
    body, _ = sanitize_tree(div, options)
    return body if body is not None and len(body) else None


@dataclass(frozen=True)
class Signals:
    """What the chooser compares (per candidate body)."""

    words: int  # words of the body
    paragraphs: int  # lines with prose (>= 10 words)
    link_words: int  # words of lines that are mostly link text on the page
    vocabulary: frozenset  # distinct words, case-folded (how much of one body the other holds)


def signals(blocks: list[Block]) -> Signals:
    words = paragraphs = link_words = 0
    vocab: set[str] = set()
    for b in blocks:
        words += b.words
        paragraphs += b.words >= 10
        if b.link_share >= pat.LINK_DOMINATED:
            link_words += b.words
        vocab.update(w.casefold() for w in _WORD.findall(b.text))
    return Signals(words, paragraphs, link_words, frozenset(vocab))


def containment(a: Signals, b: Signals) -> float:
    """Share of ``a``'s distinct words also in ``b``."""
    return len(a.vocabulary & b.vocabulary) / len(a.vocabulary) if a.vocabulary else 0.0


def features(t: Signals, r: Signals, page_words: int) -> dict[str, float]:
    """The chooser's inputs, trafilatura (t) against readability (r), and the words of the page."""
    return {
        "page_words": page_words,
        "t_share": t.words / page_words if page_words else 0.0,
        "t_words": t.words,
        "r_words": r.words,
        "ratio": (r.words + 1) / (t.words + 1),
        "t_link": t.link_words / t.words if t.words else 0.0,
        "r_link": r.link_words / r.words if r.words else 0.0,
        "t_paras": t.paragraphs,
        "r_paras": r.paragraphs,
        "t_in_r": containment(t, r),
        "r_in_t": containment(r, t),
    }


def choose(f: dict[str, float], params: dict[str, float] | None = None) -> str:
    """"trafilatura" or "readability" for one page's features."""
    p = params or pat.CHOOSER
    if f["r_words"] == 0:
        return "trafilatura"
    if f["t_words"] < p["min_words"]:
        return "readability"  # trafilatura found (almost) nothing
    # readability has clearly more prose, which is not link lists, and it keeps what
    # trafilatura found (so it is the article with more of it, not another block)
    if (
        f["ratio"] >= p["more_ratio"]
        and f["r_link"] <= p["max_link"]
        and f["t_in_r"] >= p["min_overlap"]
    ):
        return "readability"
    # readability is a cleaner subset: trafilatura's extra words are mostly link text
    if f["ratio"] <= 1.0 and f["t_link"] > f["r_link"] + p["link_margin"] and f["r_in_t"] >= p["min_overlap"]:
        return "readability"
    return "trafilatura"
