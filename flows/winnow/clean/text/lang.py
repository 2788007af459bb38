"""Which stop-word list fits a page: jusText's lists, picked by coverage.

jusText ships stop-word lists for about 100 languages. The page's language is
the list that covers most of its frequent words; the cleaner then measures each
line's stop-word density in that language. Scripts without spaces (Chinese,
Japanese) get no list and the model falls back on length and punctuation.
Loaded once, lazily, from the installed package (nothing is downloaded).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

_WORD = re.compile(r"^\w+$")
# English-like lists that duplicate another one.
_SKIP = {"Simple_English"}
MIN_COVERAGE = 0.12  # below this share of a page's words, no list is used


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[str, ...], dict[str, tuple[int, ...]]]:
    """(language names, word -> indices of the languages whose list has it)."""
    try:
        import justext
    except ImportError:  # pragma: no cover - justext is a dependency of winnow
        return (), {}
    names = tuple(sorted(n for n in justext.get_stoplists() if n not in _SKIP))
    lists: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        for w in _stopwords(name):
            lists.setdefault(w, []).append(i)
    return names, {w: tuple(v) for w, v in lists.items()}


def stoplist_for(words: Counter) -> tuple[str | None, frozenset[str]]:
    """(language name, its stop words) for a page given its lower-cased word counts."""
    names, index = _index()
    if not names or not words:
        return None, frozenset()
    total = sum(words.values())
    hits = [0] * len(names)
    for w, c in words.most_common(400):
        for i in index.get(w, ()):
            hits[i] += c
    best = max(range(len(names)), key=lambda i: (hits[i], -i))
    if hits[best] < MIN_COVERAGE * total:
        return None, frozenset()
    return names[best], _stopwords(names[best])


@lru_cache(maxsize=None)
def _stopwords(name: str) -> frozenset[str]:
    import justext

    return frozenset(w.lower() for w in justext.get_stoplist(name) if _WORD.match(w.lower()))
