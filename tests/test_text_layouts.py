"""Text dumps of pages that are not one article down the middle: side by side columns of a table
layout, a blog's front page of dated posts, lists whose entries have no headlines of their own.

Each text is written here, the way inscriptis (padded table columns) or a copy from a browser lays such
a page out; each test failed on the cleaner before the behaviour it checks.
"""

from __future__ import annotations

from winnow.clean.text import clean_text_dump
from winnow.clean.text.lines import split_lines

# ---------------------------------------------------------------- side by side columns

_ARTICLE = [
    "What to look for",
    "About one in seven adults has high blood pressure, and measuring it at home between visits to the "
    "doctor helps to keep it under control, as long as the monitor is accurate and easy to use.",
    "Buy from a pharmacy or a medical equipment supplier, where you can get proper advice and a "
    "demonstration of how to use the monitor before you take it home.",
    "Arm monitors are generally more accurate than wrist models; in our test only one wrist model could "
    "match them, and it cost more than most of the arm models we tried.",
    "What is blood pressure?",
    "Blood pressure is created by the heart pumping blood through the arteries, and it is measured as two "
    "numbers, the pressure while the heart beats and the pressure while it rests between beats.",
    "The higher figure is the systolic pressure, caused by the contracting heart; the lower figure is "
    "called diastolic, and is the pressure between beats, when the heart relaxes.",
    "Hypertension can increase the risk of heart attack, stroke and kidney disease, but it does not "
    "necessarily do so; your doctor will also consider your age, your family history and your habits.",
    "Your lifestyle has an impact on your blood pressure: exercise regularly, eat less salt, drink less "
    "alcohol and keep a healthy weight, and have regular check-ups if you know yours is high.",
]
_SIDEBAR = {2: "Most Recent Posts", 4: "General Chat", 6: "Lunchbox foods under the microscope",
            7: "Three quarters of the snacks we reviewed did not meet the nutrition criteria.", 8: "Read more..."}


def _side_by_side() -> str:
    """The article in a left column 200 characters wide, a sidebar beside it (mostly beside the blank lines
    between paragraphs), every line padded to the table's width (inscriptis)."""
    width, right = 200, 60
    rows = ["Health Home | Sign In", ""]
    for k, para in enumerate(_ARTICLE):
        rows.append((para.ljust(width) + ("   " + _SIDEBAR[k] if k == 7 else "")).ljust(width + 3 + right))
        beside = " " * (width + 3) + _SIDEBAR[k] if k in _SIDEBAR and k != 7 else ""
        rows.append(beside.ljust(width + 3 + right))
    rows.append("Copyright 2006 Example Health. All rights reserved.")
    return "\n".join(rows)


def test_side_by_side_columns_are_read_one_after_the_other():
    """The sidebar's lines come after the article's, not between its paragraphs (failed before: the
    sidebar's cells were interleaved with the article's paragraphs, row by row)."""
    texts = [ln.text for ln in split_lines(_side_by_side())]
    last_article = max(texts.index(p) for p in _ARTICLE)
    assert all(texts.index(s) > last_article for s in _SIDEBAR.values())


def test_article_beside_a_sidebar_is_kept_whole():
    """A "Read more..." of the sidebar beside a paragraph does not end the article there (failed before:
    the paragraphs after it went as related headlines)."""
    ext = clean_text_dump(_side_by_side())
    assert not ext.not_article
    for para in _ARTICLE[1:]:
        if len(para.split()) > 8:
            assert para in ext.paragraphs, para
    assert "Read more..." not in ext.paragraphs


def test_a_forum_table_keeps_its_rows():
    """A table of posters beside their dated posts is read row by row: each post stays under its poster
    and date."""
    rows = []
    posts = [("whilden", "Posted June 06, 2005 07:31", "anyone else like to run several projects at once?"),
             ("Calavaro", "Posted June 06, 2005 08:43", "More than one box here, each on its own project, and "
              "every one of them has been running day and night since the summer without a single problem."),
             ("garo", "Posted June 06, 2005 09:12", "Only one for me."),
             ("whilden", "Posted June 06, 2005 10:02", "I forgot about the others, which are also worth it, "
              "though they need more memory than my old machines have.")]
    for name, stamp, text in posts:
        rows += [name.ljust(30) + stamp, "Registered: July 03, 2001".ljust(30) + text, "Posts: 2783", ""]
    texts = [ln.text for ln in split_lines("\n".join(rows))]
    for name, stamp, text in posts:
        assert texts.index(text) == texts.index(stamp) + 2


def test_deep_indentation_is_not_a_column():
    """An article indented far in (nested blocks) with no cell beside it stays in its order."""
    text = "\n".join(["Home", "News"] + [" " * 26 + p + "\n" for p in _ARTICLE] + ["Archive", " " * 24 + "+ May 2012 (4)"])
    texts = [ln.text for ln in split_lines(text)]
    assert texts[2:2 + len(_ARTICLE)] == _ARTICLE


