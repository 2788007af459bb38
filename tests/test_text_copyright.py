"""The text-dump cleaner's "powered by" rule (reason ``copyright``): a footer's credit goes, a sentence stays.

The article is the second seed's gold body (tests/data/text_cleaner/seeds-gold.jsonl); the sentences and
the footers around it are written here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from winnow.clean.text import clean_text_dump

DATA = Path(__file__).resolve().parent / "data" / "text_cleaner"

# sentences of an article that say "powered by" (short ones too: a short line matching a copyright
# pattern is removed on its own)
SENTENCES = [
    "The grid is powered by wind farms along the coast.",
    "Powered by wind, the town's grid has not failed once this winter.",
    "Most of the homes are powered by solar panels",
    "It is powered by two diesel engines.",
    "Its engines are powered by Siemens turbines.",
]
FOOTERS = [
    "Powered by WordPress",
    "Proudly powered by WordPress",
    "Powered by WordPress.com VIP",
    "Powered by WordPress | Theme: Twenty Twelve",
    "Site powered by Drupal",
    "Propulsé par WordPress",
    "SME Times is powered by",
    "blog comments powered by Disqus",
    "Google Blog is powered by Blogger. Start your own weblog.",
    "Powered by WordPress and the Graphene Theme.",
]


def _page(inside: str, footer: str) -> str:
    g = json.loads((DATA / "seeds-gold.jsonl").read_text(encoding="utf-8").splitlines()[1])
    body = [p for p in g["body"].split("\n") if p.strip()]
    page = ["Daily Ledger", "World | Politics | Business | Sport", "", g["title"], ""]
    for k, p in enumerate(body):
        page += [p, ""] + ([inside, ""] if k == len(body) // 2 else [])
    return "\n".join(page + ["About us | Contact | Privacy", footer])


@pytest.mark.parametrize("sentence", SENTENCES)
def test_powered_by_in_a_sentence_of_the_article_is_kept(sentence):
    """A sentence of the article saying "powered by" is no footer credit (was removed as copyright)."""
    ext = clean_text_dump(_page(sentence, "Powered by WordPress"))
    assert sentence in ext.paragraphs
    assert not [r for r in ext.removed if r.text.strip() == sentence]


@pytest.mark.parametrize("footer", FOOTERS)
def test_a_footers_powered_by_credit_is_removed_as_copyright(footer):
    ext = clean_text_dump(_page(SENTENCES[0], footer))
    assert footer not in ext.paragraphs
    assert [r.reason for r in ext.removed if r.text.strip() == footer] == ["copyright"]
