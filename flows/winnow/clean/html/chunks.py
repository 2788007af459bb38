"""Bodies split into chunks: trafilatura keeps the first container, winnow brings back the rest.

Some CMSs (Condé Nast's, among others) cut an article into several identical containers
(``<div class="article__body">`` × N, separated by ads). trafilatura picks one of them.
When the container holding most of the extracted paragraphs has siblings (or cousins:
children of its parent's siblings) with the *same tag and class*, their prose paragraphs
that are missing from the output are inserted after the last extracted paragraph of the
chunks before them. Only prose comes back: paragraphs with little link text, outside
``aside``/``figure`` (pull quotes, captions).
"""

from __future__ import annotations

from collections import Counter

from lxml import etree

from winnow.clean.html.blocks import Block, LinkIndex, SourceMap, count_words, norm

MIN_NEW_WORDS = 40  # a chunk must bring back at least this much prose to count
MAX_LINK_SHARE = 0.5
_TEXT_TAGS = ("p", "h2", "h3", "h4")
_SKIP_ANCESTORS = {"aside", "figure", "figcaption", "nav", "footer", "form"}


def _chunk_siblings(c: etree._Element) -> list[etree._Element]:
    cls = c.get("class")
    parent = c.getparent()
    if not cls or parent is None:
        return []
    same = lambda e, like: e.tag == like.tag and e.get("class") == like.get("class")  # noqa: E731
    chunks = [e for e in parent if same(e, c)]
    grand = parent.getparent()
    if grand is not None and parent.get("class"):
        chunks = [
            e for q in grand if same(q, parent) for e in q if same(e, c)
        ] or chunks
    return chunks if len(chunks) > 1 else []


def _paragraphs(chunk: etree._Element, links: LinkIndex) -> list[str]:
    out = []
    for el in chunk.iter(*_TEXT_TAGS):
        if any(a.tag in _SKIP_ANCESTORS for a in el.iterancestors()):
            continue
        text = norm(el.text_content())
        if text and links.share(text) < MAX_LINK_SHARE:
            out.append(text)
    return out


def recover_chunks(blocks: list[Block], source: SourceMap, links: LinkIndex) -> list[Block]:
    """``blocks`` with the missing chunks of a split body inserted (unchanged when none)."""
    located = [source.locate(b.text) for b in blocks]
    parents = Counter(el.getparent() for el in located if el is not None and el.getparent() is not None)
    if not parents:
        return blocks
    container = parents.most_common(1)[0][0]
    chunks = _chunk_siblings(container)
    if not chunks:
        return blocks
    have = {source.key(b.text) for b in blocks}
    out = list(blocks)
    group = max((b.group for b in blocks), default=0) + 1
    with_blocks = _holding(chunks, located)
    for chunk in chunks:
        if chunk in with_blocks:
            continue
        missing = [t for t in _paragraphs(chunk, links) if source.key(t) not in have]
        if sum(count_words(t) for t in missing) < MIN_NEW_WORDS:
            continue
        # after the last block that comes from an earlier chunk
        before = [i for i, el in enumerate(located) if el is not None and _precedes(el, chunk)]
        at = (max(before) + 1) if before else len(out)
        new = [Block(t, "p", group, count_words(t), links.share(t)) for t in missing]
        out[at:at] = new
        located[at:at] = [None] * len(new)
        have.update(source.key(t) for t in missing)
        group += 1
    return out


def _holding(chunks: list[etree._Element], located: list[etree._Element | None]) -> set[etree._Element]:
    """The chunks that hold a located block (chunks are never inside one another: one walk up
    from each block, not one per chunk and block)."""
    wanted = set(chunks)
    out = set()
    for el in located:
        while el is not None:
            if el in wanted:
                out.add(el)
                break
            el = el.getparent()
    return out


def _inside(el: etree._Element, chunk: etree._Element) -> bool:
    return el is chunk or any(a is chunk for a in el.iterancestors())


def _precedes(el: etree._Element, chunk: etree._Element) -> bool:
    """Is ``el`` before ``chunk`` in document order (and not inside it)?"""
    if _inside(el, chunk):
        return False
    for e in chunk.itersiblings(preceding=True):
        if _inside(el, e):
            return True
    for anc in chunk.iterancestors():
        for e in anc.itersiblings(preceding=True):
            if _inside(el, e):
                return True
    return False
