"""One normaliser, one tokeniser, one word counter: how winnow reads words, everywhere.

Cleaning (line and block lengths), the filters (``too_short``, ``repetitive``), the
stored ``word_count``, exact-duplicate hashes and near-duplicate shingles all go
through this module, so they cannot disagree about what a word is.

**Normalisation** (``normalize``): Unicode NFKC (full-width forms, ligatures, NBSP),
full case folding (``Straße`` -> ``strasse``, ``ΣΊΣΥΦΟΣ`` -> ``σίσυφοσ``), NFKC again
(folding can leave a decomposed sequence).

**Tokens** (``tokens``): every character of the normalised text is a *word* character
(Unicode letters L*, numbers N*, combining marks M*), a *stand-alone* character (a
letter of a script written without spaces between words: Han, Hiragana, Katakana,
Thai, Lao, Myanmar, Khmer), or a *separator* (everything else: punctuation, quotes of
any style, dashes, symbols, emoji, whitespace, controls, ``_``). A token is a maximal
run of word characters, or one stand-alone character. So ``Toyota’s`` and
``Toyota's`` both give ``toyota s``, ``plug-in`` = ``plug in``, and ``中国人`` =
``中 国 人`` = three tokens. Hangul is a word script (Korean puts spaces between words).

**Word count** (``word_count``): tokens of word characters count one each; characters
of the scripts written without spaces count one word per two characters, rounded up
(a Chinese or Japanese word is 1.5-2 characters on average). ``"Ein Straßenfest"``
is 2 words, ``"北京是中国的首都。"`` 4 (8 characters), ``"東京 Tokyo"`` 2.

**Content key** (``content_key``): the tokens joined by single spaces. Equal keys =
the same text for a reader = one exact-duplicate cluster (``winnow.dedup.exact``),
and equal keys give equal shingle sets (``winnow.dedup.shingles`` hashes these
very tokens).

The per-character class comes from the running Python's ``unicodedata`` (a lookup
table for the BMP, built on first use in ~0.1 s; astral characters are classified
one by one, cached). ``VERSION`` identifies these rules in stored hashes and
signatures: change the rules, bump it, and add a migration that re-hashes what is
stored (see ``warehouse/migrations/011_text_vocabulary.sql``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Sequence

import numpy as np

VERSION = 2  # version 1: NFKC + casefold + punctuation dropped, whitespace-separated (before 011)

SEPARATOR, WORD, ALONE = 0, 1, 2  # character classes

# Scripts written without spaces between words: one token per character.
NO_SPACE_RANGES = (
    (0x0E00, 0x0E7F),  # Thai
    (0x0E80, 0x0EFF),  # Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana (NFKC maps them to full width anyway)
    (0x20000, 0x3134F),  # CJK extensions B-G
)


def _class_of(ch: str) -> int:
    cp = ord(ch)
    if unicodedata.category(ch)[0] not in "LNM":
        return SEPARATOR
    for lo, hi in NO_SPACE_RANGES:
        if lo <= cp <= hi:
            return ALONE
    return WORD


@functools.cache
def _bmp_classes() -> np.ndarray:
    """The class of every BMP code point (built on first use, not at import)."""
    return np.fromiter((_class_of(chr(cp)) for cp in range(0x10000)), dtype=np.uint8, count=0x10000)


@functools.lru_cache(maxsize=65536)
def _astral_class(cp: int) -> int:
    return _class_of(chr(cp))


def normalize(text: str) -> str:
    """NFKC, full case folding, NFKC: the one normal form of winnow's text comparisons."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text or "").casefold())


