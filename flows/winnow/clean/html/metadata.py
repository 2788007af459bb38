"""The page's metadata that winnow keeps: title, author, date, url, sitename, page type.

trafilatura's ``extract_metadata`` in the order it runs its steps, without the three winnow
never reads (categories, tags, licence): on the dev pages they are two thirds of its time. The
date search is htmldate's quick one first (see ``page_metadata``).
"""

from __future__ import annotations

import logging

from trafilatura import metadata as tm
from trafilatura.settings import Document, Extractor

LOG = logging.getLogger(__name__)
_DATE_PARAMS = Extractor().date_params  # trafilatura's defaults (extensive search, original date)


def page_metadata(tree) -> Document:
    """Metadata of a parsed page (the tree is not changed)."""
    meta = tm.examine_meta(tree)
    if meta.author and " " not in meta.author:  # a one-word author is a user name or a site
        meta.author = None
    try:
        meta = tm.extract_meta_json(tree, meta)
    except Exception as err:  # noqa: BLE001 - trafilatura's JSON-LD reader has bugs on odd pages
        LOG.debug("JSON-LD metadata: %s", err)
    meta.title = meta.title or tm.extract_title(tree)
    meta.author = meta.author or tm.extract_author(tree)
    meta.url = meta.url or tm.extract_url(tree)
    # htmldate's quick search (meta tags, URL, structured data); its extensive one (patterns in
    # the text, three times the cost) only when that finds nothing
    meta.date = tm.find_date(tree, **{**_DATE_PARAMS, "url": meta.url, "extensive_search": False}) or tm.find_date(
        tree, **{**_DATE_PARAMS, "url": meta.url})
    meta.sitename = meta.sitename or tm.extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url:
        m = tm.META_URL.match(meta.url)
        if m:
            meta.sitename = m[1]
    meta.clean_and_trim()
    return meta
