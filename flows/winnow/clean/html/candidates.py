"""Two extractors, one body: trafilatura's and readability's, compared by general signals.

Both run on the tree winnow already parsed. readability-lxml's summary is converted to
trafilatura's body format, so every later pass reads one kind of body whichever extractor
won; trafilatura runs once, in fast mode (without its own readability/jusText comparison,
which this module does with the real readability-lxml in hand).

readability-lxml's body is the one used (measured: it is the better of the two on every dev
data set once winnow's passes have run on it). trafilatura's is computed only when
readability's is in doubt (``doubtful``: too short, too much link text, or it makes the
page look like an index page), and then ``choose`` compares them by general signals: how much
text each has, how much of it is link text on the page, and how much of one the other holds.
The thresholds are data (``patterns.CHOOSER``), fitted by ``benchmarks/quality_html.py``
leave-one-data-set-out.
"""

from __future__ import annotations

import logging
import re
import types
from copy import copy
from dataclasses import dataclass

import lxml.html
from lxml import etree
from readability import Document
from readability import readability as _rd
from trafilatura.external import sanitize_tree
from trafilatura.settings import Extractor

from winnow.clean.html import patterns as pat
from winnow.clean.html.blocks import Block
from winnow.clean.html.parser import fragment

LOG = logging.getLogger(__name__)
_WORD = re.compile(r"\w+")
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.I)


_RUN_255 = re.compile(r"(?<!\s)\s{255,}")  # as readability's, tried only where a run of spaces starts
_TAB_SPACES = re.compile(r"\t|[ \t]{2,}")


def _clean(text: str) -> str:
    """readability's ``clean`` (same result), skipping each of its three regexes when the text
    cannot match it: it runs some 300 times a page, on texts up to the whole page's, and was a
    third of readability's time."""
    if len(text) >= 255:
        text = _RUN_255.sub(" " * 255, text)
    if "\n" in text:
        text = _collapse_newlines(text)
    if "\t" in text or "  " in text:  # [ \t]{2,} needs a tab or two spaces
        text = _TAB_SPACES.sub(" ", text)
    return text.strip()


def _collapse_newlines(text: str) -> str:
    """Every run of white space holding a newline becomes one newline: readability's
    ``re.sub(r"\\s*\\n\\s*", "\\n", text)`` in linear time (the regex tries again from every space
    of a run without a newline, and its first step leaves runs of 255 spaces)."""
    lines = text.split("\n")
    out = [lines[0].rstrip()]
    out += [s for s in (line.strip() for line in lines[1:-1]) if s]
    out.append(lines[-1].lstrip())
    return "\n".join(out)


def _text_length(elem) -> int:
    return len(_clean(elem.text_content() or ""))


def _no_description(*_args, **_kwargs) -> str:
    return ""


# readability's div test: a <div> none of whose descendants' tags starts like one of these
# (its regex is "<(blockquote|dl|div|...)" over the children's serialised HTML) becomes a <p>
_DIV_TO_P = re.fullmatch(r"<\(([a-z|]+)\)", _rd.REGEXES["divToPElementsRe"].pattern)
_BLOCK_PREFIXES = tuple(_DIV_TO_P[1].split("|")) if _DIV_TO_P else None
# elements whose text an HTML serialisation writes unescaped (a "<p" in their text is read as a tag)
_RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext",
                       "textarea", "title"})


def _block_tag(elem, *args, **kwargs):
    """What readability's div test needs of an element's serialised HTML, without serialising
    it: "<" and the tag of the first block element in it (``elem`` or a descendant), or ""
    when there is none. Every "<" of a serialisation starts a tag (text and attribute values
    have theirs escaped), so the regex finds a block tag in one exactly when this does. Where
    that does not hold (a comment, a namespaced or raw-text element) lxml serialises it, as
    readability does."""
    serialise = etree.tounicode if "method" in kwargs else etree.tostring
    if _BLOCK_PREFIXES is None:  # readability's regex is not the one this reads
        return serialise(elem, *args, **kwargs)
    for el in elem.iter():
        tag = el.tag
        if not isinstance(tag, str) or tag[:1] == "{" or tag.lower() in _RAW_TEXT:
            return serialise(elem, *args, **kwargs)
        if tag.lower().startswith(_BLOCK_PREFIXES):
            text = "<" + tag
            break
    else:
        text = ""
    return text if "method" in kwargs else text.encode()


