"""Near-duplicates through the real flow: syndicated copies fold, same-topic articles do not."""

from __future__ import annotations

import html
import json
import random

from conftest import DATA, ingest, make_settings, query
from winnow.storage.db import open_write

ARTICLES = json.loads((DATA / "dedup" / "articles.json").read_text(encoding="utf-8"))["articles"]


def paragraphs(aid: str) -> list[str]:
    return [p.strip() for p in ARTICLES[aid]["body"].split("\n") if len(p.split()) > 3]


def site_a(title: str, paras: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return (f"<html><head><title>{html.escape(title)} | Daily Record</title></head><body>"
            "<nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li>"
            "<li><a href='/sport'>Sport</a></li></ul></nav>"
            f"<article><h1>{html.escape(title)}</h1>{body}</article>"
            "<footer><p>© 2019 Daily Record. All rights reserved.</p></footer></body></html>")


def site_b(title: str, paras: list[str]) -> str:
    body = "".join(f"<div class='para'><p>{html.escape(p)}</p></div>" for p in paras)
    return (f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>"
            "<header><a href='/'>The Evening Wire</a> <a href='/login'>Sign in</a></header>"
            f"<main><h1 class='headline'>{html.escape(title)}</h1><div class='story'>{body}</div>"
            "<aside><h3>More stories</h3><ul><li><a href='/a'>Council approves new budget for parks</a></li>"
            "<li><a href='/b'>Local team wins the regional final after extra time</a></li></ul></aside></main>"
            "<footer>Contact us | Privacy | Terms</footer></body></html>")


def syndicated(aid: str, seed: int) -> str:
    """The same story on another site: new headline, a paragraph dropped, quotes and case changed."""
    rng = random.Random(seed)
    paras = paragraphs(aid)
    drop = rng.randrange(1, len(paras)) if len(paras) > 3 else None
    out = [p for i, p in enumerate(paras) if i != drop]
    out = [p.replace("“", '"').replace("”", '"').replace("’", "'") for p in out]
    out[0] = out[0].upper() if rng.random() < 0.5 else out[0]
    return site_b(f"Wire report {seed}: {ARTICLES[aid]['topic'].replace('-', ' ')}", out)


def write(folder, name: str, text: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def clusters(settings) -> set[frozenset[str]]:
    rows = query(settings, "SELECT cluster_id, list(regexp_extract(source_paths[1], '[^/]+$')) "
                           "FROM duplicates GROUP BY cluster_id")
    return {frozenset(names) for _, names in rows}


ORIGINALS = ["35b15891", "9cb8224b", "ac1bfdd4", "6ebac05f", "7a457a4f", "c50845a7", "d1c57d78", "1ace8c85"]


def test_syndicated_copies_fold_and_same_topic_articles_stay_apart(tmp_path):
    first, second = tmp_path / "day1", tmp_path / "day2"
    for aid in ORIGINALS:
        write(first, f"{aid}.html", site_a(ARTICLES[aid]["topic"], paragraphs(aid)))
    write(first, "copy-35b15891.html", syndicated("35b15891", 1))
    write(first, "copy-6ebac05f.html", syndicated("6ebac05f", 2))
    write(second, "copy2-35b15891.html", syndicated("35b15891", 3))
    write(second, "copy-c50845a7.html", syndicated("c50845a7", 4))
    write(second, "copy-1ace8c85.html", syndicated("1ace8c85", 5))

    inc = make_settings(tmp_path / "incremental")
    s1 = ingest([first], inc, export=False)
    assert s1["duplicates"]["clusters"] == 2 and s1["duplicates"]["folded"] == 2
    assert s1["duplicates"]["compared"] >= 9
    assert s1["duplicates"]["near"] >= 1, "a copy with a paragraph dropped is a near duplicate"
    s2 = ingest([first, second], inc, export=False)
    assert s2["duplicates"]["clusters"] == 4 and s2["duplicates"]["folded"] == 5
    expected = {
        frozenset({"35b15891.html", "copy-35b15891.html", "copy2-35b15891.html"}),
        frozenset({"6ebac05f.html", "copy-6ebac05f.html"}),
        frozenset({"c50845a7.html", "copy-c50845a7.html"}),
        frozenset({"1ace8c85.html", "copy-1ace8c85.html"}),
    }
    assert clusters(inc) == expected  # distinct reports of one story (doobie, omar, nasa) never merge
    assert query(inc, "SELECT count(*) FROM corpus")[0][0] == len(ORIGINALS)
    # a new copy says which existing document it matched, and how
    row = query(inc, """SELECT d.match, d.similarity, d.containment, regexp_extract(m.source_paths[1], '[^/]+$')
                        FROM duplicates d JOIN duplicates m ON m.doc_id = d.matched_doc_id
                        WHERE d.source_paths[1] LIKE '%copy-c50845a7.html'""")
    (match, sim, cont, matched), = row
    assert match == "near" and matched == "c50845a7.html" and 0.5 <= sim < 1.0 and cont >= sim
    # one signature per document, computed by the workers with its batch, never again: the
    # second run signed only its new documents and the dedup stage read no text back to sign
    (n_sigs,), = query(inc, "SELECT count(*) FROM doc_signatures")
    assert n_sigs == query(inc, "SELECT count(*) FROM documents")[0][0]
    assert s1["duplicates"]["signatures_computed"] + s2["duplicates"]["signatures_computed"] == n_sigs
    assert s2["duplicates"]["signatures_computed"] == s2["documents"]["new"] == 3
    assert s1["duplicates"]["signatures_read_back"] == s2["duplicates"]["signatures_read_back"] == 0
    (runs_with_sigs,), = query(inc, "SELECT count(DISTINCT run_id) FROM dedup_seen")
    assert runs_with_sigs == 2

    scratch = make_settings(tmp_path / "scratch")
    ingest([first, second], scratch, export=False)
    assert clusters(scratch) == clusters(inc)
    q = "SELECT doc_id, duplicate_of, cluster_id, dup_method FROM documents ORDER BY doc_id"
    assert query(scratch, q) == query(inc, q)


def test_near_dedup_can_be_switched_off(tmp_path):
    folder = tmp_path / "in"
    write(folder, "a.html", site_a("x", paragraphs("6ebac05f")))
    write(folder, "b.html", syndicated("6ebac05f", 9))
    s = make_settings(tmp_path, dedup={"near": False})
    summary = ingest([folder], s, export=False)
    assert summary["duplicates"]["folded"] == 0
    assert query(s, "SELECT count(*) FROM corpus")[0][0] == 2


def test_dedup_settings_change_recompares_everything(tmp_path):
    folder = tmp_path / "in"
    write(folder, "a.html", site_a("x", paragraphs("6ebac05f")))
    write(folder, "b.html", syndicated("6ebac05f", 9))
    loose = make_settings(tmp_path)
    assert ingest([folder], loose, export=False)["duplicates"]["near"] == 1
    strict = make_settings(tmp_path, dedup={"min_jaccard": 0.99, "min_containment": 1.0})
    summary = ingest([folder], strict, export=False)
    assert summary["files"]["unchanged"] == 2
    assert summary["duplicates"]["near"] == 0, "pairs verified under other thresholds are not reused"
    with open_write(strict.warehouse.db, 10) as con:
        assert con.execute("SELECT count(DISTINCT settings_hash) FROM dup_pairs").fetchone()[0] == 1


# A blog's sidebar that the cleaner keeps inside the article (55 words).
SIDEBAR = ("About this blog. Street style and street fashion in London, documented by two photographers "
           "since 2006, from Brick Lane to Portobello Market and from Carnaby Street to Oxford Street. "
           "All images are copyrighted by the photographers; for permission to use them, please contact "
           "us directly. We hope you enjoy our blog and come back every week for more.")


def test_two_pages_that_share_only_the_sites_sidebar_stay_apart(tmp_path):
    """Eight short posts of one blog and two photo galleries whose cleaned bodies are a caption
    and the sidebar: the two galleries pass verification (Jaccard ~0.8), and the boilerplate
    filter keeps them apart; a syndicated copy of a post under the same sidebar still folds."""
    folder = tmp_path / "in"
    posts = [k for k in sorted(ARTICLES) if len(ARTICLES[k]["body"].split()) > 150
             and ARTICLES[k]["body"][:1].isascii()][:8]
    for k in posts:
        lead = " ".join(ARTICLES[k]["body"].split()[:60])
        write(folder, f"post-{k}.html", site_a(ARTICLES[k]["topic"], [lead, SIDEBAR]))
    write(folder, "gallery-1.html", site_a("Fashion week", ["Portraits from the first day of the fashion week.", SIDEBAR]))
    write(folder, "gallery-2.html", site_a("Saturday", ["Twelve looks from the market on Saturday.", SIDEBAR]))
    story = next(k for k in sorted(ARTICLES, reverse=True) if k not in posts and ARTICLES[k]["body"][:1].isascii())
    write(folder, "wire-copy.html", site_b("Wire", paragraphs(story)[:3] + [SIDEBAR]))
    write(folder, "wire-original.html", site_a("Original", paragraphs(story)[:3] + [SIDEBAR]))
    s = make_settings(tmp_path)  # the filters are on by default
    ingest([folder], s, export=False)
    got = clusters(s)
    assert got == {frozenset({"wire-copy.html", "wire-original.html"})}, got
    assert not any({"gallery-1.html", "gallery-2.html"} <= c for c in got), got
    off = make_settings(tmp_path / "off", dedup={"shared_parts": False, "boilerplate_clusters": 0})
    ingest([folder], off, export=False)
    assert any({"gallery-1.html", "gallery-2.html"} <= c for c in clusters(off)), "without the filter they merge"


def test_the_warehouse_boilerplate_filter_keeps_the_pairs_the_in_memory_filter_keeps(tmp_path):
    """The boilerplate filter of a run counts slot values in DuckDB over the stored signatures
    (only the pairs' documents come into Python) instead of sorting every signature per slot:
    the same pairs are kept as by ``drop_boilerplate_pairs`` on all the signatures in memory, on
    signatures whose values repeat across documents at every count around the threshold, with
    chains of pairs, documents of pairs without a signature and pair ends outside ``reps``."""
    import dataclasses

    import numpy as np
    import pyarrow as pa

    from winnow.dedup.boilerplate import drop_boilerplate_pairs
    from winnow.settings import DedupSettings
    from winnow.storage import dedup as wdedup
    from winnow.storage.queries import named

    for seed in range(6):
        rng = np.random.default_rng(seed)
        n, perm = 400, 16
        ids = [f"d{i:04d}" for i in range(n)]
        sigs = rng.integers(0, 12 + 8 * seed, (n, perm)).astype(np.uint32)  # few values: counts of every size
        pairs = set()
        for _ in range(120 + 40 * seed):
            a, b = sorted(rng.choice(n, 2, replace=False))
            take = rng.random(perm) < rng.uniform(0.3, 0.9)
            sigs[b, take] = sigs[a, take]  # the pair agrees on some slots
            pairs.add((ids[a], ids[b], 0.9, 0.9))
        pairs = sorted(pairs)
        unsigned = set(rng.choice(ids, 10, replace=False))  # documents stored without a signature
        reps = sorted(set(ids) - set(rng.choice(ids, 10, replace=False)))  # the rest are not compared
        signed = [i for i in reps if i not in unsigned]
        rows = [ids.index(i) for i in signed]
        s = dataclasses.replace(DedupSettings(), boilerplate_clusters=3 + seed % 3, boilerplate_share=0.005 * seed)
        expected = drop_boilerplate_pairs(pairs, signed, sigs[rows], s.boilerplate_clusters,
                                          cluster_share=s.boilerplate_share)
        with open_write(tmp_path / f"w{seed}.duckdb", 10) as con:
            stored = [i for i in ids if i not in unsigned]
            table = pa.table({"doc_id": pa.array(stored, pa.string()),
                              "minhash": pa.array([sigs[ids.index(i)].tolist() for i in stored], pa.list_(pa.uint32()))})
            con.register("_signatures", table)
            con.execute(named("insert_signatures"), ["k"])
            con.unregister("_signatures")
            got = wdedup._drop_boilerplate_pairs(con, "k", pairs, reps, s)
        assert got == expected, seed
        assert 0 < len(expected) < len(pairs), (seed, len(expected), len(pairs))  # some dropped, some kept
