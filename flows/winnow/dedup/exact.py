"""Exact duplicates: texts equal after normalisation (NFKC, case, whitespace, punctuation)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """NFKC, case-folded, punctuation and symbols dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    kept = "".join(
        " " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text
    )
    return _SPACE.sub(" ", kept).strip()


def content_hash(text: str) -> str:
    """Equal hashes = the same text for the reader: one exact-duplicate cluster."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()[:32]