def codepoints(text: str) -> np.ndarray:
    """Code points of the normalised text (lone surrogates pass through, as separators)."""
    return np.frombuffer(normalize(text).encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _text_of(cp: np.ndarray) -> str:
    """The string of code points (the inverse of the encoding in ``codepoints``)."""
    return cp.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")


def classes(cp: np.ndarray) -> np.ndarray:
    """The class (``SEPARATOR``/``WORD``/``ALONE``) of each code point."""
    cls = _bmp_classes()[cp & 0xFFFF]
    astral = np.flatnonzero(cp > 0xFFFF)
    if len(astral):
        cls[astral] = [_astral_class(int(c)) for c in cp[astral]]
    return cls


def token_spans(cp: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tokens of normalised code points.

    Returns ``(word code points, starts, ends, positions in cp, classes)``: separators
    are dropped, token ``i`` is ``cw[starts[i]:ends[i]]``, ``positions`` maps the
    compacted code points back to ``cp``, ``classes`` is the class of each kept one.
    """
    cls = classes(cp)
    idx = np.flatnonzero(cls != SEPARATOR)
    cw = cp[idx]
    kc = cls[idx]
    n = len(idx)
    if n == 0:
        e = np.zeros(0, dtype=np.int64)
        return cw, e, e, idx, kc
    # A token starts at a kept character whose predecessor was not kept (a gap in idx),
    # or when it or its predecessor is a stand-alone character.
    start = np.ones(n, dtype=bool)
    start[1:] = (np.diff(idx) > 1) | (kc[1:] == ALONE) | (kc[:-1] == ALONE)
    starts = np.flatnonzero(start)
    ends = np.append(starts[1:], n)
    return cw, starts, ends, idx, kc


class Tokens:
    """One text's tokens, computed once and read by every stage that needs them (a worker's filter,
    its exact-duplicate hash and its shingles): ``chars`` holds the tokens' code points back to
    back, token ``i`` is ``chars[starts[i]:ends[i]]`` (so ``ends[i] == starts[i + 1]``), ``kinds``
    its class (``WORD`` or ``ALONE``)."""

    __slots__ = ("chars", "starts", "ends", "kinds", "_key")

    def __init__(self, text: str):
        cw, starts, ends, _, kc = token_spans(codepoints(text))
        self.chars, self.starts, self.ends, self.kinds = cw, starts, ends, kc[starts]
        self._key: str | None = None

    def __len__(self) -> int:
        return len(self.starts)

    def key(self) -> str:
        """``content_key``: the tokens joined by single spaces (a space put before every token but
        the first, in one numpy call, not a Python string per token); computed once."""
        if self._key is None:
            spaced = np.insert(self.chars, self.starts[1:], np.uint32(32))
            self._key = _text_of(spaced)
        return self._key

    def word_count(self) -> int:
        """``word_count`` of the text."""
        return _count(self.kinds)

    def units(self) -> list[str]:
        """``word_units`` of the text."""
        if not (self.kinds == ALONE).any():  # every token is a unit: split the key, in C
            key = self.key()
            return key.split(" ") if key else []
        chars = _text_of(self.chars)
        out: list[str] = []
        pending = ""
        for a, b, c in zip(self.starts.tolist(), self.ends.tolist(), self.kinds.tolist()):
            if c != ALONE:
                out.append(chars[a:b])
            elif pending:
                out.append(pending + chars[a:b])
                pending = ""
            else:
                pending = chars[a:b]
        if pending:
            out.append(pending)
        return out


def tokens(text: str) -> list[str]:
    """The normalised tokens of ``text`` (see the module docstring)."""
    cw, starts, ends, _, _ = token_spans(codepoints(text))
    chars = _text_of(cw)
    return [chars[a:b] for a, b in zip(starts.tolist(), ends.tolist())]


def content_key(text: str) -> str:
    """The tokens joined by single spaces: equal keys = exact duplicates."""
    return Tokens(text).key()


def word_units(text: str) -> list[str]:
    """The words ``word_count`` counts: word tokens, and stand-alone characters in pairs.

    Pairs are taken in text order across the whole text (``len(word_units(t)) ==
    word_count(t)``); the repetition filter compares them (a Chinese text repeats
    characters far more than words).
    """
    return Tokens(text).units()


def _count(cls_of_starts: np.ndarray) -> int:
    alone = int(np.count_nonzero(cls_of_starts == ALONE))
    return len(cls_of_starts) - alone + (alone + 1) // 2


def word_count(text: str) -> int:
    """Words of ``text``: one per token, two stand-alone (CJK, Thai...) characters per word."""
    if text.isascii():  # fast paths, same answer (tests check them against token_spans)
        return len(_ASCII_RUN.findall(text))  # (a third faster than counting finditer's matches)
    norm = normalize(text)
    if max(norm) <= "\uffff":
        word_run, alone_char = _bmp_regexes()
        alone = len(alone_char.findall(norm))
        return len(word_run.findall(norm)) + (alone + 1) // 2
    _, starts, _, _, kc = token_spans(codepoints(text))
    return _count(kc[starts])


@functools.cache
def _bmp_regexes() -> tuple[re.Pattern, re.Pattern]:
    """Regexes of a run of word characters and of one stand-alone character (BMP only)."""
    cls = _bmp_classes()

    def char_class(c: int) -> str:
        inside = np.flatnonzero(cls == c)
        breaks = np.flatnonzero(np.diff(inside) > 1)
        los = np.append(inside[:1], inside[breaks + 1])
        his = np.append(inside[breaks], inside[-1:])
        return "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in zip(los.tolist(), his.tolist()))

    return re.compile(f"[{char_class(WORD)}]+"), re.compile(f"[{char_class(ALONE)}]")


def word_counts(texts: Sequence[str]) -> np.ndarray:
    """``word_count`` of many texts in one pass (lines of a page, blocks of a document)."""
    out = np.zeros(len(texts), dtype=np.int64)
    if not texts:
        return out
    parts = [codepoints(t) for t in texts]
    sep = np.array([32], dtype="<u4")
    cp = np.concatenate([x for p in parts for x in (p, sep)])
    doc_start = np.zeros(len(parts), dtype=np.int64)
    np.cumsum([len(p) + 1 for p in parts[:-1]], out=doc_start[1:])
    _, starts, _, idx, kc = token_spans(cp)
    if len(starts) == 0:
        return out
    doc = np.searchsorted(doc_start, idx[starts], side="right") - 1
    k = kc[starts]
    words = np.bincount(doc[k == WORD], minlength=len(texts))
    alone = np.bincount(doc[k == ALONE], minlength=len(texts))
    return words + (alone + 1) // 2


def line_word_counts(lines: Sequence[str]) -> np.ndarray:
    """``word_count`` of each of many lines, normalised as one text (the lines joined by line
    breaks: a line break composes with nothing, so each line normalises as it would alone), not
    one ``normalize`` call per line. A line holding a line break itself falls back on
    ``word_counts``. The text cleaner's corpus evidence counts every line of a text dump."""
    n = len(lines)
    out = np.zeros(n, dtype=np.int64)
    if n == 0:
        return out
    cp = codepoints("\n".join(lines))
    breaks = np.flatnonzero(cp == 10)
    if len(breaks) != n - 1:
        return word_counts(lines)
    _, starts, _, idx, kc = token_spans(cp)
    if len(starts) == 0:
        return out
    line = np.searchsorted(breaks, idx[starts])  # line breaks before a token: its line
    k = kc[starts]
    words = np.bincount(line[k == WORD], minlength=n)
    alone = np.bincount(line[k == ALONE], minlength=n)
    return words + (alone + 1) // 2


_ASCII_RUN = re.compile(r"[A-Za-z0-9]+")
