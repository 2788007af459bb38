"""Blocks: trafilatura's output body as a list of lines, each knowing how much of it is link text.

trafilatura is run without links (keeping them changes its own heuristics and costs
about five points of F1), so link evidence is taken from the source page instead: a
``LinkIndex`` holds the text of every ``<a>`` of the page, and a block's ``link_share``
is the share of its characters covered by those texts. A line that is exactly the text
of a link ("15 Amazing Images of Stars") has share 1.0.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from lxml import etree
from trafilatura.xml import xmltotxt

from winnow.clean.html import patterns as pat
from winnow.clean.html.patterns import READ_MORE_PHRASES
from winnow.vocab import word_count

_WORD = re.compile(r"\w+")
# list markers and wrapping punctuation that are not part of a headline
_LEAD = " \t\n-–—•*·»›>[(\"'“‘|"
_TRAIL = " \t\n])\"'”’|:.…"
# apostrophes unified, invisible characters removed (str.replace per character: four times
# faster than str.translate with a table, which looks up every character of the text)
_APOS = (("’", "'"), ("‘", "'"), ("`", "'"), ("´", "'"), ("\u200b", ""), ("\u200c", ""),
         ("\u200d", ""), ("\u2060", ""), ("\ufeff", ""), ("\u00ad", ""))
_MIN_ANCHOR_CHARS = 8  # shorter link texts ("here", "said") are not searched inside lines
_MIN_INSIDE_CHARS = 20  # a shorter line found inside a link text may be a coincidence
HEADLINE_WORDS = (pat.HEADLINE_MIN_WORDS, pat.HEADLINE_MAX_WORDS)  # words of a link text that reads as a headline


def norm(text: str) -> str:
    """Whitespace collapsed, apostrophes unified, invisible characters gone: how texts are compared.
    (``str.split`` and the regex ``\\s`` know the same whitespace; split is the faster.)"""
    for char, replacement in _APOS:
        if char in text:
            text = text.replace(char, replacement)
    return " ".join(text.split())


def core(text: str, normed: bool = False) -> str:
    """A line without list markers, brackets and trailing punctuation (``normed``: ``text`` has
    been through ``norm`` already)."""
    return (text if normed else norm(text)).lstrip(_LEAD).rstrip(_TRAIL)


def count_words(text: str) -> int:
    """Words of a text, as winnow counts them everywhere (``winnow.vocab.word_count``)."""
    return word_count(text)


_READ_MORE = frozenset(p.casefold() for p in READ_MORE_PHRASES)


def is_read_more(text: str, normed: bool = False) -> bool:
    """A "Read more" / "Lire la suite" link text (arrows and dots around it allowed)."""
    n = (text if normed else norm(text)).casefold()
    return n.strip(" »›>→….:!-–—[]()") in _READ_MORE or n in _READ_MORE


@dataclass
class Block:
    """One line of the extracted body."""

    text: str
    tag: str  # tag of the top-level element of trafilatura's output: p, head, list, quote, table…
    group: int  # index of that element: the items of one list share it
    words: int
    link_share: float  # share of the characters inside links of the source page


class LinkIndex:
    """The link texts of a page, searchable by the words they start with."""

    def __init__(self, tree: etree._Element | None) -> None:
        self.exact: set[str] = set()
        self._by_first: dict[str, list[str]] = defaultdict(list)
        self.count = 0  # number of <a> elements with text
        self.headlines = 0  # links whose text has the length of a headline
        self.read_more = 0  # "Read more", "Weiterlesen", … links (teaser units)
        self._joined = ""  # all link texts, to find a line that is part of a link (a card)
        self._shares: dict[str, float] = {}  # share() of texts already asked about
        if tree is None:
            return
        seen: set[str] = set()
        texts: list[str] = []
        for a in tree.iter("a"):
            try:
                text = norm(a.text_content())
            except (ValueError, TypeError):  # pragma: no cover - odd nodes from broken markup
                continue
            if not text:
                continue
            self.count += 1
            texts.append(text)
            if HEADLINE_WORDS[0] <= count_words(text) <= HEADLINE_WORDS[1]:
                self.headlines += 1
            if is_read_more(text, normed=True):
                self.read_more += 1
            c = core(text, normed=True)
            if c:
                self.exact.add(c.casefold())
            if len(text) >= _MIN_ANCHOR_CHARS and text not in seen:
                seen.add(text)
                first = _WORD.search(text)
                if first:
                    self._by_first[first.group().casefold()].append(text)
        for group in self._by_first.values():
            group.sort(key=len, reverse=True)
        self._joined = "\x01".join(texts)

    def share(self, text: str) -> float:
        """Share of ``text``'s characters covered by link texts of the page (0..1)."""
        known = self._shares.get(text)
        if known is None:
            known = self._shares[text] = self._share(text)
        return known

    def _share(self, text: str) -> float:
        c = core(text)
        if not c:
            return 0.0
        if c.casefold() in self.exact:
            return 1.0
        line = norm(text)
        if len(line) >= _MIN_INSIDE_CHARS and line in self._joined:
            return 1.0  # the line is part of a longer link (a whole teaser card is one <a>)
        total = len(line)
        covered = 0
        # words in reading order (not a set: its order changes between runs)
        for word in dict.fromkeys(w.casefold() for w in _WORD.findall(line)):
            for anchor in self._by_first.get(word, ()):
                if len(anchor) <= len(line) and anchor in line:
                    covered += len(anchor)
                    line = line.replace(anchor, "\x00", 1)
        return min(1.0, covered / total) if total else 0.0


