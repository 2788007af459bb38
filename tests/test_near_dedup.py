"""Near-duplicate engine (winnow.dedup.near): real article bodies, no warehouse, no Prefect.

Fixtures (tests/data/dedup/articles.json) are real bodies from shared/eval: articles
with the same ``topic`` are different outlets' reports of one story (same names,
places, dates) and must never be merged; copies are made here, deterministically.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from winnow.dedup import near
from winnow.dedup.boilerplate import drop_boilerplate_pairs, without_boilerplate
from winnow.dedup.lsh import NearDupIndex, candidate_probability, lsh_params
from winnow.dedup.minhash import SIGNATURE_VERSION, signatures_datasketch
from winnow.dedup.shingles import shingle_strings, tokens
from winnow.settings import DedupSettings

DATA = Path(__file__).parent / "data" / "dedup"
ARTICLES = json.loads((DATA / "articles.json").read_text(encoding="utf-8"))["articles"]
GOLDEN = json.loads((DATA / "signature-golden.json").read_text(encoding="utf-8"))
S = DedupSettings()
B = replace(S, boilerplate_clusters=3)  # the count the filter's tests were written for (default 4)


def body(doc_id: str) -> str:
    return ARTICLES[doc_id]["body"]


def topics() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, a in ARTICLES.items():
        out.setdefault(a["topic"], []).append(k)
    return out


def make_copy(text: str, rng: random.Random, drop: float = 0.12) -> str:
    """A syndicated copy: paragraphs/sentences dropped, a line added, quote/case/space noise."""
    paras = [p for p in text.split("\n") if p.strip()]
    sents = [re.split(r"(?<=[.!?])\s+", p) for p in paras]
    n = sum(len(s) for s in sents)
    cut = set(rng.sample([(i, j) for i, s in enumerate(sents) for j in range(len(s)) if (i, j) != (0, 0)],
                         int(drop * n)))
    paras = [" ".join(x for j, x in enumerate(s) if (i, j) not in cut) for i, s in enumerate(sents)]
    paras = [p for p in paras if p]
    paras.insert(len(paras) // 2, "(With inputs from agencies)")
    out = "\n\n".join(paras)
    out = out.replace("’", "'").replace("“", '"').replace("”", '"').replace("—", "--")
    out = re.sub(r"(?<=[.,]) ", "  ", out)
    first = out.split(" ", 3)
    return " ".join(w.upper() for w in first[:3]) + " " + first[3]


# --- tokens and signatures ---------------------------------------------------------------


def test_tokens_ignore_quotes_case_dashes_and_spacing():
    a = "“Toyota’s plug-in RAV4,” he said — at   the L.A. show."
    b = '"TOYOTA\'S plug in rav4," he said -- at the L.A.\u00a0show.'
    assert tokens(a) == tokens(b) == ["toyota", "s", "plug", "in", "rav4", "he", "said", "at", "the", "l", "a", "show"]


def test_tokens_of_scripts_without_spaces_and_with_marks():
    assert tokens("漢字かな abc") == ["漢", "字", "か", "な", "abc"]
    assert tokens("हिन्दी समाचार।") == ["हिन्दी", "समाचार"]  # vowel signs stay inside words
    assert shingle_strings("a b", 5) == ["a b"] and shingle_strings("...", 5) == []


def test_signatures_are_deterministic_uint32_and_round_trip():
    texts = [body(k) for k in sorted(ARTICLES)]
    a = near.signatures(texts, S)
    b = near.signatures(list(reversed(texts)), S)[::-1]
    assert a.dtype == np.uint32 and a.shape == (len(texts), S.num_perm)
    assert np.array_equal(a, b)  # batch composition and order do not matter
    assert np.array_equal(a[3], near.signature(texts[3], S))
    stored = [row.tolist() for row in a]  # what a UINTEGER[] column holds
    assert np.array_equal(np.asarray(stored, dtype=np.uint32), a)
    assert len({row.tobytes() for row in a}) == len(texts)


def test_chunked_hashing_gives_the_same_signatures(monkeypatch):
    from winnow.dedup import minhash, shingles

    texts = [body(k) for k in sorted(ARTICLES)] + ["", "one two"]
    whole = near.signatures(texts, S)
    monkeypatch.setattr(shingles, "_CHUNK_CHARS", 3000)  # many numpy passes over the texts
    monkeypatch.setattr(minhash, "_BLOCK", 128 * 200)  # many permutation blocks
    assert np.array_equal(near.signatures(texts, S), whole)


def test_one_hash_per_distinct_shingle():
    for k in sorted(ARTICLES):
        strings = set(shingle_strings(body(k), S.shingle_words))
        assert len(near.shingle_set(body(k), S.shingle_words)) == len(strings), k


def test_signature_format_is_stable():
    """Stored signatures stay valid: same text, same key, same values as when the fixture was made.

    If this fails on purpose (tokens, hashing or permutations changed), bump
    SIGNATURE_VERSION and regenerate tests/data/dedup/signature-golden.json.
    """
    assert near.signature_key(S).split(":ucd")[0] == GOLDEN["key"].split(":ucd")[0]
    assert SIGNATURE_VERSION == GOLDEN["version"]
    sig = near.signature(body(GOLDEN["doc"]), S)
    assert sig.tolist() == GOLDEN["signature"]


def test_signature_independent_of_python_hash_seed():
    code = (
        "import json,sys; from winnow.dedup.near import signature; from winnow.settings import DedupSettings;"
        "print(json.dumps(signature(sys.stdin.read(), DedupSettings()).tolist()))"
    )
    text = body("1ace8c85")
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        r = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, env=env, check=True)
        outs.append(json.loads(r.stdout))
    assert outs[0] == outs[1] == near.signature(text, S).tolist()


def test_vectorised_signatures_equal_datasketch():
    texts = [body(k) for k in sorted(ARTICLES)] + ["", "short"]
    assert np.array_equal(near.signatures(texts, S), signatures_datasketch(texts, S))


def test_estimated_jaccard_tracks_exact_jaccard():
    rng = random.Random(1)
    for k in ("9cb8224b", "c50845a7", "seed-001"):
        a, b = body(k), make_copy(body(k), rng, drop=0.3)
        exact = near.verify(a, b, S).jaccard
        est = near.estimate_jaccard(near.signature(a, S), near.signature(b, S))
        assert abs(est - exact) < 0.15, (k, est, exact)


# --- verification --------------------------------------------------------------------------


@pytest.mark.parametrize("doc_id", sorted(ARTICLES))
def test_copy_with_dropped_sentences_and_noise_is_a_duplicate(doc_id):
    rng = random.Random(doc_id)
    copy = make_copy(body(doc_id), rng)
    v = near.verify(body(doc_id), copy, S)
    assert v.is_dup, (doc_id, v)


def test_copy_missing_half_is_matched_by_containment():
    text = body("c50845a7")  # ~700 words
    paras = [p for p in text.split("\n") if p.strip()]
    half = "\n".join(paras[: len(paras) * 9 // 20])  # the first 45%
    v = near.verify(text, half, S)
    assert v.jaccard < S.min_jaccard and v.containment > 0.95
    assert v.is_dup and v.reason == "containment"


def test_teaser_is_not_a_duplicate_though_contained():
    text = body("d1c57d78")
    teaser = " ".join(re.split(r"(?<=[.!?])\s+", text)[:2])
    v = near.verify(text, teaser, S)
    assert v.containment == pytest.approx(1.0, abs=0.02)  # the teaser is entirely in the article ...
    assert not v.is_dup  # ... and is still not a copy of it
    no_floor = replace(S, min_containment_shingles=0)
    assert near.verify(text, teaser, no_floor).is_dup  # the size floor is what guards


def test_distinct_articles_on_the_same_story_never_match():
    for topic, ids in topics().items():
        if len(ids) < 2:
            continue
        pairs = near.find_pairs([(k, body(k)) for k in ids], [], {k: body(k) for k in ids}, S)
        assert pairs == [], (topic, pairs)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                v = near.verify(body(a), body(b), S)
                assert v.jaccard < 0.25 and v.containment < 0.5, (a, b, v)


def test_a_page_and_its_text_dump_are_one_cluster():
    """The same article as HTML and as a text dump (an inscriptis rendering of that very page)
    cleaned by their two cleaners: the bodies differ in spacing, quotes and line breaks, one
    cluster all the same, and none with the other pages."""
    import gzip

    from winnow.clean import clean

    root = Path(__file__).parent / "data"
    texts = {}
    for page in sorted((root / "html" / "pages").glob("*.html.gz")):
        dump = sorted((root / "text_cleaner" / "dev").glob(page.name[:12] + "*.txt"))
        if dump:
            texts[page.name[:12] + "|html"] = clean(gzip.open(page).read().decode("utf-8", "replace"), "html").text
            texts[page.name[:12] + "|text"] = clean(dump[0].read_text(encoding="utf-8"), "text").text
    assert len(texts) == 8
    pairs = near.find_pairs(sorted(texts.items()), [], texts, S)
    assert {(p.a, p.b) for p in pairs} == {(k[:12] + "|html", k[:12] + "|text") for k in texts}


# A site's sidebar as a cleaner may keep it (55 words: under min_containment_shingles, so it is
# no "copy" of a page it appears on by containment).
SIDEBAR = ("About this blog. Street style and street fashion in London, documented by two photographers "
           "since 2006, from Brick Lane to Portobello Market and from Carnaby Street to Oxford Street. "
           "All images are copyrighted by the photographers; for permission to use them, please contact "
           "us directly. We hope you enjoy our blog and come back every week for more.")


def lead(doc_id: str, words: int = 60) -> str:
    """The first ``words`` words of an article: a short blog post."""
    return " ".join(body(doc_id).split()[:words])


def site_pages() -> dict[str, str]:
    """Ten pages of one blog: eight short posts with the site's sidebar under them, and two
    photo galleries that cleaning gave only a caption and the sidebar."""
    english = [k for k in sorted(ARTICLES) if len(body(k).split()) > 150 and body(k)[:1].isascii()]
    pages = {f"post-{k}": lead(k) + "\n" + SIDEBAR for k in english[:8]}
    pages["gallery-1"] = "Portraits from the first day of the fashion week.\n" + SIDEBAR
    pages["gallery-2"] = "Twelve looks from the market on Saturday.\n" + SIDEBAR
    return pages


def engine_clusters(docs: dict[str, str], settings: DedupSettings) -> dict[str, str]:
    """doc -> cluster id, with the boilerplate filter applied where run_dedup applies it."""
    ids = sorted(docs)
    sigs = near.signatures([docs[i] for i in ids], settings)
    pairs = near.find_pairs([(i, docs[i], g) for i, g in zip(ids, sigs)], [], docs, settings)
    pairs, _, _ = without_boilerplate(pairs, ids, sigs, {i: len(docs[i]) for i in ids}, settings)
    assign = near.cluster({i: (len(docs[i]), 0) for i in ids}, pairs, [], settings.representative)
    return {i: a.cluster_id for i, a in assign.items()}


def test_two_pages_that_share_only_a_sidebar_do_not_cluster():
    docs = site_pages()
    v = near.verify(docs["gallery-1"], docs["gallery-2"], S)
    assert v.is_dup and v.jaccard > 0.7, "verification alone takes the two galleries for copies"
    got = engine_clusters(docs, B)
    assert len(set(got.values())) == len(docs), got
    # the boilerplate filter is what keeps them apart
    off = engine_clusters(docs, replace(S, boilerplate_clusters=0))
    assert off["gallery-1"] == off["gallery-2"]


# A site's comment policy (112 words) that a text-dump cleaner keeps under every article.
POLICY = ("Comment guidelines. Reader feedback should stay within the guidelines of this community. "
          "These guidelines are used to identify the comments that will be removed from display on the "
          "site. Please keep your comments relevant to the topic of the article, do not be abusive or "
          "combative towards other readers, and do not share any personal information such as phone "
          "numbers, home addresses or e-mail addresses. Comments that are off topic, that contain links "
          "to other sites or that advertise products will be deleted without notice. Repeat offenders "
          "will lose the right to comment. By posting a comment you agree that we may publish it in print "
          "and online, edited for length and clarity, under the name you give.")


def test_a_comment_policy_inside_unrelated_articles_does_not_chain_them_into_one_cluster():
    """Three articles of one site, each as HTML (the article) and as a text dump whose cleaning
    kept the comment policy below it, and a page whose body is the policy alone. The policy is
    contained in every dump, each article in its dump: without the shared-part filter union-find
    chains all seven documents into one cluster; with the defaults each article is one cluster
    of its two copies and the policy page stays alone."""
    arts = ["1ace8c85", "4a44ab3e", "51374560"]  # three topics
    assert len({ARTICLES[k]["topic"] for k in arts}) == 3
    docs = {"policy-page": POLICY}
    for k in arts:
        docs[f"{k}.html"] = body(k)
        docs[f"{k}.txt"] = body(k) + "\n" + POLICY
    assert near.verify(POLICY, docs[f"{arts[0]}.txt"], S).reason == "containment"
    got = engine_clusters(docs, S)
    for k in arts:
        assert got[f"{k}.html"] == got[f"{k}.txt"], k
    assert len({got[f"{k}.html"] for k in arts} | {got["policy-page"]}) == 4, got
    off = engine_clusters(docs, replace(S, shared_parts=False, boilerplate_clusters=0))
    assert len(set(off.values())) == 1, "without the filter the policy chains the articles"


def test_the_boilerplate_threshold_grows_with_the_warehouse():
    """Two documents agreeing on 128 slot values that 7 other clusters also hold: boilerplate among
    a few hundred clusters, not among 20,000 (where 7 holders are what chance gives a quoted
    sentence; ``boilerplate_share`` 0.001 asks for 20)."""
    rng = np.random.default_rng(0)
    shared = rng.integers(0, 2**32, 128, dtype=np.uint64).astype(np.uint32)

    def run(n_other: int) -> list:
        sigs = rng.integers(0, 2**32, (9 + n_other, 128), dtype=np.uint64).astype(np.uint32)
        sigs[:9] = shared  # docs 0 and 1 are the pair; 2..8 hold the same values, unpaired
        pairs = [(0, 1, 1.0, 1.0)]
        return drop_boilerplate_pairs(pairs, list(range(len(sigs))), sigs, 4, cluster_share=0.001)

    assert run(300) == []
    assert run(20_000) == [(0, 1, 1.0, 1.0)]


def test_syndicated_copies_with_the_site_sidebar_still_cluster():
    """Copies of one story are one cluster: their shared text is not boilerplate, even when
    every copy and the originals of other stories carry the same sidebar."""
    rng = random.Random(3)
    docs = site_pages()
    story = sorted(ARTICLES)[1]
    for c in range(6):
        docs[f"copy-{c}"] = make_copy(body(story), rng) + "\n" + SIDEBAR  # long: the sidebar is a small part
    got = engine_clusters(docs, B)
    assert len({got[f"copy-{c}"] for c in range(6)}) == 1
    assert got["gallery-1"] != got["gallery-2"]
    expected = set(expected_pairs(corpus()))
    full = corpus()
    ids = sorted(full)
    sigs = near.signatures([full[i] for i in ids], S)
    pairs = near.find_pairs([(i, full[i], g) for i, g in zip(ids, sigs)], [], full, S)
    assert {(p.a, p.b) for p in drop_boilerplate_pairs(pairs, ids, sigs, B.boilerplate_clusters)} == expected


# --- candidates, incremental runs ---------------------------------------------------------


def corpus() -> dict[str, str]:
    rng = random.Random(7)
    docs = {}
    for k in sorted(ARTICLES):
        docs[k] = body(k)
        for c in range(2):
            docs[f"{k}~copy{c}"] = make_copy(body(k), rng)
    docs["empty"] = ""
    return docs


def expected_pairs(docs: dict[str, str]) -> set[tuple[str, str]]:
    ids = sorted(docs)
    return {(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]
            if a and b and a.split("~")[0] == b.split("~")[0] and docs[a] and docs[b]}


def test_find_pairs_from_scratch_finds_exactly_the_copies():
    docs = corpus()
    pairs = near.find_pairs([(k, t) for k, t in docs.items()], [], docs, S)
    assert {(p.a, p.b) for p in pairs} == expected_pairs(docs)
    assert all(p.a < p.b for p in pairs) and pairs == sorted(pairs)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_incremental_runs_equal_a_from_scratch_run(seed):
    docs = corpus()
    ids = sorted(docs)
    full = near.find_pairs([(k, docs[k]) for k in ids], [], docs, S)
    stored = {k: near.signature(docs[k], S).tolist() for k in ids}  # as read back from storage
    rng = random.Random(seed)
    rng.shuffle(ids)
    cuts = sorted(rng.sample(range(1, len(ids)), 2))
    batches = [ids[: cuts[0]], ids[cuts[0] : cuts[1]], ids[cuts[1] :]]
    seen: list[str] = []
    found = []
    for batch in batches:
        new = [(k, docs[k], np.asarray(stored[k], dtype=np.uint32)) for k in batch]
        found += near.find_pairs(new, [(k, stored[k]) for k in seen], docs.__getitem__, S)
        seen += batch
    assert sorted(found) == full


def test_lsh_params_meet_the_recall_floor():
    bands, rows = lsh_params(128, 0.5)
    assert (bands, rows) == (42, 3)
    assert candidate_probability(0.5, bands, rows) >= 0.99
    assert candidate_probability(0.1, bands, rows) < 0.05
    b8, r8 = lsh_params(128, 0.8)
    assert r8 > rows and candidate_probability(0.8, b8, r8) >= 0.99


def test_index_query_and_guards():
    docs = corpus()
    index = NearDupIndex(S)
    ids = [k for k in sorted(docs) if "~" not in k]
    index.add_many(ids, near.signatures([docs[k] for k in ids], S))
    assert index.query(near.signature(docs["9cb8224b~copy0"], S)) == ["9cb8224b"]
    assert index.query(near.signature("", S)) == []  # an empty text pairs with nothing
    assert "empty" in index and len(index) == len(ids)
    with pytest.raises(ValueError):
        index.add("9cb8224b", near.signature("x", S))
    with pytest.raises(ValueError):
        index.add("other", np.zeros(64, dtype=np.uint32))


# --- clusters --------------------------------------------------------------------------------


def test_representative_rules():
    meta = {"b": (500, 3.0), "a": (500, 5.0), "c": (900, 9.0), "d": (100, 1.0)}
    pairs = [("a", "b", 0.9, 0.95), ("b", "c", 0.7, 0.9), ("c", "d", 0.6, 0.9)]
    longest = near.cluster(meta, pairs, rule="longest")
    assert {x.representative_doc_id for x in longest.values()} == {"c"}  # longest body
    earliest = near.cluster(meta, pairs, rule="earliest")
    assert {x.representative_doc_id for x in earliest.values()} == {"d"}  # earliest ingested
    assert {x.cluster_id for x in longest.values()} == {x.cluster_id for x in earliest.values()} == {"a"}
    # ties: equal length -> earliest; equal length and time -> smallest id
    assert near.cluster({"b": (5, 1), "a": (5, 2)}, [("a", "b", 0.9)])["a"].representative_doc_id == "b"
    assert near.cluster({"b": (5, 1), "a": (5, 1)}, [("a", "b", 0.9)])["b"].representative_doc_id == "a"
    # "earliest": equal time -> longest
    assert near.cluster({"b": (5, 1), "a": (9, 1)}, [("a", "b", 0.9)], rule="earliest")["b"].representative_doc_id == "a"
    with pytest.raises(ValueError):
        near.cluster(meta, pairs, rule="newest")
    with pytest.raises(KeyError):
        near.cluster(meta, [("a", "zz", 0.9)])


def test_assignments_with_exact_groups_and_chains():
    meta = {"r": (900, 1), "r2": (900, 2), "m": (800, 3), "m2": (800, 4), "far": (700, 5), "solo": (50, 6)}
    exact = [["r", "r2"], ["m", "m2"]]
    pairs = [("m2", "r2", 0.8, 0.9), ("far", "m", 0.55, 0.85)]
    out = near.cluster(meta, pairs, exact, rule="longest")
    assert out["r"].method == "representative" and out["r"].matched_doc_id is None
    assert out["r2"].method == "exact" and out["r2"].similarity == 1.0
    assert out["m"].method == "near" and out["m"].similarity == 0.8 and out["m"].matched_doc_id == "r2"
    assert out["far"].method == "near" and out["far"].matched_doc_id == "m" and out["far"].similarity == 0.55
    assert {out[k].cluster_id for k in ("r", "r2", "m", "m2", "far")} == {"far"}  # smallest member id
    assert out["r"].cluster_size == 5
    assert out["solo"].cluster_size == 1 and out["solo"].representative_doc_id == "solo"
    assert near.clusters_of(out) == {"far": ["far", "m", "m2", "r", "r2"]}


def test_clusters_do_not_depend_on_input_order():
    docs = corpus()
    pairs = near.find_pairs([(k, t) for k, t in docs.items()], [], docs, S)
    meta = {k: (len(t), i % 3) for i, (k, t) in enumerate(sorted(docs.items()))}
    first = near.cluster(meta, pairs, rule="longest")
    rng = random.Random(3)
    shuffled_pairs = list(pairs)
    rng.shuffle(shuffled_pairs)
    keys = list(meta)
    rng.shuffle(keys)
    again = near.cluster({k: meta[k] for k in keys}, shuffled_pairs, rule="longest")
    assert again == first
    # every cluster is one article and its copies
    for cid, members in near.clusters_of(first).items():
        assert len({m.split("~")[0] for m in members}) == 1, members


def test_candidates_equal_datasketch_minhashlsh_with_the_same_bands():
    from datasketch import LeanMinHash, MinHashLSH

    from winnow.dedup.minhash import SEED

    docs = corpus()
    ids = sorted(docs)
    sigs = near.signatures([docs[k] for k in ids], S)
    index = NearDupIndex(S)
    index.add_many(ids, sigs)
    lsh = MinHashLSH(num_perm=S.num_perm, params=(index.bands, index.rows))
    expected = set()
    live = [(k, LeanMinHash(seed=SEED, hashvalues=s, scheme="affine32")) for k, s in zip(ids, sigs) if docs[k]]
    for k, m in live:
        lsh.insert(k, m)
    for k, m in live:
        expected |= {tuple(sorted((k, o))) for o in lsh.query(m) if o != k}
    assert set(index.candidate_pairs()) == expected
