"""Chrome that survives trafilatura inside the body: the title repeated as the first line,
and short promotional lines (newsletters, apps, "Like this story? Share it").
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from winnow.clean.html import patterns as pat
from winnow.clean.html.blocks import Block, norm

_WORD = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    return [t.casefold() for t in _WORD.findall(norm(text))]


def title_repeats(blocks: list[Block], title: str | None) -> list[int]:
    """Indices of leading blocks that repeat the title (the title is metadata, not body)."""
    if not title:
        return []
    t = _tokens(title)
    if not t:
        return []
    out = []
    for i, b in enumerate(blocks[: pat.TITLE_SCAN_BLOCKS]):
        if b.tag not in ("p", "head"):
            continue
        bt = _tokens(b.text)
        if not bt:
            continue
        if bt == t or (
            len(bt) >= 3 and len(t) >= 3
            and (
                # "Title | Site" in <title> vs. "Title" in the body, or the reverse
                (_is_affix(bt, t) or _is_affix(t, bt))
                and min(len(bt), len(t)) / max(len(bt), len(t)) >= 0.6
                # a word more or less ("Michael Anastassiades'" vs "Anastassiades'")
                or SequenceMatcher(None, bt, t, autojunk=False).ratio() >= pat.TITLE_SIMILARITY
            )
        ):
            out.append(i)
            break
    return out


def _is_affix(short: list[str], long: list[str]) -> bool:
    n = len(short)
    return n <= len(long) and (long[:n] == short or long[-n:] == short)


_PROMO_ALTS = pat.alternation(pat.PROMO_PHRASES)
_PROMO = re.compile(r"(?<!\w)(?:" + _PROMO_ALTS + r")(?!\w)", re.I)
# the phrase opens a sentence ("Subscribe to …", "Like this story? Share it …"), as the
# site's own voice does; "… people subscribe each month." is the story's voice
_PROMO_OPENS = re.compile(r"(?:^|[.!?…:|]\s*|^\W+)(?:" + _PROMO_ALTS + r")(?!\w)", re.I)


def promo_lines(blocks: list[Block], skip: set[int]) -> list[int]:
    """Short promotional lines: link-dominated, shouting, or opening a sentence at the end of the body."""
    out = []
    live = [i for i in range(len(blocks)) if i not in skip]
    tail = set(live[-pat.PROMO_TAIL_BLOCKS :])
    for i in live:
        b = blocks[i]
        text = norm(b.text)
        if b.words > pat.PROMO_MAX_WORDS or not _PROMO.search(text):
            continue
        shouting = sum(ch.isupper() for ch in text) > 0.6 * sum(ch.isalpha() for ch in text)
        if b.link_share >= 0.3 or shouting or (i in tail and _PROMO_OPENS.search(text)):
            out.append(i)
    return out
