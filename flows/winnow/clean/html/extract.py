"""HTML pages: readability-lxml and trafilatura extract, winnow chooses and cleans up.

How a page is decided (details in the modules of this package):

1. parse once (``parser``: trafilatura's loader; a fragment as a page's body); no tree → empty extraction;
   scripts and styles dropped, empty blocks followed by text turned into line breaks, and a
   space kept wherever an extractor's removals would fuse two words;
2. metadata (trafilatura's readers: ``metadata``) and the page's link texts, from that tree;
3. readability-lxml's body; trafilatura's (fast mode, precision unless
   ``html_favor_precision = false``, comments off) only when readability's is in doubt, and
   then the better one by general signals (``candidates``; ``html_extractor`` forces one);
4. the body becomes blocks (lines) that know their share of link text on the page; a body
   split over identical containers gets its missing chunks back (``chunks``);
5. winnow's own removals, each recorded in ``Extraction.removed``: the title repeated as
   the first line (``title_repeat``), related-story callouts (``related_stories``),
   promotional lines (``promo``);
6. a page whose body is a list of headlines and teasers is ``not_article`` (index page), only
   when the other extractor does not find an article there; the body judged is kept in
   ``removed`` (reason ``not_article``);
7. a body of a few words (or none; not an index page's) gives trafilatura without its precision
   mode a say (``fuller``): its body is used when many times as long.

``clean_html`` never raises: any failure gives an empty extraction. Steps 5 and 6 are
switched by ``clean.html_remove_related`` and ``clean.html_detect_index_pages``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib.metadata import version

from lxml import etree

import trafilatura
from trafilatura.settings import MANUALLY_CLEANED
from trafilatura.xpaths import OVERALL_DISCARD_XPATH, PRECISION_DISCARD_XPATH, TEASER_DISCARD_XPATH

from winnow.clean.html import patterns as pat
from winnow.clean.html.blocks import Block, LinkIndex, blocks_from_body, count_words
from winnow.clean.html.chrome import promo_lines, title_repeats
from winnow.clean.html.candidates import (
    choose, confident, doubtful, features, fragment_of_index, other, overlap, readability_body, signals,
)
from winnow.clean.html.chunks import recover_chunks
from winnow.clean.html.metadata import page_metadata
from winnow.clean.html.parser import load_html
from winnow.clean.html.pagetype import PageStructure, index_page_reason
from winnow.clean.html.related import REASON as RELATED, find_related
from winnow.records import Extraction, Removed
from winnow.settings import CleanSettings

LOG = logging.getLogger(__name__)
EXTRACTOR = "trafilatura"
EXTRACTORS = {"trafilatura": "trafilatura", "readability": "readability-lxml", "balanced": "trafilatura"}  # whose body a document has
_VERSIONS = {name: version(name) for name in EXTRACTORS.values()}
FULLER_FLOOR = 5  # a body of fewer words counts as this many for ``fuller`` (an empty one too)
MAX_HTML_CHARS = 20_000_000  # trafilatura's own MAX_FILE_SIZE; longer input is cut


# Scripts and styles are never text; JSON-LD stays, trafilatura reads metadata from it.
_CODE = "//script[not(contains(@type, 'ld+json'))]|//style"


def _drop_code(tree) -> None:
    """Remove scripts and styles before anything reads text: a script inside a headline
    would otherwise end up in the title (trafilatura's metadata reads the h1's text)."""
    for el in tree.xpath(_CODE):
        el.drop_tree()


# Elements that end a line when rendered.
_BLOCKS = frozenset({
    "address", "article", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre", "section", "summary", "table", "td",
    "th", "tr", "ul",
})
# ... and those trafilatura always removes with their content.
_BREAKING = frozenset(MANUALLY_CLEANED) | _BLOCKS
# Block containers that trafilatura's precision mode deletes, when empty, together with the
# text after them ("<p></p>Second paragraph" loses the paragraph). Not table parts: an empty
# cell is part of the table's shape.
_EMPTY_BLOCKS = tuple(sorted(_BLOCKS - {"hr", "table", "tr", "td", "th"}))


def _empty_blocks_to_breaks(tree) -> None:
    """An empty block element followed by text becomes a line break (as a browser shows it),
    so that the text after it survives."""
    for el in tree.iter(*_EMPTY_BLOCKS):
        if len(el) == 0 and not (el.text and el.text.strip()) and el.tail and el.tail.strip():
            el.tag, el.text = "br", None
            el.attrib.clear()


# Elements trafilatura discards by class or id (share bars, "related" boxes, teasers...).
_DISCARDED = (*OVERALL_DISCARD_XPATH, *TEASER_DISCARD_XPATH, *PRECISION_DISCARD_XPATH)


def _discarded_inline(tree) -> set:
    """Inline elements that trafilatura will discard by class or id and whose tail would touch
    the text before them. Only such elements are checked (trafilatura's discard rules over the
    whole page would cost a fifth of the cleaning time): a tail rarely starts without a space."""
    out: set = set()
    checked: dict = {}
    for el in tree.xpath("//*[@class or @id]"):
        if el.tag in _BREAKING or not (el.tail and el.tail[0].isalnum()):
            continue
        parent = el.getparent()
        if parent is None:
            continue
        if parent not in checked:
            checked[parent] = {hit for xpath in _DISCARDED for hit in xpath(parent)}
        if el in checked[parent]:
            out.add(el)
    return out


def _keep_word_breaks(tree) -> None:
    """When trafilatura removes an element it glues the text after it to the text before it
    ("delta<nav>menu</nav>tail" -> "deltatail"); a browser would break the line there, or
    show the removed words between them.

    One pass over the text in document order: the first text after the end of a
    line-breaking element, or of one trafilatura will discard, gets a leading space.
    Empty text is left alone (an empty tail turned into a space changes how trafilatura
    reads figures)."""
    discarded = _discarded_inline(tree)
    boundary = False  # such an element ended since the last text
    for event, el in etree.iterwalk(tree, events=("start", "end")):  # (inlined: it visits every element)
        if event == "start":
            text = el.text
            if text and isinstance(el.tag, str):  # not a comment or processing instruction
                if boundary and not text[0].isspace():
                    el.text = " " + text
                boundary = False
        else:
            if not boundary and isinstance(el.tag, str) and (el.tag in _BREAKING or el in discarded):
                boundary = True
            tail = el.tail
            if tail:
                if boundary and not tail[0].isspace():
                    el.tail = " " + tail
                boundary = False


def extractor_version(extractor: str) -> str:
    """"readability-lxml 0.9", "trafilatura 2.3.1": the library whose body a document has
    (``Extraction.extractor``; trafilatura when unknown, it reads the metadata)."""
    name = extractor if extractor in _VERSIONS else EXTRACTOR
    return f"{name} {_VERSIONS[name]}"


def clean_html(html: str, settings: CleanSettings | None = None, *, visible: bool = False) -> Extraction:
    """Title, body paragraphs, metadata and removals of one HTML page. Never raises. With
    ``visible``, also the page's visible text (``Extraction.visible``) read from the same parse."""
    try:
        return _clean(html, settings or CleanSettings(), visible=visible)
    except Exception as err:  # noqa: BLE001 - a page must never stop the pipeline
        LOG.warning("HTML cleaning failed (%s: %s); returning an empty extraction", type(err).__name__, err)
        return Extraction(title=None, paragraphs=[], extractor=EXTRACTOR)


