"""Corpus evidence: a site's recurring prose-like chrome is learnt from the warehouse."""

from __future__ import annotations

import json

from conftest import DATA, ingest, make_settings, query
from winnow.clean.evidence import LineEvidence, line_hash, line_hashes
from winnow.clean.text import clean_text_dump, line_key

ARTICLES = json.loads((DATA / "dedup" / "articles.json").read_text(encoding="utf-8"))["articles"]
# Site chrome that reads like prose: the model alone keeps it on some pages.
FOOTER = [
    "The Valley Courier has covered the towns of the river valley since 1921, and our reporting depends on readers who subscribe.",
    "Our newsroom is independent and answers only to its readers, who can reach the editors at any time with tips and corrections.",
]


def dump(aid: str, variant: int) -> str:
    a = ARTICLES[aid]
    paras = [p for p in a["body"].split("\n") if p.strip()]
    if variant and len(paras) > 3:
        paras = paras[:variant % len(paras)] + paras[variant % len(paras) + 1:]
    title = a["topic"].replace("-", " ").title() + (f" (part {variant})" if variant else "")
    return "\n\n".join([title, *paras, *FOOTER]) + "\n"


def test_line_hashes_are_the_cleaners_keys():
    text = "Home | News\n\nSome 12 words here.\n" + "x " * 100
    hashes = line_hashes(text)
    assert line_hash(line_key("Some 99 words here!")) in hashes  # digits and punctuation normalised
    assert len(hashes) == 2  # the 100-word line is too long to be chrome
    ev = LineEvidence({line_hash(line_key("Home | News")): 7}, total=50)
    assert ev.count(line_key("home | news")) == 7 and ev.count("other") == 0


def test_a_lines_key_is_computed_once_and_is_line_key_of_its_text():
    """The cleaner and the evidence share each line's key (``Line.key``, computed once): it must be
    ``line_key`` of the line's text on real dumps, and the evidence's hashes those of fresh keys."""
    from winnow.clean.text.features import line_words
    from winnow.clean.text.lines import split_lines
    from winnow.clean.text.params import EVIDENCE

    for aid in list(ARTICLES)[:20]:
        text = dump(aid, 1)
        lines = split_lines(text)
        clean_text_dump(text, evidence=LineEvidence({}, total=1000), lines=lines)  # the cleaner keys them first
        assert [ln.key for ln in lines] == [line_key(ln.text) for ln in lines]
        fresh = {line_key(ln.text) for ln in split_lines(text) if line_words(ln.text) <= EVIDENCE["max_words"]}
        assert line_hashes(text, lines) == sorted(line_hash(k) for k in fresh if k)


def test_recurring_site_chrome_is_learnt_from_the_warehouse(tmp_path):
    ids = [a for a in ARTICLES if not a.startswith("seed") and ARTICLES[a]["topic"] not in ("kindle-hotkey-ja", "entermedia-ko")]
    first = tmp_path / "day1"
    first.mkdir()
    n = 0
    for variant in range(3):
        for aid in ids:
            (first / f"{aid}-{variant}.txt").write_text(dump(aid, variant), encoding="utf-8")
            n += 1
    assert n >= 30
    later = tmp_path / "day2"
    later.mkdir()
    (later / "new.txt").write_text(dump("d1c57d78", 7), encoding="utf-8")

    s = make_settings(tmp_path / "wh")
    ingest([first], s, export=False)
    kept_before = query(s, "SELECT count(*) FROM corpus WHERE text LIKE '%Valley Courier has covered%'")[0][0]
    assert kept_before > 0, "without evidence the model keeps this prose-like chrome on some pages"
    counts = query(s, "SELECT max(documents), count(DISTINCT run_id) FROM line_counts")[0]
    assert counts == (n, 1)

    ingest([later], s, export=False)
    (text,), = query(s, "SELECT text FROM documents WHERE doc_id IN "
                        "(SELECT doc_id FROM source_files WHERE path LIKE '%new.txt')")
    assert "Valley Courier" not in text and "newsroom is independent" not in text
    assert len(text.split()) > 200, "the article itself stays"
    reasons = dict(query(s, """SELECT text, reason FROM removed_segments WHERE doc_id IN
                               (SELECT doc_id FROM source_files WHERE path LIKE '%new.txt')"""))
    assert reasons[FOOTER[0]] == reasons[FOOTER[1]] == "recurring"
    # without evidence, the same page keeps its chrome: the warehouse made the difference
    alone = clean_text_dump(dump("d1c57d78", 7)).text
    assert "Valley Courier" in alone and "newsroom is independent" in alone


def test_evidence_can_be_switched_off(tmp_path):
    s = make_settings(tmp_path, clean={"corpus_evidence": False})
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(dump("9cb8224b", 0), encoding="utf-8")
    ingest([folder], s, export=False)
    assert query(s, "SELECT count(*) FROM line_counts")[0][0] == 0