def _fragment(html: str, *args, **kwargs):
    """readability makes its new paragraphs with ``fragment_fromstring("<p/>")``, a parse each:
    an empty element is made directly (the same element)."""
    empty = re.fullmatch(r"<(\w+)/>", html)
    if empty and not args and not kwargs:
        return lxml.html.html_parser.makeelement(empty[1])
    return lxml.html.fragment_fromstring(html, *args, **kwargs)


# Names of readability's module read instead of its own by the methods of ``_Readability``:
# the same results, faster. ``describe`` and ``text_content`` only format log messages (that
# nobody reads at debug level off, and ``describe`` keeps every node it saw in a global dict).
_FASTER = {"clean": _clean, "text_length": _text_length, "describe": _no_description, "text_content": _no_description}
_FASTER_IN = {"transform_misused_divs_into_paragraphs": {"tostring": _block_tag, "tounicode": _block_tag,
                                                          "fragment_fromstring": _fragment}}


def _with_faster_helpers(cls: type) -> type:
    """``cls`` with its own methods reading ``_FASTER`` where readability's module has
    ``clean``, ``text_length``…, and ``_FASTER_IN`` in one method (the library is not changed)."""
    scope = {**vars(_rd), **_FASTER}
    methods = {}
    for name, fn in vars(cls).items():
        if isinstance(fn, types.FunctionType):
            own = {**scope, **_FASTER_IN[name]} if name in _FASTER_IN else scope
            methods[name] = types.FunctionType(fn.__code__, own, fn.__name__, fn.__defaults__, fn.__closure__)
            methods[name].__kwdefaults__ = fn.__kwdefaults__
    return type(cls.__name__, (cls,), methods)


class _Readability(_with_faster_helpers(Document)):
    """readability-lxml on the tree winnow already parsed and stripped of scripts and styles.

    Its own ``_parse`` runs lxml_html_clean's Cleaner on every pass (scripts, styles,
    javascript links, comments): a third of its time, and nothing it removes is text on a
    tree without scripts and styles. This one copies the tree (each retry starts afresh, as
    with the Cleaner's copy) and drops what the Cleaner would drop that could hold text:
    hidden elements, comments and processing instructions."""

    def _parse(self, input):
        doc = copy(input)
        for elem in doc.xpath("//*[@hidden]"):
            elem.drop_tree()
        for elem in doc.xpath("//*[@style]"):
            if _DISPLAY_NONE.search(elem.get("style") or ""):
                elem.drop_tree()
        etree.strip_elements(doc, etree.Comment, etree.ProcessingInstruction, with_tail=False)
        return doc

    # Of an element without a class or an id readability's loop reads " " and skips it: only
    # the others are visited (the same removals, in the same order; the loop over every
    # element of the page was a fifth of readability's time).
    _NAMED = etree.XPath("descendant::*[@class or @id]")

    def remove_unlikely_candidates(self):
        unlikely, maybe = _rd.REGEXES["unlikelyCandidatesRe"], _rd.REGEXES["okMaybeItsACandidateRe"]
        for elem in self._NAMED(self.html):
            s = "{} {}".format(elem.get("class", ""), elem.get("id", ""))
            if (
                unlikely.search(s)
                and not maybe.search(s)
                and elem.tag not in ("html", "body")
                and not elem.xpath("ancestor-or-self::pre | ancestor-or-self::code")
                and not elem.xpath("descendant-or-self::main | descendant-or-self::article | descendant-or-self::math")
            ):
                elem.drop_tree()

    # Scoring asks each candidate for its link density, and every link's text length is
    # measured again for its parent, its grandparent...: a third of readability's time. The
    # tree does not change while the paragraphs are scored, so the lengths are kept meanwhile
    # (same figures, each measured once).
    _lengths: dict | None = None

    def score_paragraphs(self):
        self._lengths = {}
        try:
            return super().score_paragraphs()
        finally:
            self._lengths = None

    def get_link_density(self, elem):
        if self._lengths is None:
            return super().get_link_density(elem)
        link_length = sum(self._length(a) for a in elem.findall(".//a"))
        return float(link_length) / max(self._length(elem), 1)

    def _length(self, elem) -> int:
        n = self._lengths.get(elem)
        if n is None:
            n = self._lengths[elem] = _text_length(elem)
        return n