def _run(tree, settings: CleanSettings, precision: bool, metadata: bool, fast: bool = False):
    return trafilatura.bare_extraction(
        tree,
        fast=fast,
        favor_precision=precision,
        include_comments=settings.html_include_comments,
        include_tables=settings.html_include_tables,
        with_metadata=metadata,
    )


def parse(html) -> etree._Element | None:
    """The page's tree (a fragment as a page's body) after the pre-passes, or None."""
    if isinstance(html, (bytes, bytearray)):
        html = bytes(html).decode("utf-8", errors="replace")
    if not isinstance(html, str) or not html.strip():
        return None
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
    tree = load_html(html)
    if (tree is None and "<" in html) or (tree is not None and tree.tag != "html"):
        # a bare fragment ("<p>…</p>"): trafilatura refuses some and mis-reads others
        # (it drops the space left where it removed an element); cleaned as a page's body
        tree = load_html(f"<html><body>{html}</body></html>")
    if tree is None:
        return None
    _drop_code(tree)
    _empty_blocks_to_breaks(tree)
    _keep_word_breaks(tree)
    return tree


@dataclass
class Analysis:
    """One page: parsed once, readability's body, trafilatura's when asked for."""

    tree: etree._Element
    meta: object  # trafilatura's metadata fields
    links: LinkIndex
    settings: CleanSettings
    blocks: dict = field(default_factory=dict)  # extractor -> its body's lines (None: no body)
    signals: dict = field(default_factory=dict)
    features: dict = field(default_factory=dict)  # the chooser's inputs
    _source: PageStructure | None = None
    visible: str | None = None  # the page's visible text (winnow.dedup.visible), when asked for

    @property
    def source(self) -> PageStructure:
        """The page seen from extracted lines, built once for both bodies (the extractors
        work on copies: the tree does not change)."""
        if self._source is None:
            self._source = PageStructure(self.tree)
        return self._source

    def run(self, name: str) -> None:
        """Extract the body of ``name`` ("readability" or "trafilatura") once."""
        if name in self.blocks:
            return
        s = self.settings
        if name == "readability":
            body = readability_body(self.tree, s.html_include_comments, s.html_include_tables)
        else:  # "trafilatura", or "balanced": trafilatura without its precision mode
            precision = s.html_favor_precision and name == "trafilatura"
            doc = _run(self.tree, s, precision=precision, metadata=False, fast=True)
            body = getattr(doc, "body", None)
        self.blocks[name] = blocks_from_body(body, self.links) if body is not None else None
        if name == "balanced":
            return
        self.signals[name] = signals(self.blocks[name] or [])
        self.features.update(features(name[0], self.signals[name]))
        if len(self.signals) == 2:
            self.features.update(overlap(self.signals["readability"], self.signals["trafilatura"]))