# ---------------------------------------------------------------- a blog's front page

_POSTS = [
    ("Wednesday, December 13. 2006", "Amarok reviewed on a podcast",
     ["Here is a really nice review of the player in its latest version.",
      "The reviewer goes into great detail and presents the features in a way that is easy to follow.",
      "Check it out over at the podcast's site, and tell us what you think."]),
    ("Monday, December 11. 2006", "New server to replace the old one",
     ["Good news, everyone!",
      "Thanks to the donations from our last fundraiser, the project will soon move to a new dedicated server.",
      "We will try to make the migration over the next few weeks as smooth as possible."]),
    ("Thursday, December 7. 2006", "Visiting friends in Istanbul",
     ["I am now in Istanbul, and was able to meet up with one of our developers for the first time.",
      "We talked about the next release and about what users have been asking for.",
      "Here is a photo to prove it, taken at the end of a very long dinner by the water."]),
    ("Monday, December 4. 2006", "A job at last",
     ["Well, I am really pleased to say that from January I can work on music software full time.",
      "They will even pay me for it, which is not something I expected to happen this year."]),
]


_BLOGROLL = ["marginalia", "linkage", "England in the Age of Improvement", "robot wisdom weblog", "unspeak",
             "Rachel from north London", "Pickled Politics", "Minitrue", "Lawyers, Guns and Money", "The Head Heeb",
             "Dave's Part", "Banditry", "European Tribune", "Danwei", "Fair Vote Watch", "The Yorkshire Ranter",
             "Tim Worstall", "The Sharp Side", "Chicken Yoghurt", "Actually Existing", "Philobiblon", "The Poor Man"]


def _front_page() -> str:
    """A blog's front page as a browser copy gives it: the blogroll first, then the posts."""
    rows = ["Amarok Blog", "", "Welcome to the weblog of the developers.", "", "Powered by TypePad", ""]
    rows += _BLOGROLL + [""]
    for date, title, paras in _POSTS:
        rows += [date, "", title, ""]
        for p in paras:
            rows += [p, ""]
        rows += ["Posted by Mark at 05:46 | Comments (0) | Trackbacks (0)", ""]
    rows += ["Archives", "December 2006", "November 2006"]
    return "\n".join(rows)


def test_dated_posts_of_a_front_page_are_kept():
    """Every post of a blog's front page is content, not only the first (failed before: the later posts
    went as a second article's would)."""
    ext = clean_text_dump(_front_page())
    assert not ext.not_article
    for _, _, paras in _POSTS:
        for p in paras:
            assert p in ext.paragraphs, p
    assert not any(b in ext.paragraphs for b in _BLOGROLL)


def test_dated_teasers_are_not_posts():
    """A list of other stories, each a date, a headline and a line cut off, is not a front page of
    posts: its teasers stay out of an article's body."""
    article = ["The city council voted on Tuesday to close the old bridge to cars from next spring, after "
               "engineers found that its supports had weakened more than expected during the winter floods.",
               "The mayor said the bridge would stay open to people on foot and on bicycles, and that a new "
               "bridge for cars would be built a few hundred metres upstream within the next three years.",
               "Shop owners near the bridge said they feared losing customers during the works, and asked "
               "the council for help with the cost of signs pointing drivers to the new route."]
    rows = ["Local News", "", "Council votes to close the old bridge", ""] + [p + "\n" for p in article]
    rows += ["More news", ""]
    for k in range(4):
        rows += [f"March {3 + k}, 2012", f"School {k} wins a prize for its garden", "Pupils of the school "
                 "spent the whole year growing vegetables for the canteen, and the judges said that...", ""]
    ext = clean_text_dump("\n".join(rows))
    assert all(p in ext.paragraphs for p in article)
    assert not any(p.endswith("that...") for p in ext.paragraphs)


# ---------------------------------------------------------------- lists that are not index pages

def test_ads_without_headlines_are_not_a_teaser_list():
    """Classified ads, each cut off and followed by the same "View this ad" button, are entries without
    headlines of their own: the page is kept (failed before: rejected as teaser_list)."""
    ads = ["12-20-06 Cornwall Manor offers excellent benefits, a competitive starting salary, and good working "
           "conditions to nurses who want to work with older people in a friendly and caring home in the count...",
           "12-13-06 GROUNDS KEEPING Do you like lawn and tree care? Then we have the job ...",
           "12-20-06 HELP WANTED School Crossing Guard Apply in Person at the borough office on South Broad St., Lititz, P...",
           "12-13-06 MAINTENANCE FOREPERSON Lancaster owned and based property management company seeking an energetic "
           "applicant with a valid driver's license, own tools and at least three years of experience in buil...",
           "12-1-06 Part Time or Full Time, fun and flexible! Perform promotion...",
           "11-1-06 PART-TIME OFFICE SUPPORT person is needed for our small, relaxed office. Some of the job respons..."]
    rows = ["Classifieds | Jobs | Homes | Cars", "", "Employment > General Help", "", "1 2 3 Next", ""]
    for ad in ads:
        rows += [ad, "View this ad", ""]
    ext = clean_text_dump("\n".join(rows + ["© 2006 Lancaster Newspapers"]))
    assert not ext.not_article, ext.not_article_reason
    assert sum(ad in ext.paragraphs for ad in ads) >= 4


