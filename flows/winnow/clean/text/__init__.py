"""Plain-text dumps of whole web pages: find the title and the body, drop the chrome.

``clean_text_dump(text, evidence=None)`` returns a ``winnow.records.Extraction``;
``line_key(line)`` is the normalised line under which corpus evidence is counted.
How it decides: ``cleaner.py`` (engine), ``features.py`` (what each line looks
like), ``model.py`` (the trained line classifier), ``comments.py`` (where reader
comments start), ``metadata.py`` (title, byline, date), ``patterns.py`` and
``params.py`` (rules and thresholds as data).
"""

from __future__ import annotations

from winnow.clean.text.cleaner import clean_text_dump
from winnow.clean.text.lines import line_key

__all__ = ["clean_text_dump", "line_key"]
