"""Cleaning: turn a decoded page into title + body paragraphs, recording what was removed.

Two paths, one result type (``winnow.records.Extraction``):

- HTML goes through trafilatura (``winnow.clean.html``), which uses the page's structure;
- plain-text dumps of whole pages go through the text-dump cleaner (``winnow.clean.text``),
  which has to recover that structure from the lines alone.
"""

from __future__ import annotations

from winnow.clean.html import clean_html
from winnow.clean.text import clean_text_dump
from winnow.records import Extraction
from winnow.settings import CleanSettings

__all__ = ["clean", "clean_html", "clean_text_dump"]


def clean(text: str, kind: str, settings: CleanSettings | None = None) -> Extraction:
    """Clean one decoded page; ``kind`` is "html" or "text"."""
    settings = settings or CleanSettings()
    if kind == "html":
        return clean_html(text, settings)
    return clean_text_dump(text)
