"""Corpus filters after language identification: a language allowlist, and opt-in quality
rules in the spirit of Gopher (Rae et al. 2021) and C4 (Raffel et al. 2020).

Each rule measures one property of a document's cleaned body, compares it with its
threshold from ``[filter]`` and, when the document fails, rejects it with its own reason
(recorded in ``rejected_files``, counted in the run summary as ``filter.rejected:<reason>``).
``measure`` gives the numbers without deciding (``winnow clean --explain`` prints them).

Words are winnow's (``winnow.vocab``): one normaliser and one tokeniser for every stage.

- ``language_not_allowed``: the language is not in ``[filter] languages`` (empty: all allowed).
- ``quality_mean_word_length``: the mean length of word tokens is outside
  [min_mean_word_length, max_mean_word_length] (Gopher: 3 to 10; winnow's default minimum is 2,
  as Korean articles average under 3 characters per word). Characters of scripts
  written without spaces (CJK, Thai...) are not word tokens; a text with fewer than
  ``MIN_WORDS`` word tokens is not judged.
- ``quality_symbol_ratio``: '#' and ellipses ('...', '…') per word above ``max_symbol_ratio``
  (Gopher: 0.1).
- ``quality_terminal_punctuation``: the share of lines ending in sentence punctuation (after
  table-cell bars) is below ``min_terminal_punctuation_share`` (C4 keeps only such lines; here a
  page must have enough of them).
- ``quality_bullet_lines``: the share of lines starting with a bullet is above
  ``max_bullet_line_share`` (Gopher: 0.9).
- ``quality_repeated_ngrams``: the characters covered by the most frequent word 2-, 3- or
  4-gram exceed ``max_top_ngram_share`` of all word characters (Gopher: 0.20 / 0.18 / 0.16), or
  those covered by repeated 5- to 10-grams exceed ``max_duplicate_ngram_share`` (Gopher: 0.15
  to 0.10; winnow's default is 0.95, because a real dev article, a meal plan that repeats its
  menus, has 0.92: Gopher's value would reject it and four other dev articles).

The defaults keep every seed and every dev article (``benchmarks/filters.py``).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from winnow.records import Document, Rejection
from winnow.settings import FilterSettings, Settings
from winnow.stage import Stage
from winnow.vocab import word_units
from winnow.vocab.words import ALONE, codepoints, token_spans

MIN_WORDS = 50  # texts with fewer word tokens are too short to judge by word statistics
TERMINAL = tuple(".!?…\"'”’»)]。！？」』")
BULLET = re.compile(r"^\s*(?:[•·▪▫◦‣⁃●○■□►▶➢✓✔*+\-–—]|\d{1,2}[.)])\s")
SYMBOLS = re.compile(r"#|\.\.\.|…")


def _lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def mean_word_length(text: str) -> float | None:
    _, starts, ends, _, kc = token_spans(codepoints(text))
    lengths = (ends - starts)[kc[starts] != ALONE] if len(starts) else np.zeros(0)
    return float(lengths.mean()) if len(lengths) >= MIN_WORDS else None


def ngram_shares(units: list[str]) -> tuple[float, float]:
    """(the largest share of word characters covered by one 2/3/4-gram, the largest share
    covered by repeated 5- to 10-grams), as Gopher measures repetition."""
    total = sum(len(u) for u in units)
    if total == 0 or len(units) < MIN_WORDS:
        return 0.0, 0.0
    top = 0.0
    for n in (2, 3, 4):
        grams = Counter(tuple(units[i:i + n]) for i in range(len(units) - n + 1))
        if grams:
            gram, count = grams.most_common(1)[0]
            if count > 1:
                top = max(top, count * sum(len(u) for u in gram) / total)
    dup = 0.0
    for n in range(5, 11):
        starts = [tuple(units[i:i + n]) for i in range(len(units) - n + 1)]
        counts = Counter(starts)
        covered = np.zeros(len(units), dtype=bool)
        for i, g in enumerate(starts):
            if counts[g] > 1:
                covered[i:i + n] = True
        dup = max(dup, sum(len(u) for u, c in zip(units, covered) if c) / total)
    return top, dup


def measure(text: str) -> dict[str, float | None]:
    """The quality rules' measurements of a cleaned body (None: too short to judge)."""
    lines = _lines(text)
    units = word_units(text)
    top, dup = ngram_shares(units)
    n_lines = max(len(lines), 1)
    return {
        "mean_word_length": mean_word_length(text),
        "symbol_ratio": len(SYMBOLS.findall(text)) / max(len(units), 1),
        "terminal_punctuation_share": sum(ln.rstrip(" \t|").endswith(TERMINAL) for ln in lines) / n_lines,
        "bullet_line_share": sum(bool(BULLET.match(ln)) for ln in lines) / n_lines,
        "top_ngram_share": top,
        "duplicate_ngram_share": dup,
    }


