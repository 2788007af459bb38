"""One text vocabulary: the word counters and normalisers of cleaning, filters, exact
hashes and shingles agree, on Latin, CJK, Cyrillic and Arabic text."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from conftest import ingest, make_settings, query
from winnow.clean.html.blocks import count_words
from winnow.clean.text.features import line_words, page_features
from winnow.clean.text.lines import split_lines
from winnow.dedup.exact import content_hash, normalize_text
from winnow.dedup.shingles import shingle_set, shingle_sets
from winnow.vocab import content_key, normalize, tokens, word_count, word_counts, word_units

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
K = 5

# A five-paragraph Chinese article (written for this test), as a text dump: no spaces at all.
CHINESE = """城市公交全面换装电动车

本市交通部门周一宣布，到明年年底，全市所有公交线路将全部使用电动公交车。这项计划已经讨论了三年，最终在上个月的市政会议上获得通过。

据交通局介绍，目前全市共有一千二百辆公交车，其中约四成已经是电动车。剩下的柴油车将在未来十八个月内分批退役，由新采购的电动车替代。

负责这项工作的工程师表示，最大的难题不是车辆本身，而是充电设施。每个公交总站都需要安装大功率充电桩，部分老旧车站还要改造供电线路。

市民对这项计划反应不一。有人认为电动车更安静、更干净，也有人担心冬季续航里程下降会影响早晚高峰的班次。交通局承诺将在寒冷天气增加备用车辆。

专家指出，公交电动化只是第一步。如果出租车和物流车辆也能跟进，城市的空气质量将在五年内得到明显改善。
"""

# The same words in Latin, CJK, Cyrillic and Arabic scripts, with the spellings that must agree.
SAME = [
    ("Die Straße ist gesperrt.", "DIE STRASSE IST GESPERRT"),
    ("Toyota’s plug-in hybrid", "toyota's plug in Hybrid"),
    ("中国人民银行宣布降息", "中 国 人 民 银 行 宣 布 降 息"),
    ("東京タワーの夜景", "東京 タワー の 夜景"),
    ("Москва — столица России.", "москва столица россии"),
    ("ＦＵＬＬ－ＷＩＤＴＨ ｔｅｘｔ １２３", "full width text 123"),
    ("اللغة العربية جميلة.", "اللغة  العربية   جميلة"),
]


def test_chinese_body_is_not_too_short(tmp_path):
    """`winnow clean` keeps the five paragraphs; ingest used to reject them as 5 body words."""
    from winnow.clean.text import clean_text_dump

    cleaned = clean_text_dump(CHINESE).text
    assert cleaned.count("\n") >= 3 and "公交电动化" in cleaned
    assert cleaned.count("\n") == 4 and word_count(cleaned) >= 120  # 290 Han characters, two a word
    f = tmp_path / "in" / "zh.txt"
    f.parent.mkdir()
    f.write_text(CHINESE, encoding="utf-8")
    s = make_settings(tmp_path)
    summary = ingest([f.parent], s, export=False)
    rejected = query(s, "SELECT reason, detail FROM rejected_files")
    assert rejected == [] and summary["documents"]["new"] == 1
    (wc, text, version), = query(s, "SELECT word_count, text, hash_version FROM documents")
    assert wc == word_count(text) >= 120
    assert version == 2  # a new warehouse stores the current version of the rules


@pytest.mark.parametrize("a,b", SAME)
def test_equal_hash_and_equal_shingles_agree(a, b):
    """Each pair is one text for the exact hash *and* for the shingles (they disagreed both ways)."""
    assert content_hash(a) == content_hash(b)
    sa, sb = shingle_sets([a, b], K)
    assert sa.tolist() == sb.tolist()
    assert word_count(a) == word_count(b)


def test_word_counts_by_script():
    assert word_count("Die Straße ist gesperrt.") == 4
    assert word_count("北京是中国的首都。") == 4  # 8 Han characters
    assert word_count("東京 Tokyo") == 2
    assert word_count("Москва — столица России.") == 3
    assert word_count("اللغة العربية جميلة.") == 3
    assert word_count("서울은 한국의 수도이다") == 3  # Hangul is written with spaces: words are tokens
    assert word_count("") == 0 and word_count(" — … ") == 0


def test_every_counter_is_the_one_counter():
    """The text cleaner's features, the HTML blocks, the filters and the stored count agree."""
    raw = [ln for ln in CHINESE.splitlines() if ln.strip()] + [x for pair in SAME for x in pair]
    split = split_lines("\n\n".join(raw))
    lines = [ln.text for ln in split]
    assert len(lines) >= len(raw) - 2
    pf = page_features(split)
    from winnow.clean.text.features import NAMES

    model_words = pf.X[:, NAMES.index("words")].tolist()
    assert model_words == [float(word_count(t)) for t in lines]
    assert [line_words(t) for t in lines] == model_words
    assert [count_words(t) for t in lines] == [word_count(t) for t in lines]


