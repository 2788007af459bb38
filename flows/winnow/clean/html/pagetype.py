"""Index pages: a list of headlines and teasers is not an article.

trafilatura returns such a page as a soup: the linked headlines are dropped or kept as a
list, the teaser paragraphs under them come back as if they were body paragraphs. The
structure of the source page tells them apart, in any language:

- a *linked* block is mostly link text (a headline of the list);
- a *teaser* is a paragraph that sits in a small unit (its ancestor within
  ``UNIT_MAX_DEPTH`` levels, at most ``UNIT_EXTRA_WORDS`` words larger than the paragraph)
  together with a link of headline length: ``<article><h2><a>…</a></h2><p>teaser</p>``,
  or inside such a link (a card). A paragraph of an article sits in the article's
  container with its sibling paragraphs, a unit far too big to count;
- *prose* is what is left.

Teasers count by the list entries they belong to (the headline link or card that makes each
one a teaser): a list is repetition. The paragraphs of a single entry are a post under its
own linked title (on a short post's page the whole content column is a unit that small, with
the previous post's link in it), so they are prose.

A page is not an article when its extracted body has at least ``MIN_UNITS`` linked blocks
and teaser entries and prose is a small share of it (stricter when the page's metadata calls
it an article), or when no body was found on a page full of headline links. The reason
string says which, with the counts.
"""

from __future__ import annotations

from statistics import median

from lxml import etree

from winnow.clean.html import patterns as pat
from winnow.clean.html.blocks import HEADLINE_WORDS, Block, LinkIndex, SourceMap, is_read_more
from winnow.clean.html.related import is_linked_headline

MIN_UNITS = 4  # linked headlines + teasers needed to call a page an index
MIN_UNITS_ARTICLE = 6  # … when the page's metadata says it is an article (listicles look alike)
MAX_PROSE_SHARE = 0.35  # … when prose is at most this share of the body's words
MAX_PROSE_SHARE_ARTICLE = 0.2  # … stricter when the page's metadata says it is an article
MAX_PROSE_WORDS = 250  # more prose than this is an article whatever surrounds it
MIN_ENTRIES = 2  # teasers of fewer list entries than this are a post under its title: prose
POST_MEDIAN_WORDS = 100  # "teasers" this long (median) are whole posts under their titles (a blog's front page)
NO_BODY_MIN_HEADLINES = 12  # an empty extraction on a page with this many headline links
UNIT_MAX_DEPTH = 4
UNIT_EXTRA_WORDS = 60
ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle"}

_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "a", "dt"}


class PageStructure(SourceMap):
    """The source page with the structure of list entries: is a paragraph a teaser?"""

    def _is_headline_link(self, a: etree._Element, extra_words: int | None = None) -> bool:
        n = extra_words if extra_words is not None else self.words(a)
        return HEADLINE_WORDS[0] <= n <= HEADLINE_WORDS[1]

    def _is_headline_element(self, el: etree._Element) -> bool:
        """A heading that is only a headline link: ``<h2><a>Title</a></h2>`` (or a bare ``<a>``)."""
        if el.tag not in _HEADING_TAGS:
            return False
        if el.tag == "a":
            return self._is_headline_link(el)
        words = self.words(el)
        if words > HEADLINE_WORDS[1] + 3:
            return False
        return any(self._is_headline_link(a) and self.words(a) >= words - 3 for a in el.iter("a"))

    def _neighbour(self, el: etree._Element, previous: bool):
        """The siblings before (or after) ``el``, comments skipped."""
        step = (lambda e: e.getprevious()) if previous else (lambda e: e.getnext())
        sib = step(el)
        while sib is not None:
            if isinstance(sib.tag, str):
                yield sib
            sib = step(sib)

    def _neighbour_headline(self, el: etree._Element, previous: bool) -> etree._Element | None:
        """The headline element next to ``el`` (one short line of meta, a date or a byline,
        may sit in between), or None."""
        for i, sib in enumerate(self._neighbour(el, previous)):
            if i >= 2:
                return None
            if self._is_headline_element(sib):
                return sib
            if self.words(sib) > 8:
                return None
        return None

    def _next_is_end(self, el: etree._Element) -> bool:
        """Nothing but a short line (at most) follows ``el`` in its parent: the last entry of a flat list."""
        for i, sib in enumerate(self._neighbour(el, previous=False)):
            if i >= 1 or self.words(sib) > 8:
                return False
        return True

    def is_teaser(self, el: etree._Element, words: int) -> bool:
        """Does this paragraph belong to a headline, as the teaser of a list entry?"""
        return self.teaser_entry(el, words) is not None

    def teaser_entry(self, el: etree._Element, words: int) -> etree._Element | None:
        """The list entry this paragraph is the teaser of (the element that stands for its
        headline), or None when it is no teaser.

        An entry when a headline link (or "Read more" link) shares a small unit with it (the
        link), when it sits inside such a link (a card: the link), or when it sits between
        headline elements in a flat list (``<h2><a>…</a></h2><p>teaser</p><h2>…``: the
        headline before it).
        """
        before = self._neighbour_headline(el, previous=True)
        if before is not None and (self._neighbour_headline(el, previous=False) is not None
                                   or self._next_is_end(el)):
            return before
        node = el
        for _ in range(UNIT_MAX_DEPTH):
            node = node.getparent()
            if node is None:
                return None
            unit_words = self.words(node)
            if unit_words > words + UNIT_EXTRA_WORDS:
                return None
            if node.tag == "a" and self._is_headline_link(node, unit_words - words):
                return node  # a card: the whole unit is one link
            for a in node.iter("a"):
                if _contains(el, a):
                    continue  # a link inside the paragraph itself
                if _contains(a, el):
                    if self._is_headline_link(a, self.words(a) - words):
                        return a
                    continue
                if self._is_headline_link(a) or is_read_more(a.text_content()):
                    return a
        return None