def blocks_from_body(body: etree._Element | None, links: LinkIndex) -> list[Block]:
    """The lines of trafilatura's output body, as trafilatura's own text rendering splits them."""
    blocks: list[Block] = []
    if body is None:
        return blocks
    for group, child in enumerate(body):
        tag = child.tag if isinstance(child.tag, str) else "other"
        for line in xmltotxt(child, False).split("\n"):
            line = line.strip()
            if line:
                blocks.append(Block(line, tag, group, count_words(line), links.share(line)))
    return blocks


KEY_CHARS = 40  # extracted lines are matched to source elements by this many characters
_BLOCK_TAGS = {
    "p", "div", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "figcaption", "section", "article", "a", "span", "header", "summary",
}


_LEAF_CANDIDATES = tuple(sorted(_BLOCK_TAGS - {"a"}))
_NESTED_BLOCKS = tuple(sorted(_BLOCK_TAGS - {"a", "span"}))


class SourceMap:
    """The source page seen from the extracted lines: where a line came from, and how many
    words an element has (memoised, so a page of thousands of paragraphs costs linear time)."""

    def __init__(self, tree: etree._Element | None) -> None:
        self.tree = tree
        self._leaves: dict[str, etree._Element] | None = None
        self._words: dict[etree._Element, int] = {}

    @staticmethod
    def key(text: str) -> str:
        # the start is enough: a long text is cut before it is normalised (linear time)
        return core(text[: 8 * KEY_CHARS])[:KEY_CHARS].casefold()

    def locate(self, text: str) -> etree._Element | None:
        """The source element (without block children) whose text starts like ``text``."""
        if self._leaves is None:
            self._leaves = _leaf_blocks(self.tree) if self.tree is not None else {}
        return self._leaves.get(self.key(text))

    def words(self, el: etree._Element) -> int:
        n = self._words.get(el)
        if n is None:
            n = self._words[el] = count_words(el.text_content())
        return n


def _leaf_blocks(tree: etree._Element) -> dict[str, etree._Element]:
    """Source elements without block children, by the start of their text."""
    out: dict[str, etree._Element] = {}
    for el in tree.iter(*_LEAF_CANDIDATES):
        if next(el.iterchildren(*_NESTED_BLOCKS), None) is not None:
            continue
        text = el.text_content()
        if len(text) >= 20:
            out.setdefault(SourceMap.key(text), el)
    return out
