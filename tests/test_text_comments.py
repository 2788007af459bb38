"""Where the text-dump cleaner starts a comment thread (winnow.clean.text.comments), on constructed pages.

The article is the second seed's gold body (tests/data/text_cleaner/seeds-gold.jsonl); the chrome, the
stamps and the comments around it are written here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

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


def _dated_thread(stamps: list[str], heading: str | None = "Comments»") -> tuple[str, str, list[str]]:
    """The article, then one comment under each of ``stamps`` (dates without times), then the page's footer."""
    g = _gold()
    body = [p for p in g["body"].split("\n") if p.strip()][:10]
    page = ["Daily Ledger", "World | Politics | Business | Sport", "", g["title"], ""]
    for p in body:
        page += [p, ""]
    page += [heading, ""] if heading else []
    said = _SAID[: len(stamps)]
    for stamp, c in zip(stamps, said):
        page += [stamp, "", c, ""]
    page += ["© 2024 Daily Ledger"]
    return "\n".join(body), "\n".join(page), said


# commenters' stamps with a date and no time, as Dragnet's blog pages show them (T13, R904, R729)
_NAMED = ["William Kirk - August 8, 2012", "MJ - August 8, 2012", "The Keeper - August 8, 2012",
          "Shubho, on November 8th, 2012 //", "Meena, on November 8th, 2012 // Twitter: @littledinos",
          "Harry Ballz - August 9, 2012"]


@pytest.mark.parametrize("heading", ["Comments»", None])
def test_commenters_stamps_without_a_time_start_the_thread(heading):
    """A comment's stamp is often a name and a date without a time ("William Kirk - August 8, 2012",
    "Shubho, on November 8th, 2012 //"): such stamps, each with a name of its own and a comment under it,
    start the thread under a comment heading or, six of them, without one (failed before: only stamps
    with a date *and* a time counted, and the comments were kept as article)."""
    gold, text, said = _dated_thread(_NAMED, heading)
    ext = clean_text_dump(text)
    assert not set(said) & set(ext.paragraphs)
    assert {r.reason for r in ext.removed if r.text in said} == {"comments"}
    assert score_page("ledger", ext.text, gold).f1 >= 0.95


@pytest.mark.parametrize("stamps", [
    # one name over every date: a blog's posts ("Posted on ... by admin"), not commenters
    ["Posted on August 8, 2012 by admin"] * 6,
    # a list of other stories' bylines and dates under the article (Dragnet's T147)
    ["by Stan Collender | August 09, 2012", "by OurFuture.org Staff | August 09, 2012",
     "by Robert Borosage | August 09, 2012", "By Eric Henry | August 09, 2012",
     "By Jared Bernstein | August 09, 2012", "By Naomi Wolf | August 09, 2012"],
    # references ending a sentence (Wikipedia's, kept by Readability)
    [f'^ "Mozilla Manifesto {k}". Mozilla.org . Retrieved 2012-03-2{k} .' for k in range(6)],
])
def test_dated_lines_that_are_no_commenters_stamps_do_not_start_a_thread(stamps):
    """Loose stamps (a date without a time) count only with names that differ, no byline and no sentence:
    a blog's repeated "Posted on ... by admin", a list of other stories' bylines, a list of references are
    no comment thread, and nothing under them is cut."""
    from winnow.clean.text import comments
    from winnow.clean.text.features import page_features
    from winnow.clean.text.lines import split_lines

    gold, text, said = _dated_thread(stamps, None)
    lines = split_lines(text)
    assert comments.thread_start(lines, page_features(lines), np.ones(len(lines), dtype=bool)) is None


def test_a_count_heading_over_stamps_starts_the_thread_under_a_picture_post():
    """A post whose article is a picture or a video and a line (Dragnet's R917: "Next Up: Pumpkin Pie", a
    video, then Blogger's "16 comments:" over "Jennifer said..." and a date and time under every comment):
    with no article above, the stamps were taken for a forum page's posts and every comment was kept. A
    heading with a count right over the stamps is a thread under a post, however short the post."""
    page = ["Monday, November 12, 2012", "", "Next Up: Pumpkin Pie", "", "Pin It",
            "Posted by Chef John at 12:00 AM", "Labels: Blog News", "", "16 comments:", ""]
    names = ["Jennifer", "Swtest2Lips", "Matthew", "Jason Smith", "PR ONeil", "Peggy Manfredi"]
    for k, (name, c) in enumerate(zip(names, _SAID)):
        page += [f"{name} said...", "", c, "", f"November 12, 2012 {k + 1}:4{k} PM"]
    ext = clean_text_dump("\n".join(page))
    assert not set(_SAID) & set(ext.paragraphs)
    assert {r.reason for r in ext.removed if r.text in _SAID} == {"comments"}


def test_a_comment_subheading_inside_the_article_does_not_start_the_thread():
    """An article with a section headed "Comment" (opinion, not a thread) and, under it, its last sections,
    then the thread under its own "COMMENTS" heading: every comment heading with enough stamps in the 40 lines
    under it was a thread's start, so the thread was taken to start at the subheading and the article's last
    sections went as comments (Dragnet's R179 lost half its gold). The heading nearest the stamps is the
    thread's: the article stays whole and the comments still go."""
    g = _gold()
    body = [p for p in g["body"].split("\n") if p.strip()][:12]
    page = ["Daily Ledger", "World | Politics | Business | Sport", "", g["title"], ""]
    for p in body[:8]:
        page += [p, ""]
    page += ["Comment", ""]
    for p in body[8:]:
        page += [p, ""]
    page += ["COMMENTS", ""]
    said = _SAID[:4]
    for k, c in enumerate(said):
        page += [f"    {c}", f"    posted on Tuesday, June {18 + k}, 2024 at {k + 2}:46 PM by reader{k}", ""]
    page += ["Leave a Reply", "© 2024 Daily Ledger"]
    ext = clean_text_dump("\n".join(page))
    kept = set(ext.paragraphs)
    assert all(p in kept for p in body[8:])
    assert not set(said) & kept
    assert score_page("ledger", ext.text, "\n".join(body)).f1 >= 0.95