def verdicts(m: dict[str, float | None], f: FilterSettings) -> list[tuple[str, str, bool]]:
    """(reason, what was measured against which threshold, passed) for each quality rule."""
    mwl = m["mean_word_length"]
    return [
        ("quality_mean_word_length",
         "mean word length " + ("not judged (too few words)" if mwl is None else
                                f"{mwl:.2f} (allowed {f.min_mean_word_length:g} to {f.max_mean_word_length:g})"),
         mwl is None or f.min_mean_word_length <= mwl <= f.max_mean_word_length),
        ("quality_symbol_ratio", f"'#' and ellipses per word {m['symbol_ratio']:.3f} (max {f.max_symbol_ratio:g})",
         m["symbol_ratio"] <= f.max_symbol_ratio),
        ("quality_terminal_punctuation",
         f"lines ending in sentence punctuation {m['terminal_punctuation_share']:.2f} "
         f"(min {f.min_terminal_punctuation_share:g})",
         m["terminal_punctuation_share"] >= f.min_terminal_punctuation_share),
        ("quality_bullet_lines", f"bullet lines {m['bullet_line_share']:.2f} (max {f.max_bullet_line_share:g})",
         m["bullet_line_share"] <= f.max_bullet_line_share),
        ("quality_repeated_ngrams",
         f"top 2-4-gram {m['top_ngram_share']:.3f} (max {f.max_top_ngram_share:g}), repeated 5-10-grams "
         f"{m['duplicate_ngram_share']:.3f} (max {f.max_duplicate_ngram_share:g})",
         m["top_ngram_share"] <= f.max_top_ngram_share and m["duplicate_ngram_share"] <= f.max_duplicate_ngram_share),
    ]


def explain(doc: Document, settings: Settings) -> list[str]:
    """One line per filter for ``winnow clean --explain``: what it measured and whether it passed."""
    f = settings.filter
    allowed = ", ".join(f.languages) if f.languages else "all"
    ok = not f.languages or doc.language in f.languages
    lines = [f"{'ok  ' if ok else 'FAIL'} language_not_allowed: {doc.language} (allowed: {allowed})"]
    state = "" if f.quality else " [off: [filter] quality = false]"
    for reason, detail, passed in verdicts(measure(doc.text), f):
        lines.append(f"{'ok  ' if passed else 'FAIL'} {reason}: {detail}{state}")
    return lines


class CorpusFilter(Stage):
    """The language allowlist, then (when ``[filter] quality`` is on) the quality rules."""

    name = "corpus_filter"

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings.filter

    def process(self, doc: Document):
        f = self.settings
        if f.languages and doc.language not in f.languages:
            return Rejection.of(doc.source, "language_not_allowed",
                                f"language {doc.language} is not in [filter] languages ({', '.join(f.languages)})")
        if f.quality:
            for reason, detail, passed in verdicts(measure(doc.text), f):
                if not passed:
                    return Rejection.of(doc.source, reason, detail)
        return doc
