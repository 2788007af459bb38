"""Thresholds of the text cleaner, as data (the engine in ``cleaner.py`` only reads them).

The line model's own decision threshold is stored with its weights
(``weights.npz``), since it is chosen when the model is trained.
"""

from __future__ import annotations

# Title: the best-scoring headline-like line a little above the body.
TITLE = {
    "max_lines_above": 40,  # how far above the first body line to look
    "min_words": 2,
    "max_words": 40,
    "max_chars": 300,
    "max_words_in_body": 25,  # the first kept line can be the title if it is short and unpunctuated
    "lead_paragraphs": 4,  # words of the first paragraphs the title should share
    "excluded_categories": (
        "ticker", "related_headlines", "share_widget", "comment_form", "copyright",
        "newsletter", "cookie", "nav", "advert", "caption", "poll", "exchange_rates",
    ),
    "w_overlap": 3.0,
    "w_distance": 0.08,
    "w_length": 0.6,
    "w_sentence_end": 0.8,
    "w_marker": 0.5,
    "min_score": 0.6,
}

# Lines removed by a pattern alone (patterns.HARD) must be at most this long.
HARD_MAX_WORDS = 14

# Corpus evidence: a line seen in many documents is a site's chrome.
EVIDENCE = {
    "min_total": 20,  # documents the evidence must have seen before it is used
    "min_count": 3,  # distinct documents a line must occur in ...
    "min_share": 0.002,  # ... and this share of all documents
    "max_words": 60,  # longer lines are never removed on evidence alone (syndicated text)
    "max_body_share": 0.5,  # evidence never removes more than this share of a page's body
}

# Not an article: what is left after cleaning is a list of teasers, or nothing.
NOT_ARTICLE = {
    "min_body_words": 15,  # fewer kept words: "no_body"
    "teaser_share": 0.5,  # share of kept words in teaser-like lines: "teaser_list"
    "min_teasers": 3,
    "teaser_coherence": 0.25,  # a teaser shares less than this with the rest of the body
}

# When the model keeps (almost) nothing, keep the best run of lines that come
# close: a page with an article always has a body, if only a short one.
FALLBACK = {
    "min_body_words": 40,  # fewer kept words triggers the fallback
    "min_p": 0.2,  # a line must still score at least this ...
    "rel_p": 0.6,  # ... and this share of the page's best score
}
