"""The parser every step of the HTML path shares.

trafilatura's parser settings and its ``load_html`` checks, with one difference: lxml.html's
parser asks a Python function which class each element gets (forms have their own) every
time an element is touched (about a million times on 200 dev pages, a tenth of the cleaning
time); this one always gives lxml.html's ``HtmlElement``, from C. Nothing in winnow or in the
extractors it calls uses the form classes.
"""

from __future__ import annotations

import logging

import lxml.html
from lxml import etree
from trafilatura import utils as tu

LOG = logging.getLogger(__name__)

PARSER = etree.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                          remove_comments=True, remove_pis=True)
PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))


def load_html(html: str) -> etree._Element | None:
    """trafilatura's ``load_html`` for a decoded page, with ``PARSER``."""
    beginning = html[:50].lower()
    dubious = tu.is_dubious_html(beginning)
    html = tu.repair_faulty_html(html, beginning)
    tree = None
    try:
        tree = lxml.html.fromstring(html, parser=PARSER)
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        tree = _from_bytes(html)
    except Exception as err:  # noqa: BLE001 - as trafilatura: a page lxml refuses has no tree
        LOG.debug("lxml parsing failed: %s", err)
    else:
        if tree is None or len(tree) < 1:
            tree = _from_bytes(html)
    if tree is not None and dubious and len(tree) < 2:
        return None
    return tree


def fragment(html: str) -> etree._Element:
    """One element from a fragment of HTML (readability's summary), with ``PARSER``."""
    return lxml.html.fragment_fromstring(html, parser=PARSER)


def _from_bytes(html: str) -> etree._Element | None:
    try:
        return lxml.html.fromstring(html.encode("utf8", "surrogatepass"), parser=PARSER)
    except Exception as err:  # noqa: BLE001
        LOG.debug("lxml parsing of bytes failed: %s", err)
    return None