def test_a_short_article_shown_twice_is_not_a_teaser_list():
    """A paywalled article's two paragraphs, the second cut off, printed twice on the page (a preview and
    a print copy), are one entry, not a list (failed before: rejected as teaser_list)."""
    lead = ("BEIJING - Manufacturing activity in China declined in July but at a more moderate pace, according "
            "to an early gauge, suggesting the economic prospects are improving after a sharp slowdown.")
    cut = ("The preliminary purchasing managers index, a gauge of nationwide manufacturing activity, rose to "
           "49.5 in July compared with a final reading of 48.2 in June, the bank said ...")
    notice = ("This copy is for your personal, non-commercial use only. Distribution and use of this material "
              "are governed by our Subscriber Agreement and by copyright law. For non-personal use or to order "
              "multiple copies, please contact Dow Jones Reprints at 1-800-843-0008 or visit")
    rows = ["ASIA BUSINESS", "", "Data Hint Chinese Economy Is Better Off", "", "By Aaron Back", "",
            lead, "", cut, "", "By Aaron Back", "", lead, "", cut, "", "SmartMoney Glossary:", "",
            "Copyright 2012 Dow Jones & Company, Inc. All Rights Reserved", "", notice, "", "www.djreprints.com"]
    ext = clean_text_dump("\n".join(rows))
    assert not ext.not_article, ext.not_article_reason
    assert lead in ext.paragraphs


def test_front_page_posts_are_found_by_their_date_lines():
    """posts.post_spans: the four dated posts of a front page, each from its date line; a list of dated
    teasers ("More news") and a comment thread's stamps (a date and a time) are no posts."""
    from winnow.clean.text.features import NAMES, page_features
    from winnow.clean.text.posts import post_spans

    def spans(text):
        lines = split_lines(text)
        pf = page_features(lines)
        return post_spans([ln.text for ln in lines], pf, pf.X[:, NAMES.index("words")], len(lines)), lines

    found, lines = spans(_front_page())
    assert [lines[a].text for a, _ in found] == [d for d, _, _ in _POSTS]
    teasers = ["Council votes to close the old bridge", ""]
    for k in range(4):
        teasers += [f"March {3 + k}, 2012", f"School {k} wins a prize", "Pupils spent the year growing "
                    "vegetables for the canteen, and the judges said that...", ""]
    assert spans("\n".join(teasers))[0] == []
    thread = []
    for k in range(4):
        thread += [f"Jane says: March {3 + k}, 2012 at 10:4{k} pm", "I could not agree more with every word "
                   "of this post, and I have been saying the same thing to my friends for years now.", ""]
    assert spans("\n".join(thread))[0] == []


# ---------------------------------------------------------------- a short wrapped post among menus

def test_a_short_wrapped_post_among_menus_is_rejoined():
    """A hard-wrapped dump whose article is a few short paragraphs under a long menu has too few lines
    near the width for the width test alone; its sentences cut at the width and going on in lower case
    on the next line give it away (failed before: the lines stayed cut, the post was lost)."""
    from winnow.clean.text.lines import wrap_width

    post = ("The Post's mobile Web site has come a long way since we launched last summer. We've experimented "
            "with storm trackers, election maps and Instagram widgets and have worked to keep adding "
            "functionality as we go.\n\nOur latest release includes one of the features you've been asking "
            "for: the ability to read comments. These are the exact same comments you can see on the main "
            "site. We will offer the ability to write comments via mobile within the next two weeks.\n\n"
            "As always, please feel free to e-mail us with your comments and suggestions on the mobile Web.")
    import textwrap

    wrapped = "\n".join(textwrap.fill(p, 77) if p.strip() else "" for p in post.split("\n"))
    menu = [f"{w} | Section {k} | Latest stories and video | More" for k in range(6)
            for w in ("World", "Local", "Sports", "Opinion", "Arts")]  # 30 menu lines of 45-50 columns
    menu += ["WorldViews | Max Fisher", "China's economy is slowing. Here's..."] * 3
    text = "\n".join(menu + ["", "Read comments on mobile Web", ""] + wrapped.split("\n") + ["", "« PREVIOUS"])
    assert wrap_width(text.split("\n")) == max(len(x) for x in wrapped.split("\n"))
    texts = [ln.text for ln in split_lines(text)]
    assert post.split("\n")[0] in texts
