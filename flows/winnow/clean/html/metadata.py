"""The page's metadata that winnow keeps: title, author, date, url, sitename, page type.

trafilatura's ``extract_metadata`` in the order it runs its steps, without the three winnow
never reads (categories, tags, licence): on the dev pages they are two thirds of its time. The
date search is htmldate's quick one first (see ``page_metadata``); the author is trafilatura's
reader with its XPaths made cheaper (see ``author``).
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy

from lxml import etree
from trafilatura import metadata as tm
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS
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
    meta.author = meta.author or author(tree)
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


# ``re:test(@class, '…')`` calls Python's re for every element of the page, also those without a
# class; ``(@class and re:test(@class, '…'))`` asks only those that have one. The same XPaths
# otherwise, and the same result: none of trafilatura's author patterns matches an empty value.
_REGEX_TEST = re.compile(r"re:test\((@[\w-]+),\s*('[^']*')\)")
_EXSLT = {"re": "http://exslt.org/regular-expressions"}


def _guarded(xpaths: list) -> list[etree.XPath]:
    return [etree.XPath(_REGEX_TEST.sub(r"(\1 and re:test(\1, \2))", x.path), namespaces=_EXSLT) for x in xpaths]


_AUTHOR = _guarded(AUTHOR_XPATHS)
_AUTHOR_DISCARD = _guarded(AUTHOR_DISCARD_XPATHS)


def author(tree) -> str | None:
    """trafilatura's ``extract_author`` (its steps, its XPaths made cheaper)."""
    subtree = prune_unwanted_nodes(deepcopy(tree), _AUTHOR_DISCARD)
    found = tm.extract_metainfo(subtree, _AUTHOR, len_limit=120)
    return tm.normalize_authors(None, found) if found else found
