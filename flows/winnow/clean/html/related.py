"""Related-story callouts: the boxes and lines of links to other stories inside or after a body.

trafilatura keeps them when they sit in the article's container (a known complaint of its
users). They are found on the extracted blocks with the page's link evidence:

- ``callout line``: a phrase such as "Related:", "Also read", "Leggi anche" followed by a
  headline that is a link of the page ("Related: The 15 Weirdest Galaxies in Our Universe");
- ``callout box``: a short heading that is such a phrase ("You may also like…", "Lesen Sie
  auch", "DON'T MISS") and the run of linked headlines after it;
- ``headline list``: a list whose items are mostly linked headlines (language-agnostic);
- ``linked headline``: a paragraph that is one link with the shape of a headline (or a run
  of such lines);
- ``linked teaser``: a paragraph that is entirely the text of a link (a teaser card).

The phrases live in :mod:`winnow.clean.html.patterns`; every removal is returned with the
rule that made it so ``--explain`` can show it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from winnow.clean.html import patterns as pat
from winnow.clean.html.blocks import Block, core, norm

REASON = "related_stories"

_SEP_CHARS = re.escape(pat.CALLOUT_SEPARATORS)
# a sentence ends inside the block ("… continuum.'Click To Tweet"): prose, not a headline
_INNER_SENTENCE = re.compile(r"[.!?][\"'”’]*\s*[A-Z]")
_SENTENCE_END = re.compile(r"[.!?。！？](?:[\"'”’»)\]]*)$")


def _phrase_regex() -> re.Pattern[str]:
    phrases = {p.casefold().rstrip(":") for ps in pat.RELATED_PHRASES.values() for p in ps}
    # longest first, then alphabetical: the same regex in every run
    # a phrase, not the start of a longer word; then separators / rest
    return re.compile(
        r"^(?P<phrase>" + pat.alternation(phrases) + r")(?!\w)\s*(?P<sep>[" + _SEP_CHARS + r"]+)?\s*(?P<rest>.*)$",
        re.S,
    )


_PHRASE = _phrase_regex()
_WEAK = frozenset(p.casefold() for p in pat.WEAK_PREFIXES)
_BRACKETED = re.compile(r"^\s*[\[(].*[\])]\s*$", re.S)
_WORD = re.compile(r"\w+")


@dataclass
class Callout:
    phrase: str
    weak: bool
    separated: bool
    rest: str
    rest_words: int


def match_callout(text: str) -> Callout | None:
    """The callout phrase a block starts with, and what follows it."""
    c = core(text).casefold()
    m = _PHRASE.match(c)
    if not m:
        return None
    phrase = " ".join(m.group("phrase").split())
    rest = m.group("rest").strip()
    return Callout(
        phrase=phrase,
        weak=phrase in _WEAK,
        separated=bool(m.group("sep")) or bool(_BRACKETED.match(norm(text))),
        rest=rest,
        rest_words=len(_WORD.findall(rest)),
    )


def is_sentence(b: Block) -> bool:
    return bool(_SENTENCE_END.search(b.text.rstrip()))


def is_linked_headline(b: Block, min_share: float = pat.LINK_DOMINATED) -> bool:
    return (
        b.link_share >= min_share
        and pat.HEADLINE_MIN_WORDS <= b.words <= pat.HEADLINE_MAX_WORDS * 2
    )


def _is_heading(b: Block, co: Callout | None) -> bool:
    """A short block that is only a callout phrase ("You may also like…", "Popular on X")."""
    if co is None or b.words > 10:
        return False
    if co.rest_words == 0:
        return True
    # "Popular on IndieWire", "More from Reuters"; a weak phrase ("More …") only counts when
    # linked headlines follow it (checked by the caller)
    return co.rest_words <= pat.HEADING_EXTRA_WORDS and not is_sentence(b)


def _is_callout_line(b: Block, co: Callout | None, links_share_of_rest: float) -> bool:
    """"Related: <linked headline>" / "Also read | <headline>"."""
    if co is None or co.rest_words < 2 or co.rest_words > pat.CALLOUT_MAX_WORDS:
        return False
    if links_share_of_rest >= 0.5:
        return not co.weak or co.separated
    # not a link on this page: only an explicit, separated strong phrase with a short rest
    return co.separated and not co.weak and co.rest_words <= pat.HEADLINE_MAX_WORDS


def _is_linked_entry(b: Block) -> bool:
    """A linked headline, or a list entry made of a linked headline and a short teaser."""
    return is_linked_headline(b) or (
        b.link_share >= pat.ENTRY_LINK_SHARE
        and b.words <= pat.ENTRY_MAX_WORDS
        and b.link_share * b.words >= pat.HEADLINE_MIN_WORDS
    )


def _list_is_headlines(items: list[Block]) -> bool:
    if len(items) < pat.LIST_MIN_ITEMS:
        return False
    linked = sum(1 for b in items if _is_linked_entry(b))
    mean_words = sum(b.words for b in items) / len(items)
    return linked / len(items) >= pat.LIST_LINKED_SHARE and mean_words >= pat.HEADLINE_MIN_WORDS


def _linked_headline_shape(b: Block) -> bool:
    return (
        b.tag in ("p", "head")
        and b.link_share >= pat.LINK_ALMOST_ALL
        and pat.HEADLINE_MIN_WORDS <= b.words <= pat.HEADLINE_MAX_WORDS
        and not _INNER_SENTENCE.search(b.text)
        and (not is_sentence(b) or b.text.isupper())
    )


def find_related(blocks: list[Block], share_of, protected: set[int] | None = None) -> dict[int, str]:
    """Indices of blocks that belong to related-story callouts, with the rule that found them.

    ``share_of(text)`` gives the link share of an arbitrary text (used on the rest of a
    callout line). ``protected`` blocks are never removed.
    """
    protected = protected or set()
    out: dict[int, str] = {}
    groups: dict[int, list[int]] = {}
    for i, b in enumerate(blocks):
        groups.setdefault(b.group, []).append(i)

    i = 0
    n = len(blocks)
    while i < n:
        b = blocks[i]
        co = match_callout(b.text)
        if _is_heading(b, co):
            # the heading, then the linked headlines (or a list of them) that follow it
            j = i + 1
            taken = [i]
            while j < n:
                nb = blocks[j]
                if nb.tag == "list" and nb.group != b.group:
                    items = groups[nb.group]
                    if _list_is_headlines([blocks[k] for k in items]):
                        taken += items
                        j = items[-1] + 1
                        continue
                    break
                if is_linked_headline(nb) or (_is_linked_entry(nb) and not is_sentence(nb)):
                    taken.append(j)
                    j += 1
                    continue
                break
            if len(taken) > 1 or not co.weak:
                for k in taken:
                    out[k] = "callout_box"
                i = j
                continue
        elif co is not None and _is_callout_line(b, co, share_of(co.rest) if co.rest else 0.0):
            out[i] = "callout_line"
        elif b.tag == "list":
            items = groups[b.group]
            if i == items[0] and _list_is_headlines([blocks[k] for k in items]):
                for k in items:
                    out[k] = "headline_list"
                i = items[-1] + 1
                continue
        elif b.tag == "p" and b.link_share >= pat.LINKED_TEASER and b.words > pat.HEADLINE_MAX_WORDS:
            out[i] = "linked_teaser"  # a whole paragraph inside a link: a card of another page
        elif _linked_headline_shape(b):
            # a run of linked headlines; a lone linked sub-heading ("head") is more likely a
            # table-of-contents entry of the article itself, so it needs company
            j = i
            while j + 1 < n and _linked_headline_shape(blocks[j + 1]):
                j += 1
            if j > i or b.tag == "p":
                for k in range(i, j + 1):
                    out[k] = "linked_headline"
            i = j + 1
            continue
        i += 1
    for k in protected:
        out.pop(k, None)
    return out
