"""Heuristics of the HTML path kept as data (as trafilatura keeps its selectors in xpaths.py).

Tuning the HTML cleaner is an edit here, not in the code that applies these
lists: the thresholds of the structural rules. The phrases (related-story
callouts, read-more links, promotional lines) are per-language data in
``winnow.vocab.languages``, shared with the text-dump cleaner.

Phrases are lower-case; they are matched at the start of a block, after
stripping brackets and bullets, case-insensitively and with any run of spaces
standing for one. Apostrophes are normalised to ``'`` before matching.
"""

from __future__ import annotations

import re

from winnow.vocab import languages


def alternation(phrases) -> str:
    """Regex alternation of phrases, longest first, any run of spaces for a space (stable order)."""
    alts = {re.escape(p).replace(r"\ ", r"\s+") for p in phrases}
    return "|".join(sorted(alts, key=lambda a: (-len(a), a)))

# --- related-story callouts -------------------------------------------------------------
# Phrases that head a box of links to other stories ("You may also like", "Lesen Sie
# auch") or prefix a single linked headline inside the body ("Related: <headline>").
# Per language, so a reviewer can see what is covered; all lists are applied to every
# page (a German site may use English labels).
RELATED_PHRASES: dict[str, tuple[str, ...]] = languages.related_phrases()  # winnow.vocab.languages

# Prefixes that also occur at the start of ordinary prose ("More than 40 people…",
# "Popular support for…", "Recommended dosage…"): as a prefix they only count when a
# separator (":", "|", "»", a dash) or brackets follow, or the rest is a link.
WEAK_PREFIXES: frozenset[str] = languages.weak_related()

# A heading block is the phrase plus at most this many extra words ("Popular on IndieWire",
# "More from Reuters") and trailing punctuation.
HEADING_EXTRA_WORDS = 4

# Separators that may follow a callout prefix: "Related: …", "ALSO READ | …", "Lire aussi » …".
CALLOUT_SEPARATORS = ":|»›>–—-•→"

# --- index pages -------------------------------------------------------------------------
# Link texts that lead from a teaser to its article; a small unit with one of them around a
# paragraph makes that paragraph a teaser (see pagetype.py).
READ_MORE_PHRASES: tuple[str, ...] = languages.read_more_phrases()

# --- promotional lines --------------------------------------------------------------------
# Short lines that advertise the site rather than tell the story: newsletters, apps,
# subscriptions, social accounts. Removed only when short (PROMO_MAX_WORDS) and either
# link-dominated, shouting, or among the last blocks of the body with the phrase opening
# a sentence ("Subscribe to …", not "… people subscribe each month").
PROMO_PHRASES: tuple[str, ...] = languages.promo_phrases()
PROMO_MAX_WORDS = 30
PROMO_TAIL_BLOCKS = 4  # the last N blocks of the body count as "the end"

# --- structural thresholds ----------------------------------------------------------------
LINK_DOMINATED = 0.6  # share of a block's characters inside links to call it "a link"
LINK_ALMOST_ALL = 0.85  # a standalone paragraph that is (almost) all link
LINKED_TEASER = 0.9  # a paragraph longer than a headline that is all link: a teaser card
HEADLINE_MIN_WORDS = 3
HEADLINE_MAX_WORDS = 25
CALLOUT_MAX_WORDS = 35  # the rest of a "Related: …" line
ENTRY_LINK_SHARE = 0.3  # "<a>Headline</a> one-line teaser": the link part of a list entry …
ENTRY_MAX_WORDS = 60  # … and its length
LIST_MIN_ITEMS = 2  # a list of linked headlines needs this many items …
LIST_LINKED_SHARE = 0.7  # … and this share of them must be linked headlines
TITLE_SCAN_BLOCKS = 3  # where to look for the title repeated as body text
TITLE_SIMILARITY = 0.85  # word-sequence similarity of a line to the title to call it a repeat

# --- readability's body or trafilatura's (clean/html/candidates.py) ---------------------
# The all-data-sets fit printed by benchmarks/quality_html.py ("all data sets (what to ship)");
# the figures it reports per data set come from thresholds fitted without that data set.
CHOOSER: dict[str, float] = {
    "min_words": 10,  # readability's body shorter than this is in doubt (trafilatura's is computed) ...
    "max_link": 0.1,  # ... or with more than this share of its words in link lines ...
    "short_words": 250,  # ... or shorter than this on a page with ...  (not fitted, see below)
    "many_headlines": 8,  # ... this many headline links (perhaps one teaser of an index page)
    "link_margin": 0.2,  # trafilatura's wins when readability's has this much more link text ...
    "min_overlap": 0.5,  # ... and trafilatura's holds this share of readability's words
    "longer": 3.0,  # trafilatura's wins also when this many times as long (no more link text)
    "tiny_words": 25,  # a finished body shorter than this (or none) is in doubt (extract.fuller): ...
    "fuller": 10.0,  # ... trafilatura's without precision mode is used when this many times as long
    "agree": 0.5,  # readability's body is a fragment of trafilatura's index only when it holds less than this share of trafilatura's words (not fitted, see below)
    # short_words, many_headlines and agree are set by hand on tests/data/html/index: the dev data
    # sets are all articles, so a fit on them can only switch the index-page check off
}