# --- properties: random text of the four scripts, with the separators they use --------------

_LATIN = "abcdefghijklmnopqrstuvwxyzßäöüéèçñ" + "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜÉ" + "0123456789" + "\u0301\u0308"
_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗ"
_ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي" + "\u064b\u064e\u0650\u0651" + "٠١٢٣"
_CJK = "中国人民银行北京東京的是了在有一个タワーのひらがなカタカナ한국어서울"
_SEP = " \n\t.,;:!?'’\"“”«»—–-()[]/…_·、。，！？「」\u00a0\u200b\u3000" + "😀ﬁ①"
_TEXT = st.text(alphabet=_LATIN + _CYRILLIC + _ARABIC + _CJK + _SEP, max_size=300)
_PROPS = hsettings(max_examples=300, deadline=None, derandomize=CI)


@_PROPS
@given(_TEXT)
def test_normalise_is_idempotent_and_hash_is_of_the_tokens(text):
    assert normalize(normalize(text)) == normalize(text)
    assert normalize_text(text) == content_key(text) == " ".join(tokens(text))
    assert tokens(content_key(text)) == tokens(text)
    assert content_hash(content_key(text)) == content_hash(text)


@_PROPS
@given(_TEXT)
def test_shingles_are_made_of_the_hashed_tokens(text):
    """Two texts with one content key have one shingle set: shingle the key instead of the text."""
    assert shingle_set(text, K).tolist() == shingle_set(content_key(text), K).tolist()


@_PROPS
@given(st.lists(_TEXT, max_size=6))
def test_word_counters_agree(texts):
    expected = [len(word_units(t)) for t in texts]
    assert [word_count(t) for t in texts] == expected
    assert word_counts(texts).tolist() == expected
    assert [count_words(t) for t in texts] == expected
    for t in texts:
        assert word_count(t) == word_count(content_key(t))  # normalising does not change the count


@_PROPS
@given(st.lists(st.sampled_from(["Straße", "STRASSE", "strasse", "中国", "中 国", "Россия", "РОССИЯ",
                                 "العربية", "Toyota’s", "toyota's", "plug-in", "plug in"]), min_size=1, max_size=12),
       st.sampled_from([" ", "  ", "\n", " — ", ", "]))
def test_spelling_variants_are_one_text_everywhere(words, sep):
    """Variants of case, ß/ss, spacing of CJK, quotes and dashes: same hash, shingles and count."""
    variants = {
        "Straße": "strasse", "STRASSE": "strasse", "中 国": "中国", "РОССИЯ": "Россия",
        "Toyota’s": "toyota's", "plug-in": "plug in",
    }
    a = sep.join(words)
    b = " ".join(variants.get(w, w) for w in words)
    assert content_hash(a) == content_hash(b)
    assert shingle_set(a, K).tolist() == shingle_set(b, K).tolist()
    assert word_count(a) == word_count(b)


# --- migration 011: stored hashes re-hashed, nothing lost, clusters recomputed ---------------

def _v1_hash(text: str) -> str:
    """The content hash before migration 011 (a fixed historical definition, kept for this test)."""
    import hashlib
    import re
    import unicodedata

    t = unicodedata.normalize("NFKC", text).casefold()
    t = "".join(" " if unicodedata.category(c)[0] in "PSZC" else c for c in t)
    return hashlib.sha256(re.sub(r"\s+", " ", t).strip().encode()).hexdigest()[:32]


def _as_stored_before_011(db: str) -> dict[str, tuple[str, int]]:
    """Turn a warehouse back into what version-1 code stored: v1 hashes and split() word counts,
    no hash_version, no history, migration 011 not applied, no clusters."""
    import duckdb

    con = duckdb.connect(db)
    try:
        old = {d: (_v1_hash(t), len(t.split())) for d, t in con.execute("SELECT doc_id, text FROM documents").fetchall()}
        for d, (h, n) in old.items():
            con.execute("UPDATE documents SET content_hash = ?, word_count = ? WHERE doc_id = ?", [h, n, d])
        con.execute("UPDATE documents SET cluster_id = NULL, duplicate_of = NULL, dup_method = NULL")
        for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall():
            con.execute(f'DROP VIEW "{v}"')
        con.execute("DROP TABLE content_hash_history")
        con.execute("ALTER TABLE documents DROP COLUMN hash_version")
        con.execute("DELETE FROM schema_migrations WHERE version = 11")
    finally:
        con.close()
    return old


