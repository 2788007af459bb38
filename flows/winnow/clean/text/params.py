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
    "date_line_words": 8,  # a short line with a date is a dateline, not a title
    "max_words_in_body": 25,  # the first kept line can be the title if it is short and unpunctuated
    "lead_paragraphs": 4,  # words of the first paragraphs the title should share
    "excluded_categories": (
        "ticker", "related_headlines", "share_widget", "comment_form", "copyright",
        "newsletter", "cookie", "nav", "advert", "caption", "poll", "exchange_rates", "comment_widget",
    ),
    "w_overlap": 3.0,
    "overlap_min_words": 5,  # shared words are counted out of at least this many (short lines share by chance)
    "w_distance": 0.05,
    "w_length": 0.6,
    "short_words": 4,  # titles shorter than this are penalised ("English News")
    "long_words": 20,  # ... and longer ones (a standfirst is not the headline)
    "w_long": 0.5,  # per 10 words beyond long_words
    "w_short": 0.6,
    "w_sentence_end": 0.5,
    "w_marker": 0.5,
    "w_in_body": 0.5,  # the first kept line is a title candidate only against this penalty
    "min_score": 0.3,
}

# Lines removed by a pattern alone (patterns.HARD) must be at most this long
# ("Also read | <a whole headline>" callouts may be longer).
HARD_MAX_WORDS = 14
HARD_MAX_WORDS_BY_CATEGORY = {"related_headlines": 30, "credits": 40, "cookie": 150, "nav": 3, "advert": 2,
                              "comment_widget": 16}

# A caption ending with its picture credit ("(Photo: AP)", patterns.CAPTION_CREDIT) at most this long goes.
CAPTION_MAX_WORDS = 40

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
    "min_body_words": 15,  # fewer kept words (in lines of min_line_words or more): "no_body"
    "min_line_words": 3,  # (a body of one- and two-word lines is a menu's items) ...
    "tiny_page_words": 15,  # ... unless the whole page has fewer words: then they are its content
    "teaser_share": 0.6,  # share of kept words in teaser-like lines: "teaser_list"
    "min_entries": 3,  # teasers of fewer list entries are a short post beside a few links
    "button_repeats": 3,  # a line on the page this often is every entry's button ("View this ad"), not a headline
    "teaser_coherence": 0.25,  # a teaser shares less than this with the rest of the body ...
    "teaser_min_words": 15,  # ... and reads like a sentence (a results table does not)
    "article_paragraph_words": 60,  # a kept paragraph this long that is not cut off ("…"): never a teaser list
}

# When the model keeps (almost) nothing, keep the best run of lines that come
# close: a page with an article always has a body, if only a short one.
FALLBACK = {
    "min_body_words": 40,  # fewer kept words triggers the fallback
    "min_p": 0.2,  # a line must still score at least this ...
    "rel_p": 0.6,  # ... and this share of the page's best score
    # still nothing: the page's densest run of prose lines is kept if it holds this many words
    "run_min_words": 60,
    "run_min_prose": 0.5,  # lines of the run that read like prose (features' prose0 prior)
}

# Hard-wrapped dumps: the wrap width is found from the line lengths (lines.wrap_width).
# Side by side columns of a layout table (inscriptis renders a sidebar beside the article): read one after
# the other (lines.py). Set on cleaneval-dev, aeb-dev and the seeds.
COLUMNS = {
    "min_column": 16,  # a right column starts at least this far in
    "min_lines": 2,  # ... and cells start there on at least this many lines
    "min_width": 12,  # columns start at least this far apart (closer starts are indentation inside one)
    "slack": 6,  # a cell starting this close before a column's start is in it (indentation differs)
    "max_gap": 40,
    "min_padding": 3,  # trailing spaces of a line padded to the table's width (inscriptis)  # lines without a right-column cell before a table's region ends
    "min_region_lines": 4,
    "max_stamps": 3,  # a region with this many date-and-time lines is a forum's table of posts: rows kept
    "max_full_rows": 0.5,  # a region with more of its lines filling two columns is a data table: rows kept,
    "prose_words": 15,  # ... unless one column has min_prose_cells cells this long (running text) ...
    "min_prose_cells": 2,
    "menu_words": 4,  # ... and another's median cell is this short (a menu): a layout after all
}

