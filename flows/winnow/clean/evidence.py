"""Corpus evidence for the text-dump cleaner: in how many documents does a line occur?

The warehouse counts, per run, the normalised lines (``line_key``) of every new text
document; a run cleans with a snapshot of the counts of the runs before it
(``LineEvidence``). Lines are stored as 64-bit hashes: compact, and enough to tell
a site's recurring chrome from everything else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from winnow.clean.text import line_key

MAX_WORDS = 60  # longer lines are never removed on evidence alone: not worth counting


def line_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def line_hashes(text: str) -> list[int]:
    """Distinct hashes of the countable lines of a text dump, sorted."""
    out = set()
    for line in text.splitlines():
        if line.strip() and len(line.split()) <= MAX_WORDS:
            key = line_key(line)
            if key:
                out.add(line_hash(key))
    return sorted(out)


@dataclass
class LineEvidence:
    """A snapshot of the warehouse's line counts, as the text cleaner reads it."""

    counts: dict[int, int] = field(default_factory=dict)  # line hash -> documents (only lines seen >= twice)
    total: int = 0  # text documents the counts come from

    def count(self, key: str) -> int:
        return self.counts.get(line_hash(key), 0)
