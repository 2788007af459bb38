"""Corpus evidence for the text-dump cleaner: in how many documents does a line occur?

The warehouse counts, per run, the normalised lines (``line_key``) of every new text
document; a run cleans with a snapshot of the counts of the runs before it
(``LineEvidence``). Lines are stored as 64-bit hashes: compact, and enough to tell
a site's recurring chrome from everything else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from winnow.clean.text.lines import MAX_LINE_CHARS, Line, split_lines
from winnow.clean.text.params import EVIDENCE
from winnow.vocab.words import line_word_counts


def line_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def line_hashes(text: str, lines: list[Line] | None = None) -> list[int]:
    """Distinct hashes of the lines of a text dump the cleaner looks up (same split, key and word limit).

    ``lines``: ``split_lines(text)`` when the caller has it (the pipeline splits once for both)."""
    lines = split_lines(text) if lines is None else lines
    # the lines' words as ``line_words`` counts them, counted for all lines at once
    words = line_word_counts([ln.text[:MAX_LINE_CHARS] for ln in lines]).tolist()
    keys = {ln.key for ln, n in zip(lines, words) if n <= EVIDENCE["max_words"]}
    return sorted(line_hash(k) for k in keys if k)


@dataclass
class LineEvidence:
    """A snapshot of the warehouse's line counts, as the text cleaner reads it."""

    counts: dict[int, int] = field(default_factory=dict)  # line hash -> documents (only lines seen >= twice)
    total: int = 0  # text documents the counts come from

    def count(self, key: str) -> int:
        return self.counts.get(line_hash(key), 0)