WRAP = {
    "min_lines": 4,  # multi-word lines a dump needs before it can be called wrapped
    "min_width": 40,  # narrower "widths" are short lines, not wrapping
    "max_width": 200,
    "max_longer_share": 0.02,  # lines allowed past the width (a long URL or table row the wrapper left)
    "near_columns": 20,  # a wrapped line ends within this many columns of the width ...
    "min_near_share": 0.3,  # ... and at least this share of the lines at least half that long do
    "min_broken": 4,  # ... or at least this many of them break a sentence the next line goes on with
    "slack": 2,  # a line continues the one above if its first word would not have fit within width - slack
}

# A sentence scoring at least "low" (under the model's threshold) is kept next to a kept line.
HYSTERESIS = {"low": 0.35, "skip_callouts": 2, "box_line_words": 6}  # a "Related links" box's short lines

# Reader comments (comments.thread_start): a run of comment stamps below an article.
POST_FOOTER_MAX_WORDS = 40  # a post's tags, categories or links to its neighbours (patterns.POST_FOOTER)

COMMENTS = {
    "min_stamps": 3,  # stamps (date and time, or "Name says:") below a comment heading
    "after_heading": 40,  # ... in this many lines under it
    "min_stamps_alone": 5,  # without a heading: a run of this many stamps ...
    "max_gap": 15,  # ... each at most this many lines below the one before
    "max_median_gap_alone": 4,  # ... typically this close (a blog's posts are further apart)
    "comment_min_words": 5,  # a comment between two stamps has a line this long ...
    "min_said_share": 0.7,  # ... between most of them (a table's dated rows have cells in between)
    "stamp_max_words": 20,
    "loose_stamp_max_words": 10,  # a date without a time and a name beside it: a stamp only in a run ...
    "loose_distinct_share": 0.8,  # ... where at least this share of the names differ (commenters, not posts)
    "heading_max_words": 16,
    "min_body_words_above": 50,  # kept words above the thread: an article is there ...
    "min_prose_words_above": 20,  # ... or this many words of prose lines (a short post the model doubted) ...
    "prose_above": 0.3,  # ... lines whose prose prior (features' prose0) is above this, when the first
    "tight_lines": 4,  # stamp is at most this many lines under the heading, and the first comment is at most
    "first_comment_ratio": 3.0,  # ... this many times the median comment's words or first_comment_words
    "first_comment_words": 150,
    "min_body_words_above_heading": 100,  # ... above a comment heading with no stamps below it, unless
    "article_below_lines": 12,  # ... the page's biggest run of running text (lines of run_line_words or more
    "article_below_words": 150,  # ... ending a sentence) starts this close under it and is this long, and
    "article_above_lines": 20,  # ... no running text ends this close above it
    "run_line_words": 15,
    "min_widgets": 4,  # no stamps: a run of this many comment buttons ("Reply") ...
    "widget_max_words": 4,  # ... each this short, at most max_gap lines apart, a comment between most
    "forum_max_gap": 80,  # a forum thread (the page's content): stamps at most this many lines apart ...
    "forum_min_prose_share": 0.5,  # ... holding at least this share of the page's prose words, no post
    "forum_max_post_share": 0.5,  # ... holding this share of the thread's
}

# The article is one run of lines (cleaner._keep_article_run): kept lines at most join_gap lines apart
# form a block; a block at least far_lines from the biggest one (or with a "Related" heading of at most
# heading_words between them), under max_share of its words and sharing under max_shared of its content
# words with it, is not article.
ARTICLE_RUN = {"join_gap": 6, "far_lines": 8, "heading_words": 8, "max_share": 0.5, "max_shared": 0.3,
               "running_share": 0.5}

# A stream of headlines at the top of the kept body (cleaner._drop_headline_streams): at least min_lines
# lines of at most max_words words, at most max_sentences of them ending a sentence, sharing at most
# max_shared of their content words with the body under them, which has at least body_words words.
STREAM = {"min_lines": 8, "max_words": 15, "max_sentences": 0.2, "max_shared": 0.2, "body_words": 50}

# Long running text (cleaner._keep_running_text): a line of at least min_words words ending a sentence,
# not cut off, with at least min_stop_density of its words stop words (when the page's language has a
# list), matching no chrome pattern, is kept; a block below the article mostly made of such lines
# (ARTICLE_RUN running_share of its words) is not a sidebar.
# Not with two comment stamps in the 30 lines above (features' stamps_above_w30: a reader's comment).
RUNNING_TEXT = {"min_words": 40, "min_stop_density": 0.3, "max_gap": 1}

