"""Cleaning: turn a decoded page into title + body paragraphs, recording what was removed.

Two paths, one result type (``winnow.records.Extraction``):

- HTML goes through trafilatura (``winnow.clean.html``), which uses the page's structure;
- plain-text dumps of whole pages go through the text-dump cleaner (``winnow.clean.text``),
  which has to recover that structure from the lines alone.
"""

from __future__ import annotations

from winnow.records import Extraction
from winnow.settings import CleanSettings

__all__ = ["clean", "clean_html", "clean_text_dump"]


def clean(text: str, kind: str, settings: CleanSettings | None = None) -> Extraction:
    """Clean one decoded page; ``kind`` is "html" or "text"."""
    settings = settings or CleanSettings()
    if kind == "html":
        from winnow.clean.html import clean_html

        return clean_html(text, settings)
    from winnow.clean.text import clean_text_dump

    return clean_text_dump(text)


def __getattr__(name: str):
    """The cleaners load on first use (trafilatura and lxml: about half a second), not with the
    package: the flow's own process (planning, loading, dedup) imports ``winnow.clean.evidence``
    and needs neither."""
    if name == "clean_html":
        from winnow.clean.html import clean_html as fn
    elif name == "clean_text_dump":
        from winnow.clean.text import clean_text_dump as fn
    else:
        raise AttributeError(f"module 'winnow.clean' has no attribute {name!r}")
    globals()[name] = fn
    return fn