def _contains(outer: etree._Element, inner: etree._Element) -> bool:
    return any(anc is outer for anc in inner.iterancestors())


def page_profile(blocks: list[Block], source: PageStructure, skip: set[int]) -> dict:
    """Word counts of linked, teaser and prose blocks of the extracted body.

    Teasers are the entries of a list: paragraphs that belong to a single entry (the post
    under its own linked title, ``<h2><a>Title</a></h2><p>post</p>``: a post's page looks like
    one entry of a list) are prose, and so are "teasers" whose median length is a post's
    (``POST_MEDIAN_WORDS``: the posts of a front page)."""
    linked = prose = units = 0
    teasers: list[int] = []
    entries: set = set()
    for i, b in enumerate(blocks):
        if i in skip:
            continue
        if b.link_share >= pat.LINK_DOMINATED:
            linked += b.words
            units += is_linked_headline(b)
            continue
        el = source.locate(b.text)
        entry = source.teaser_entry(el, b.words) if el is not None and b.words >= 5 else None
        if entry is not None:
            teasers.append(b.words)
            entries.add(entry)  # (kept alive here: one proxy per element)
        else:
            prose += b.words
    if teasers and (len(entries) < MIN_ENTRIES or median(teasers) > POST_MEDIAN_WORDS):
        prose, teasers, entries = prose + sum(teasers), [], set()
    return {"linked": linked, "teaser": sum(teasers), "prose": prose, "units": units + len(entries)}


def index_page_reason(
    blocks: list[Block], source: PageStructure, links: LinkIndex, meta, skip: set[int]
) -> str | None:
    """Why this page is not an article, or None when it is one."""
    prof = page_profile(blocks, source, skip)
    total = prof["linked"] + prof["teaser"] + prof["prose"]
    if total == 0:
        if links.headlines >= NO_BODY_MIN_HEADLINES:
            return f"index_page: no article body, {links.headlines} headline links"
        return None
    says_article = (getattr(meta, "pagetype", None) or "").lower() in ARTICLE_TYPES
    max_share = MAX_PROSE_SHARE_ARTICLE if says_article else MAX_PROSE_SHARE
    min_units = MIN_UNITS_ARTICLE if says_article else MIN_UNITS
    # trafilatura may keep only one entry of a list: the page's "Read more" links count too
    units = max(prof["units"], links.read_more) if prof["units"] else 0
    if units >= min_units and prof["prose"] <= MAX_PROSE_WORDS and prof["prose"] <= max_share * total:
        return f"index_page: {units} headlines/teasers, prose {prof['prose']} of {total} words"
    return None