def test_migration_011_rehashes_keeps_the_old_hashes_and_reclusters(tmp_path):
    """Two copies that differ only in spaces around numbers: one text for version 2, two for version 1."""
    a = CHINESE.replace("一千二百", "1200").replace("十八个月", "18个月")
    b = CHINESE.replace("一千二百", " 1200 ").replace("十八个月", "18 个月")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(a, encoding="utf-8")
    (folder / "b.txt").write_text(b, encoding="utf-8")
    s = make_settings(tmp_path)
    ingest([folder], s, export=False)
    old = _as_stored_before_011(s.warehouse.db)
    assert len(old) == 2 and len({h for h, _ in old.values()}) == 2  # version 1 told them apart
    assert sorted(n for _, n in old.values()) == [5, 8]  # and counted spaces, not words

    ingest([folder], s, export=False)  # nothing new: the run migrates, re-hashes and re-clusters

    docs = query(s, "SELECT doc_id, content_hash, word_count, hash_version, text, dup_method, cluster_id "
                    "FROM documents ORDER BY doc_id")
    assert [r[3] for r in docs] == [2, 2]
    assert all(r[1] == content_hash(r[4]) and r[2] == word_count(r[4]) for r in docs)
    assert docs[0][1] == docs[1][1] and docs[0][6] == docs[1][6]  # one exact-duplicate cluster now
    assert sorted(r[5] for r in docs) == ["exact", "representative"]
    history = query(s, "SELECT doc_id, hash_version, content_hash, word_count FROM content_hash_history ORDER BY doc_id")
    assert history == [(d, 1, h, n) for d, (h, n) in sorted(old.items())]
    assert query(s, "SELECT count(*) FROM corpus")[0][0] == 1


# --- one per-language data module, read by both cleaners -------------------------------------

def test_month_names_are_one_unambiguous_table_read_by_both_date_readers():
    import re

    from winnow.clean.text import patterns
    from winnow.clean.text.metadata import iso_date
    from winnow.vocab import languages

    numbers: dict[str, set[int]] = {}
    for lang in languages.LANGUAGES.values():
        assert len(lang.months) in (0, 12)
        for n, names in enumerate(lang.months, 1):
            for name in names:
                numbers.setdefault(name, set()).add(n)
    assert {k: v for k, v in numbers.items() if len(v) > 1} == {}
    date = re.compile(patterns.DATE, re.I)
    for code, lang in languages.LANGUAGES.items():
        for n, names in enumerate(lang.months, 1):
            line = f"12 {names[0]} 2024"
            assert date.search(line), (code, line)  # the text cleaner's date feature sees it
            assert iso_date(line) == f"2024-{n:02d}-12", (code, line)  # and metadata reads it
    assert iso_date("Roma, 12 gennaio 2024") == "2024-01-12"  # never parsed before


def test_text_rules_know_every_related_phrase_the_html_rules_know():
    """The two cleaners read one list (the text rules knew 67 of the HTML rules' 266)."""
    from winnow.clean.html.related import match_callout
    from winnow.clean.text.features import page_features
    from winnow.vocab import languages

    phrases = sorted({p for ps in languages.related_phrases().values() for p in ps})
    assert len(phrases) >= 266
    pf = page_features(split_lines("\n\n".join(p.capitalize() for p in phrases)))
    missed = [p for p, cats in zip(phrases, pf.categories) if "related_headlines" not in cats]
    assert missed == []
    assert [p for p in phrases if match_callout(p.capitalize()) is None] == []


def test_weak_related_phrases_do_not_flag_prose():
    from winnow.clean.text.features import page_features

    lines = ["More than 40 people were evacuated on Sunday.", "Popular support for the plan fell.",
             "Related to the case, the court heard two witnesses.", "More people died.",
             "More from CNN", "Related tags", "More:", "Popular"]
    pf = page_features(split_lines("\n\n".join(lines)))
    flagged = ["related_headlines" in c for c in pf.categories]
    assert flagged == [False, False, False, False, True, True, True, True]
