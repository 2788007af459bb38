"""Page-level line features of the text cleaner (winnow.clean.text.features): the list and blurb signals.

The model learns from these; the tests check that each one says what it claims on a small page
built the way sidebars, archives and "Top posts" lists are laid out in text dumps.
"""

from __future__ import annotations

import pytest

from winnow.clean.text.features import NAMES, page_features
from winnow.clean.text.lines import split_lines

ARTICLE = [
    "Storm closes the harbour for a second day",
    "",
    "The harbour stayed closed on Tuesday as the storm that hit the coast on Monday night kept the ferries "
    "in port, and the port authority said it would decide in the morning whether they could sail again.",
    "",
    "Fishermen who had brought their boats in early said the waves were the highest they had seen in years, "
    "and several of them spent the night on the quay to keep an eye on the moorings.",
    "",
    "The weather service expects the wind to drop by Wednesday afternoon, when the clean-up of the seafront "
    "can begin, and the council has asked residents to stay away from the promenade until then.",
]
SIDEBAR = [
    "",
    "Archives",
    "March 2009 (12)",
    "February 2009 (3)",
    "January 2009 (7)",
    "Top posts",
    "1. Ten Things You Never Knew About Lighthouses",
    "2. The Best Harbour Towns To Visit This Summer",
    "3. Why Ferries Are Late Again",
    "4. Our Favourite Seafront Cafes",
    "Jane Doe is a writer based in Bristol who covers the weather and the sea for several newspapers.",
]


def _features(lines: list[str]):
    pf = page_features(split_lines("\n".join(lines)))
    return pf, {name: pf.X[:, i] for i, name in enumerate(NAMES)}


def test_list_features_mark_a_sidebar_below_the_article():
    pf, f = _features(ARTICLE + SIDEBAR)
    texts = [ln.text for ln in split_lines("\n".join(ARTICLE + SIDEBAR))]
    at = {t: i for i, t in enumerate(texts)}
    body = at[ARTICLE[2]]
    archive = at["March 2009 (12)"]
    top = at["3. Why Ferries Are Late Again"]
    assert f["log_list_run"][archive] > f["log_list_run"][body] == 0  # a long run of short items; prose is none
    assert f["list_w6"][top] > f["list_w6"][body]
    assert f["log_list_between_run"][top] > f["log_list_between_run"][archive] > 0  # list lines under the prose
    assert f["log_archive_items"][archive] > 0 and f["log_archive_items"][body] == 0
    assert f["numbered_seq"][top] > 0 and f["numbered_seq"][archive] == 0
    assert f["about_someone"][at[SIDEBAR[-1]]] == 1 and f["about_someone"][body] == 0
    assert f["block_ends_share"][body] == 1 and f["block_ends_share"][archive] < 0.5


@pytest.mark.parametrize("line, expected", [
    ("Your Google Search Results Are About To Get Real Personal 266", 1.0),
    ("The council met 12 times in 2009.", 0.0),
])
def test_a_headline_with_its_count(line, expected):
    _, f = _features(ARTICLE + ["", line])
    assert f["ends_count"][-1] == expected


def test_gallery_captions_share_their_opening():
    captions = [f"Jamaica's Usain Bolt crosses the line in heat {k} of the men's 200 metres in London." for k in range(4)]
    _, f = _features(ARTICLE + [""] + captions)
    assert all(f["log_opening_repeat"][-4:] > 0) and f["log_opening_repeat"][2] == 0


def test_script_text_is_code_like():
    _, f = _features(ARTICLE + ["", "var ord = Math.random() * 10000000;", "document.write('<iframe src=x>');"])
    assert f["code_like"][-1] == 1 and f["code_like"][-2] == 1 and f["code_like"][2] == 0
