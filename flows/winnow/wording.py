"""Words in messages: counts with the right plural ("1 file", "2 files")."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``plural(1, "file")`` -> "1 file"; ``plural(2, "file")`` -> "2 files"."""
    return f"{n} {word if n == 1 else (many or word + 's')}"