def readability_body(tree, include_comments: bool, include_tables: bool) -> etree._Element | None:
    """readability-lxml's main content of the page, as a trafilatura body (or None)."""
    try:
        summary = _Readability(tree).summary(html_partial=True)
        div = fragment(summary) if summary and summary.strip() else None
    except Exception as err:  # noqa: BLE001 - readability raises on pages without a body
        LOG.debug("readability-lxml: %s: %s", type(err).__name__, err)
        return None
    if div is None or not len(div):
        return None
    # A scrolling box (``<marquee>``) that readability counts as main content is text a
    # browser shows (a guest book, a notice); trafilatura's conversion deletes it with its words.
    for box in div.iter("marquee"):
        box.tag = "div"
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


def features(prefix: str, sig: Signals) -> dict[str, float]:
    """The chooser's inputs from one body: ``r_words``, ``r_link``… for readability's."""
    return {
        f"{prefix}_words": sig.words,
        f"{prefix}_link": sig.link_words / sig.words if sig.words else 0.0,
        f"{prefix}_paras": sig.paragraphs,
    }


def overlap(r: Signals, t: Signals) -> dict[str, float]:
    """How much of each body the other holds."""
    return {"r_in_t": containment(r, t), "t_in_r": containment(t, r)}


def doubtful(f: dict[str, float], params: dict[str, float] | None = None) -> bool:
    """Is readability's body in doubt (too short, or too much link text), so that
    trafilatura's is worth computing? Reads only readability's features."""
    p = params or pat.CHOOSER
    return (
        f["r_words"] < p["min_words"]
        or f["r_link"] > p["max_link"]
        # a short body on a page of many headline links: perhaps one teaser of an index page
        or (f["r_words"] < p["short_words"] and f["headlines"] >= p["many_headlines"])
    )


def choose(f: dict[str, float], params: dict[str, float] | None = None) -> str:
    """"trafilatura" or "readability" for a page whose readability body is in doubt.

    trafilatura's body wins when readability's found (almost) nothing and trafilatura's is
    longer; when readability's has ``link_margin`` more link text than trafilatura's and
    trafilatura's holds ``min_overlap`` of its words (the same article, less navigation); or
    when trafilatura's is ``longer`` times as long with no more link text (give or take
    ``link_margin``): readability took one block of a page whose text is spread over many
    (a forum thread, a list, a directory page)."""
    p = params or pat.CHOOSER
    if f["r_words"] < p["min_words"]:
        return "trafilatura" if f["t_words"] > f["r_words"] else "readability"
    if f["r_link"] > f["t_link"] + p["link_margin"] and f["r_in_t"] >= p["min_overlap"]:
        return "trafilatura"
    if f["t_words"] >= p["longer"] * f["r_words"] and f["t_link"] <= f["r_link"] + p["link_margin"]:
        return "trafilatura"
    return "readability"


def other(name: str) -> str:
    return "trafilatura" if name == "readability" else "readability"


def confident(chosen: str, not_article: dict[str, bool | None]) -> str:
    """Rejection is a confident act: when the chosen body makes the page look like an index
    page but the other extractor's body (when there is one) reads as an article, that one is used."""
    if not_article.get(chosen) and not_article.get(other(chosen)) is False:
        return other(chosen)
    return chosen


def fragment_of_index(f: dict[str, float], not_article: dict[str, bool | None],
                      params: dict[str, float] | None = None) -> bool:
    """readability's body is one piece of what trafilatura's body shows to be an index page
    (a teaser of a list): trafilatura calls the page not_article and holds readability's words,
    and readability's body is a small part of trafilatura's (``t_in_r`` under ``agree``: the
    rest is the list). When the two bodies agree (trafilatura's is mostly readability's
    words), trafilatura's verdict rests on the few lines beside the body: a short post beside
    a link list is an article."""
    p = params or pat.CHOOSER
    return (bool(not_article.get("trafilatura")) and f.get("r_in_t", 0.0) >= p["min_overlap"]
            and f.get("t_in_r", 0.0) < p.get("agree", pat.CHOOSER["agree"]))
