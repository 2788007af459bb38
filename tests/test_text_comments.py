"""Where the text-dump cleaner starts a comment thread (winnow.clean.text.comments), on constructed pages.

The article is the second seed's gold body (tests/data/text_cleaner/seeds-gold.jsonl); the chrome, the
stamps and the comments around it are written here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from winnow.clean.text import clean_text_dump
from winnow.evaluate import score_page

DATA = Path(__file__).resolve().parent / "data" / "text_cleaner"

_SAID = [
    "Great piece, thanks for writing it up so clearly. I had no idea the talks went back that far.",
    "I disagree with most of this. The visit is about ammunition and nothing else, whatever the statements say.",
    "Does anyone know whether the agreement was published in full? I could only find summaries of it online.",
    "Same here, only the summaries. The ministry's site has nothing yet, which says a lot about the whole thing.",
    "The last visit was in 2000, and people forget how little came of it. I would wait before calling this historic.",
    "Thanks to the author for the background on the treaty, that part was new to me and very useful indeed.",
]


def _gold() -> dict:
    return json.loads((DATA / "seeds-gold.jsonl").read_text(encoding="utf-8").splitlines()[1])


def _page(n_comments: int) -> tuple[str, str, list[str]]:
    """A news page of 14 paragraphs: menu, headline, lead, the article's own dateline under the lead, its
    second paragraph, a commenter's header that the site's chrome put inside the article, the 12 other
    paragraphs, then ``n_comments`` reader comments with two-line headers ("31. Name says:" over the
    date), a reply form and a footer. Returns (the article's gold text, the page, the comments)."""
    g = _gold()
    body = [p for p in g["body"].split("\n") if p.strip()][:14]
    page = ["Daily Ledger", "World | Politics | Business | Sport", "", g["title"], "", body[0], "",
            "June 18, 2024 at 9:47 am", "", body[1], "", "7. Mortimer says:", ""]
    for p in body[2:]:
        page += [p, ""]
    said = _SAID[:n_comments]
    for k, c in enumerate(said):
        page += [f"    {31 + k}. reader{k} says:", f"    June {19 + k // 3}, 2024 at {k + 2}:4{k} pm", "", f"    {c}", ""]
    page += ["Leave a Reply", "You must be logged in to post a comment.", "© 2024 Daily Ledger"]
    return "\n".join(body), "\n".join(page), said


def test_the_articles_own_dateline_and_a_header_inside_it_do_not_start_a_thread():
    """The article's dateline, a commenter-like header inside the article and three real comment headers
    are five dated stamps at most 15 lines apart, exactly a thread's minimum without a heading: the thread
    was taken to start at the dateline and the whole article below it was cut as comments (F1 0.1).
    Stamps above an article-sized stretch of text are the page's own, not a thread's: the article stays."""
    gold, text, said = _page(3)
    ext = clean_text_dump(text)
    assert score_page("ledger", ext.text, gold).f1 >= 0.9
    kept = set(ext.paragraphs)
    assert all(p in kept for p in gold.split("\n")[1:])


def test_a_thread_under_the_article_still_starts_at_its_first_comment():
    """The same page with six comments: the page's own stamps are left out and the six comment headers
    under the article are a thread, so the comments go and the article stays."""
    gold, text, said = _page(6)
    ext = clean_text_dump(text)
    assert not set(said) & set(ext.paragraphs)
    assert {r.reason for r in ext.removed if r.text.strip() in said} == {"comments"}
    assert score_page("ledger", ext.text, gold).f1 >= 0.95


def test_a_comment_count_over_the_article_under_a_news_stream_does_not_cut_the_article():
    """A news page whose Markdown rendering puts a stream of other stories (kept: 100 words and more) above the
    article and the article's comment count ("11 Comments", no stamps anywhere) right above its first
    paragraph: that count was taken for the heading of a thread below the kept stream, and the whole article
    under it was cut as comments (Readability's yahoo-2 in Markdown lost 86% of its gold). The page's
    biggest run of running text starting right under the heading, with no running text just above it, is
    the article: the heading does not start a thread. A count under an article still does."""
    from winnow.clean.text import comments
    from winnow.clean.text.features import page_features
    from winnow.clean.text.lines import split_lines

    g = _gold()
    body = [p for p in g["body"].split("\n") if p.strip()][:8]
    stream = []
    for k in range(8):
        stream += [f"Story number {k} about something else entirely in the news today",
                   f"{100 + k}Comments. Click to view comments", ""]
    head = ["Daily Ledger", "", *stream, g["title"], "Associated Press, June 18, 2024", "11 Comments", ""]
    lines = split_lines("\n".join(head + [x for p in body for x in (p, "")]))
    pf = page_features(lines)
    h = next(i for i, ln in enumerate(lines) if ln.text == "11 Comments")
    kept = np.zeros(len(lines), dtype=bool)
    kept[:h] = True  # the stream above was kept (by the model, or a reader's doubt)
    assert comments.thread_start(lines, pf, kept) is None

    # the same count under the article (and the stream) is the thread's heading
    tail = ["11 Comments", "", "Loved it.", "", "Me too.", ""]
    lines = split_lines("\n".join(head[:-1] + [x for p in body for x in (p, "")] + tail))
    pf = page_features(lines)
    h = max(i for i, ln in enumerate(lines) if ln.text == "11 Comments")
    kept = np.ones(len(lines), dtype=bool)
    assert comments.thread_start(lines, pf, kept) == h