def analyse(html, settings: CleanSettings, visible: bool = False) -> Analysis | None:
    """Parse once, the metadata, the page's links, and readability's body (unless
    ``html_extractor`` asks for trafilatura's only); with ``visible``, the page's visible text
    first, from the tree as parsed."""
    tree = parse(html)
    if tree is None:
        return None
    page = Analysis(tree, page_metadata(tree), LinkIndex(tree), settings)
    if visible:
        from winnow.dedup.visible import visible_text_of_tree

        page.visible = visible_text_of_tree(tree)
    page.features["headlines"] = page.links.headlines  # links with the length of a headline
    if settings.html_extractor != "trafilatura":
        page.run("readability")
    return page


def _clean(html, settings: CleanSettings, extractor: str | None = None, chooser: dict | None = None,
           visible: bool = False) -> Extraction:
    """``extractor`` forces one body ("trafilatura", "readability"); ``chooser`` overrides the
    chooser's thresholds (both for the benchmark's leave-one-data-set-out fits)."""
    page = analyse(html, settings, visible)
    if page is None:
        return Extraction(title=None, paragraphs=[], extractor=EXTRACTOR)
    if settings.html_extractor != "auto":
        extractor = extractor or settings.html_extractor
    if extractor:
        page.run(extractor)
        result = finish(page, extractor, settings)
    else:
        result = fuller(page, _choose(page, settings, chooser), settings, chooser)
    result.visible = page.visible
    return result


def _choose(page: Analysis, settings: CleanSettings, chooser: dict | None) -> Extraction:
    """readability's body or trafilatura's, finished (``candidates``)."""
    name = "readability"
    if doubtful(page.features, chooser):
        page.run("trafilatura")
        name = choose(page.features, chooser)
    if page.blocks[name] is None:
        name = other(name)
        page.run(name)
    result = finish(page, name, settings)
    if result.not_article:  # a confident act: the other extractor must agree ...
        page.run(other(name))
        second = finish(page, other(name), settings)
        verdicts = {name: True, other(name): verdict(second)}
        if name == "trafilatura" and fragment_of_index(page.features, verdicts, chooser):
            return result  # ... unless readability's body is one teaser of trafilatura's list
        if confident(name, verdicts) != name:
            return second
    elif name == "readability" and page.blocks.get("trafilatura") is not None:
        second = finish(page, "trafilatura", settings)
        if fragment_of_index(page.features, {"trafilatura": verdict(second)}, chooser):
            return second
    return result


