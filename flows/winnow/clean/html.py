"""HTML pages: trafilatura is the engine; winnow picks its settings and keeps its metadata."""

from __future__ import annotations

import trafilatura

from winnow.records import Extraction
from winnow.settings import CleanSettings


def clean_html(html: str, settings: CleanSettings | None = None) -> Extraction:
    settings = settings or CleanSettings()
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=settings.html_include_comments,
        include_tables=settings.html_include_tables,
        favor_precision=settings.html_favor_precision,
    )
    if doc is None:
        return Extraction(title=None, paragraphs=[], extractor="trafilatura")
    text = doc.text or ""
    title = doc.title
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    return Extraction(
        title=title,
        paragraphs=paragraphs,
        author=doc.author,
        date=doc.date,
        url=doc.url,
        sitename=doc.sitename,
        extractor="trafilatura",
    )
