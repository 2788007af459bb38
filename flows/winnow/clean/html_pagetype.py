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

A page is not an article when its extracted body has at least ``MIN_UNITS`` linked blocks
and teasers and prose is a small share of it, or when no body was found on a page full of
headline links. The reason string says which, with the counts.
"""

from __future__ import annotations

from lxml import etree

from winnow.clean.html_blocks import HEADLINE_WORDS, Block, LinkIndex, core, count_words, is_read_more

MIN_UNITS = 4  # linked headlines + teasers needed to call a page an index
MAX_PROSE_SHARE = 0.35  # … when prose is at most this share of the body's words
MAX_PROSE_SHARE_ARTICLE = 0.2  # … stricter when the page's metadata says it is an article
MAX_PROSE_WORDS = 250  # more prose than this is an article whatever surrounds it
NO_BODY_MIN_HEADLINES = 12  # an empty extraction on a page with this many headline links
LINKED = 0.6  # link share of a block that counts as a linked headline
UNIT_MAX_DEPTH = 4
UNIT_EXTRA_WORDS = 60
KEY_CHARS = 40
ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle"}

_BLOCK_TAGS = {
    "p", "div", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "figcaption", "section", "article", "a", "span", "header", "summary",
}


def _key(text: str) -> str:
    return core(text)[:KEY_CHARS].casefold()


def _leaf_blocks(tree: etree._Element) -> dict[str, etree._Element]:
    """Source elements without block children, by the start of their text."""
    out: dict[str, etree._Element] = {}
    for el in tree.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag not in _BLOCK_TAGS or tag == "a":
            continue
        if any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS and c.tag not in ("a", "span") for c in el):
            continue
        text = el.text_content()
        if len(text) >= 20:
            out.setdefault(_key(text), el)
    return out


def _is_headline_link(a: etree._Element, extra_words: int | None = None) -> bool:
    n = extra_words if extra_words is not None else count_words(a.text_content())
    return HEADLINE_WORDS[0] <= n <= HEADLINE_WORDS[1]


def _leads_to_article(a: etree._Element) -> bool:
    """A link of headline length, or a "Read more" link."""
    text = a.text_content()
    return _is_headline_link(a) or is_read_more(text)


_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "a", "dt"}


def _is_headline_element(el: etree._Element) -> bool:
    """A heading that is only a headline link: ``<h2><a>Title</a></h2>`` (or a bare ``<a>``)."""
    if el.tag not in _HEADING_TAGS:
        return False
    if el.tag == "a":
        return _is_headline_link(el)
    words = count_words(el.text_content())
    if words > HEADLINE_WORDS[1] + 3:
        return False
    return any(_is_headline_link(a) and count_words(a.text_content()) >= words - 3 for a in el.iter("a"))


def _flat_entry(el: etree._Element) -> bool:
    """``<h2><a>…</a></h2> [meta] <p>teaser</p>`` followed by the next headline or nothing."""
    if not _neighbour_is_headline(el, "previous", require=True):
        return False
    return _neighbour_is_headline(el, "next", require=False)


def _neighbour_is_headline(el: etree._Element, direction: str, require: bool) -> bool:
    sib = el.getprevious() if direction == "previous" else el.getnext()
    for _ in range(2):  # one short line of meta (date, byline) may sit in between
        while sib is not None and not isinstance(sib.tag, str):  # comments
            sib = sib.getprevious() if direction == "previous" else sib.getnext()
        if sib is None:
            return not require
        if _is_headline_element(sib):
            return True
        if count_words(sib.text_content()) > 8:
            return False
        sib = sib.getprevious() if direction == "previous" else sib.getnext()
    return False


def is_teaser(el: etree._Element, words: int) -> bool:
    """Does this paragraph belong to a headline, as the teaser of a list entry?

    True when a headline link (or "Read more" link) shares a small unit with it, when it
    sits inside such a link (a card), or when it directly follows a headline element in a
    flat list (``<h2><a>…</a></h2><p>teaser</p><h2>…``).
    """
    if _flat_entry(el):
        return True
    node = el
    for _ in range(UNIT_MAX_DEPTH):
        parent = node.getparent()
        if parent is None:
            return False
        node = parent
        unit_words = count_words(node.text_content())
        if unit_words > words + UNIT_EXTRA_WORDS:
            return False
        if node.tag == "a" and _is_headline_link(node, unit_words - words):
            return True  # a card: the whole unit is one link
        for a in node.iter("a"):
            if _contains(el, a):
                continue  # a link inside the paragraph itself
            if _contains(a, el):
                if _is_headline_link(a, count_words(a.text_content()) - words):
                    return True
                continue
            if _leads_to_article(a):
                return True
    return False


def _contains(outer: etree._Element, inner: etree._Element) -> bool:
    return any(anc is outer for anc in inner.iterancestors())


def page_profile(blocks: list[Block], tree: etree._Element | None, skip: set[int]) -> dict:
    """Word counts of linked, teaser and prose blocks of the extracted body."""
    leaves = _leaf_blocks(tree) if tree is not None else {}
    linked = teaser = prose = units = 0
    for i, b in enumerate(blocks):
        if i in skip:
            continue
        if b.link_share >= LINKED:
            linked += b.words
            units += HEADLINE_WORDS[0] <= b.words <= 2 * HEADLINE_WORDS[1]
            continue
        el = leaves.get(_key(b.text))
        if el is not None and b.words >= 5 and is_teaser(el, b.words):
            teaser += b.words
            units += 1
        else:
            prose += b.words
    return {"linked": linked, "teaser": teaser, "prose": prose, "units": units}


def index_page_reason(
    blocks: list[Block], tree: etree._Element | None, links: LinkIndex, meta, skip: set[int]
) -> str | None:
    """Why this page is not an article, or None when it is one."""
    prof = page_profile(blocks, tree, skip)
    total = prof["linked"] + prof["teaser"] + prof["prose"]
    if total == 0:
        if links.headlines >= NO_BODY_MIN_HEADLINES:
            return f"index_page: no article body, {links.headlines} headline links"
        return None
    pagetype = (getattr(meta, "pagetype", None) or "").lower()
    max_share = MAX_PROSE_SHARE_ARTICLE if pagetype in ARTICLE_TYPES else MAX_PROSE_SHARE
    # trafilatura may keep only one entry of a list: the page's "Read more" links count too
    units = max(prof["units"], links.read_more) if prof["units"] else 0
    if units >= MIN_UNITS and prof["prose"] <= MAX_PROSE_WORDS and prof["prose"] <= max_share * total:
        return f"index_page: {units} headlines/teasers, prose {prof['prose']} of {total} words"
    return None