def body_words(result: Extraction, limit: int | None = None) -> int:
    """Words of the body (counting stops at ``limit``, when given)."""
    n = 0
    for p in result.paragraphs:
        n += count_words(p)
        if limit is not None and n >= limit:
            break
    return n


def fuller(page: Analysis, result: Extraction, settings: CleanSettings, chooser: dict | None = None) -> Extraction:
    """When the body found has (almost) no words, trafilatura without its precision mode gets a
    say: its body is used when it is ``fuller`` times as long (it still goes through winnow's
    passes). Precision mode and readability both drop a text they cannot place (a page laid
    out in tables, a page without paragraphs); a body of a few words is in doubt, and when in
    doubt winnow keeps the article. A page judged an index page is left alone."""
    p = chooser or pat.CHOOSER
    n = body_words(result, limit=p["tiny_words"])
    if n >= p["tiny_words"] or result.not_article:  # an index page both extractors agreed on stays one
        return result
    name = "balanced" if settings.html_favor_precision else "trafilatura"  # (without precision: the same body)
    page.run(name)
    if page.blocks[name] is None:
        return result
    second = finish(page, name, settings)
    return second if body_words(second) >= p["fuller"] * max(n, FULLER_FLOOR) else result


def verdict(result: Extraction) -> bool | None:
    """not_article of one body; None when that body has no text (it has no say)."""
    return True if result.not_article else (False if result.paragraphs else None)


def finish(page: Analysis, name: str, settings: CleanSettings) -> Extraction:
    """winnow's own passes on the chosen body: lines, split bodies, title, related stories,
    promotions, index pages."""
    meta, links = page.meta, page.links
    LOG.debug("%s body: %s", name, getattr(meta, "url", None))
    title = _clean_str(getattr(meta, "title", None))

    source = page.source
    blocks = recover_chunks(page.blocks[name] or [], source, links)

    reasons: dict[int, str] = {}
    scores: dict[int, float] = {}
    for i in title_repeats(blocks, title):
        reasons[i] = "title_repeat"
    if settings.html_remove_related:
        for i in find_related(blocks, links.share, protected=set(reasons)):
            reasons[i] = RELATED
            scores[i] = blocks[i].link_share
    for i in promo_lines(blocks, skip=set(reasons)):
        reasons[i] = "promo"
        scores[i] = blocks[i].link_share

    kept = [b for i, b in enumerate(blocks) if i not in reasons]
    removed = _removals(blocks, reasons, scores)

    not_article_reason = None
    if settings.html_detect_index_pages:
        not_article_reason = index_page_reason(
            blocks, source, links, meta, skip={i for i, r in reasons.items() if r == "title_repeat"}
        )
    if not_article_reason:  # the body the verdict was made on stays with the page, line by line
        removed += [Removed(text=b.text, reason="not_article") for b in kept]
    return Extraction(
        title=title,
        paragraphs=[] if not_article_reason else [b.text for b in kept],
        author=_clean_str(getattr(meta, "author", None)),
        date=_clean_str(getattr(meta, "date", None)),
        url=_clean_str(getattr(meta, "url", None)),
        sitename=_clean_str(getattr(meta, "sitename", None)),
        removed=removed,
        extractor=EXTRACTORS[name],
        not_article=bool(not_article_reason),
        not_article_reason=not_article_reason,
    )


def _removals(blocks: list[Block], reasons: dict[int, str], scores: dict[int, float]) -> list[Removed]:
    """One ``Removed`` per run of consecutive blocks removed for the same reason."""
    out: list[Removed] = []
    run: list[int] = []

    def flush() -> None:
        if run:
            text = "\n".join(blocks[k].text for k in run)
            score = max((scores[k] for k in run if k in scores), default=None)
            out.append(Removed(text=text, reason=reasons[run[0]], score=None if score is None else round(score, 3)))
            run.clear()

    for i in sorted(reasons):
        if run and (i != run[-1] + 1 or reasons[i] != reasons[run[-1]]):
            flush()
        run.append(i)
    flush()
    return out


def _clean_str(value) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None
