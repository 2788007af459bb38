"""Exact duplicates: texts with the same tokens (``winnow.vocab.words.content_key``).

NFKC, full case folding, punctuation and symbols dropped, one token per character of
the scripts written without spaces: "Straße" = "STRASSE", "中国人" = "中 国 人",
"Toyota’s" = "Toyota's". The tokens are those the shingles are made of, so two texts
with equal hashes always have equal shingle sets.

``HASH_VERSION`` is stored beside each hash (``documents.hash_version``); a change of the
rules needs a migration that re-hashes the stored texts (011 did it for version 2).
"""

from __future__ import annotations

import hashlib

from winnow.vocab import words

HASH_VERSION = words.VERSION


def normalize_text(text: str) -> str:
    """What the hash is computed on: the normalised tokens joined by single spaces."""
    return words.content_key(text)


def content_hash(text: str) -> str:
    """Equal hashes = the same text for the reader: one exact-duplicate cluster."""
    return hash_of_key(normalize_text(text))


def hash_of_key(key: str) -> str:
    """``content_hash`` of a text whose ``content_key`` is ``key`` (a worker has its body's tokens)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