# A blog's front page (posts.py): at least min_posts date lines, each over a post with post_min_words words
# of whole sentences (lines of prose_min_words or more, not cut off, min_stop_density stop words), and
# most dated spans (min_post_share) such posts, dates in order, the median post at least min_size_ratio
# of the biggest. Set on cleaneval-dev, aeb-dev and the seeds.
POSTS = {"date_max_words": 7, "min_posts": 3, "min_post_share": 0.75, "post_min_words": 30,
         "prose_min_words": 8, "min_stop_density": 0.3, "min_size_ratio": 0.15}

# Holes in the article (cleaner._fill_holes): at most max_lines lines between two kept lines, none
# removed by a rule or matching a chrome pattern, each scoring at least min_p, are kept.
HOLES = {"max_lines": 3, "min_p": 0.15}

# A list the article announces (cleaner._keep_announced_lists): under a kept line of min_intro_words or more
# ending in a colon, min_items to max_items lines of at most item_words words, with a kept line at most
# max_gap lines under the last of them, or right under them a sentence of after_words words or more that the
# model scored at least HYSTERESIS["low"] (kept with the list).
LISTS = {"min_intro_words": 3, "item_words": 25, "min_items": 2, "max_items": 40, "max_gap": 2, "after_words": 15}

# Code listings inside the article (cleaner._keep_code_blocks): a run of at least min_lines code-like lines
# (at most max_words words each, matching pattern: ending in ";", "{" or "}", opening with a comment, a tag,
# a prompt or a keyword, a call or an assignment) next to a kept line, inside the article, is kept.
CODE = {
    "min_lines": 2,
    "max_words": 20,
    "pattern": (r"[;{}]\s*$|^\s*(?://|/\*|#!|<\w[\w-]*[\s>]|\$ |>>> |(?:var|let|const|def|class|import|from|return|if|for|while"
                r"|function|public|private|int|void)\b)|^\s*[\w.$\[\]'\"]+\s*[-+*/]?=\s*\S|\w\([^()]*\)\s*[;{:]?\s*$"),
    # lines of a listing that only the cleaner's code blocks read (not a feature of the model): SQL (an
    # upper-case keyword, then no other upper-case word: not a heading "FROM THE EDITORS"), "name AS (",
    # a psql result table's row ("n │ zscore", box-drawing characters)
    "listing_pattern": (r"^\s*(?:SELECT|FROM|WHERE|WITH|AND|OR|GROUP BY|ORDER BY|JOIN|LEFT JOIN|INNER JOIN|UNION"
                        r"|INSERT INTO|UPDATE|DELETE FROM|CREATE TABLE|HAVING|LIMIT|CASE|WHEN|ELSE|END)(?:\s+[^A-Z\s]|\s*$)"
                        r"|^\s*\w+\s+AS\s+\(\s*$|[\u2500-\u257f]"),
}

# A sidebar box (cleaner._drop_sidebar_boxes): a heading of a blog's sidebar alone on its line ("Recent Posts",
# "Archives", "Blogroll"; per-language phrases in winnow.vocab.languages), a count or a colon allowed, and the
# list under it: at least min_items lines of at most item_words words that are no sentence (a headline, a
# month and a count, a blog's name), stopping at the first line that is not such an item; or a line opening
# with such a heading and holding min_counts counts in brackets (the box on one line).
SIDEBAR = {"heading_words": 4, "item_words": 20, "sentence_words": 10, "min_items": 2, "min_counts": 3}

# A section the model doubted between two kept lines (cleaner._bridge_sections): more lines than a hole
# (HOLES max_lines), at most max_lines, none removed by a rule or matching a chrome pattern, each scoring at
# least min_p and on average min_mean_p, median min_median_words words or more, and at least min_shared of
# their content words used by the kept body too. Set on Readability's pages (002, mercurial: 0.6 shared;
# firefox-nightly-blog and tumblr, 0.24-0.31, are left out), Dragnet's as counter-examples (book lists and
# reblog lists between kept lines: mostly under 0.4 shared); checked on all five.
BRIDGE = {"max_lines": 60, "min_p": 0.1, "min_mean_p": 0.2, "min_median_words": 4, "min_shared": 0.6}
