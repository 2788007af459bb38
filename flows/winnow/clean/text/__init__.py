"""Plain-text dumps of whole web pages: find the title and the body, drop the chrome.

Placeholder v0 (keeps prose-like lines); replaced by the real cleaner.
"""

from __future__ import annotations

from winnow.records import Extraction, Removed


def clean_text_dump(text: str) -> Extraction:
    lines = text.splitlines()
    title = None
    paragraphs: list[str] = []
    removed: list[Removed] = []
    for i, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if title is None and len(line.split()) >= 4:
            title = line
            continue
        if len(line.split()) >= 12 and line[-1:] in '.!?"”’)':
            paragraphs.append(line)
        else:
            removed.append(Removed(text=line, reason="short_or_unpunctuated", line_no=i))
    return Extraction(title=title, paragraphs=paragraphs, removed=removed, extractor="winnow-text")
