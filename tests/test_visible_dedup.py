"""Copies by visible text (winnow.dedup.visible): a page as HTML and as a text dump cluster even when
the two cleaners keep different paragraphs; pages cleaned to their site's chrome do not."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import DATA, ingest, make_settings, query, warehouse_before
from winnow.dedup import near
from winnow.dedup.visible import shares, visible_text, with_visible, witnessed_parts
from winnow.settings import DedupSettings
from winnow.storage import db as wdb

PAGE = DATA / "dedup" / "crossformat"  # Mozilla Readability's test page bug-1255978 and its inscriptis dump


def clusters(settings) -> set[frozenset[str]]:
    rows = query(settings, "SELECT cluster_id, list(regexp_extract(source_paths[1], '[^/]+$')) "
                           "FROM duplicates GROUP BY cluster_id")
    return {frozenset(names) for _, names in rows}


def test_visible_text_is_the_dump_itself_or_the_pages_text_nodes_without_scripts():
    html = ("<html><head><title>T</title><style>p{color:red}</style></head><body><p>One <b>two</b></p>"
            "<script>var x = 'hidden';</script><noscript>enable scripts</noscript><div>three</div></body></html>")
    assert visible_text(html, "html").split("\n") == ["One", "two", "three"]
    assert visible_text("  a dump\n as it is ", "text") == "  a dump\n as it is "
    assert visible_text("", "html") == ""


def test_a_page_and_its_text_dump_cluster_though_their_cleanings_differ(tmp_path):
    """The HTML cleaner and the text cleaner keep different parts of this page (their bodies share a
    third of their shingles: no copy by the bodies), but each body is on the other's page. Fails
    without the visible-text comparison; the same cluster when the dump arrives in a later run."""
    both, first, later = tmp_path / "both", tmp_path / "first", tmp_path / "later"
    for d in (both, first, later):
        d.mkdir()
    shutil.copy(PAGE / "page.html.gz", both / "page.html.gz")
    shutil.copy(PAGE / "page.txt.gz", both / "dump.txt.gz")
    shutil.copy(PAGE / "page.html.gz", first / "page.html.gz")
    shutil.copy(PAGE / "page.txt.gz", later / "dump.txt.gz")

    s = make_settings(tmp_path / "on", dedup={"visible_text": True})
    summary = ingest([both], s, export=False)
    assert clusters(s) == {frozenset({"page.html.gz", "dump.txt.gz"})}
    assert summary["duplicates"]["near"] == 1 and summary["duplicates"]["visible_pairs"] == 1
    bodies = dict(query(s, "SELECT source_type, text FROM documents"))
    v = near.verify(bodies["html"], bodies["text"], DedupSettings())
    assert not v.is_dup and v.containment < 0.7, "the fixture must be a pair the bodies alone do not join"
    assert query(s, "SELECT count(*) FROM doc_visible")[0][0] == 2
    assert query(s, "SELECT count(*) FROM visible_signatures")[0][0] == 4  # body and page samples
    (a_in_b, b_in_a), = query(s, "SELECT a_in_b, b_in_a FROM visible_pairs")
    assert min(a_in_b, b_in_a) >= 0.8

    off = make_settings(tmp_path / "off", dedup={"visible_text": False})
    ingest([both], off, export=False)
    assert clusters(off) == set(), "by their bodies alone they are not copies"
    assert query(off, "SELECT count(*) FROM doc_visible")[0][0] == 0

    inc = make_settings(tmp_path / "incremental", dedup={"visible_text": True})
    ingest([first], inc, export=False)
    ingest([first, later], inc, export=False)
    assert clusters(inc) == {frozenset({"page.html.gz", "dump.txt.gz"})}


SIDEBAR = ("Our testimonials: working with this studio was the best decision we made this year, said one client, "
           "and another wrote that the team delivered every project on time and under budget, again and again.")
NAV = "Home | About | Work | Contact"


def _story(n: int) -> str:
    return " ".join(f"Story {n} sentence {i} tells what happened in the town of Number{n} on day {i}."
                    for i in range(12))


def test_bodies_that_are_chrome_seen_beside_other_articles_join_nothing():
    """Two pages of a studio's blog cleaned to the same testimonials box: each body lies inside the
    other's page, but the box is also on two other pages beside stories that are not on theirs, so
    it is a shared part (and so is every body near-identical to it), and two shared parts are not
    copies. A page cleaned to the box still joins the story its page holds (the story's body is on
    it; the page's own body is chrome)."""
    s = DedupSettings()
    visible = {
        "post1": f"{NAV}\nA photo of the new office.\n{SIDEBAR}",
        "post2": f"{NAV}\nTwelve pictures from the launch party.\n{SIDEBAR}",
        "story": f"{NAV}\n{_story(1)}\n{SIDEBAR}",
        "story-dump": f"{NAV}\n{_story(1)}\n{SIDEBAR}",
        "other": f"{NAV}\n{_story(2)}\n{SIDEBAR}",
    }
    bodies = {"post1": SIDEBAR, "post2": SIDEBAR, "story": _story(1), "story-dump": SIDEBAR, "other": _story(2)}
    ids = sorted(bodies)
    vpairs = [p for p in shares([(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]], bodies, visible, s)]
    # the stories are on neither post's page: the box is seen beside two other articles
    assert witnessed_parts(vpairs, set(), s.min_containment, lambda d: bool(bodies[d])) == {"post1", "post2"}
    # equal bodies are verified copies by the bodies; the dump's body is the box too
    body_pairs = [(a, b, 1.0, 1.0) for a, b in (("post1", "post2"), ("post1", "story-dump"), ("post2", "story-dump"))]
    pairs, added, parted = with_visible(body_pairs, body_pairs, vpairs, {d: len(b) for d, b in bodies.items()}, s)
    got = {frozenset(p[:2]) for p in pairs}
    assert got == {frozenset({"story", "story-dump"})} and parted == 3 and added == 1
    # beside one article only, the box could be a story and that page a copy whose cleaner kept its
    # chrome instead: nothing tells them apart, and the posts stay one cluster
    alone = [p for p in vpairs if "other" not in (p.a, p.b)]
    pairs, _, parted = with_visible(body_pairs, body_pairs, alone, {d: len(b) for d, b in bodies.items()}, s)
    assert parted == 0 and frozenset({"post1", "post2"}) in {frozenset(p[:2]) for p in pairs}


CHROME_BODIES = DATA / "dedup" / "chrome_bodies"  # five pages of benchmarks/dupset.py's set (README there)


def test_a_copy_whose_cleaner_kept_its_sites_chrome_joins_the_story_on_its_page(tmp_path):
    """A Russian story and two copies under other sites' chrome: the text cleaner keeps the health
    site's chrome of copy 0534 instead of the story (a part that site's pages share: it is on three
    other stories' pages beside their articles), and cleans copy 0568 to the story. The story's body
    lies on 0534's page, but 0534's body (chrome) is on no page of the story: the pair is one-sided.
    A page whose own body is a shared part holds the article its cleaner missed, and 0534 joins the
    story. The three other stories of the health site stay apart. On the old code 0534 stayed alone."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("0522", "0534", "0568", "0013", "0420", "0525"):
        shutil.copy(CHROME_BODIES / f"{name}.txt", folder / f"{name}.txt")
    s = make_settings(tmp_path / "w")
    summary = ingest([folder], s, export=False)
    assert clusters(s) == {frozenset({"0522.txt", "0534.txt", "0568.txt"})}
    assert summary["duplicates"]["visible_pairs"] >= 1


def test_a_story_seen_on_two_pages_whose_cleaners_kept_chrome_is_no_shared_part(tmp_path):
    """The story's body (copy 0568) lies on two pages beside text that is not on its own page: 0534's
    (whose cleaner kept the health site's chrome) and 0536's (whose cleaner kept mostly its site's
    chrome). Taken as witnesses, they made the story a part pages share, and its verified copy by the
    bodies (0522, Jaccard 0.83) was left out: no cluster at all on the old code. A page whose own body
    is a shared part is no witness; 0536's body is not one, and alone it is not enough."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("0522", "0534", "0536", "0568", "0013", "0420", "0525"):
        shutil.copy(CHROME_BODIES / f"{name}.txt", folder / f"{name}.txt")
    s = make_settings(tmp_path / "w")
    ingest([folder], s, export=False)
    got = clusters(s)
    assert frozenset({"0522.txt", "0534.txt", "0568.txt"}) in got, got
    assert not any(c & {"0013.txt", "0420.txt", "0525.txt"} for c in got), got


def test_a_teaser_page_cleaned_to_chrome_does_not_join_the_article_it_teases():
    """The one-sided join needs the article's body on the page, not its lead: a teaser page whose
    cleaner kept the site's chrome (a shared part: on two other pages beside their stories) shows the
    article's first sentence only, and stays apart; a page cleaned to the same chrome that shows the
    whole article joins it."""
    s = DedupSettings()
    story = _story(3)
    lead = story.split(". ")[0] + "."
    visible = {
        "teaser": f"{NAV}\n{lead}\nRead more\n{SIDEBAR}",
        "copy": f"{NAV}\n{story}\n{SIDEBAR}",
        "article": story,
        "page1": f"{NAV}\n{_story(1)}\n{SIDEBAR}",
        "page2": f"{NAV}\n{_story(2)}\n{SIDEBAR}",
    }
    bodies = {"teaser": SIDEBAR, "copy": SIDEBAR, "article": story, "page1": _story(1), "page2": _story(2)}
    ids = sorted(bodies)
    vpairs = shares([(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]], bodies, visible, s)
    body_pairs = [("copy", "teaser", 1.0, 1.0)]
    pairs, added, _ = with_visible(body_pairs, body_pairs, vpairs, {d: len(b) for d, b in bodies.items()}, s)
    got = {frozenset(p[:2]) for p in pairs}
    assert got == {frozenset({"article", "copy"})}, got
    assert added == 1


def test_migration_024_adds_the_visible_tables_and_keeps_every_stored_row(tmp_path):
    path = tmp_path / "old.duckdb"
    con = warehouse_before(path, 24)
    con.execute("""INSERT INTO documents (doc_id, sha256, fingerprint, text, language, char_count, word_count,
                   content_hash, extractor, extractor_version, run_id, created_at)
                   VALUES ('a', 's', 'f', 'body', 'en', 4, 1, 'h', 'x', '1', 'r', now())""")
    con.execute("INSERT INTO doc_signatures VALUES ('a', 'k', [1, 2, 3])")
    con.execute("INSERT INTO dup_pairs VALUES ('a', 'b', 0.9, 0.9, 'jaccard', 'h', 'r')")
    before = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
              for t in ("documents", "doc_signatures", "dup_pairs")}
    con.close()
    with wdb.open_write(path, 10) as con:
        after = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in before}
        empty = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("doc_visible", "visible_signatures", "visible_pairs")]
    assert after == before and empty == [0, 0, 0]


MOST_COMMENTED = "\n".join(f"Headline number {i} about the league and its players this week ({100 + i})"
                           for i in range(8))


def test_a_teaser_cleaned_to_the_sites_list_is_no_copy_of_the_article_whose_body_kept_it_too():
    """The case of benchmarks/dedup.py's one must-not-merge pair: a site's "most commented" list kept
    by the cleaner on a teaser page (all its body) and on a copy of the story it teases (the list, the
    story's lead and three sentences: the rest was cut). The bodies are a verified pair (Jaccard above
    0.5), but the list is seen on two other pages of the site beside their articles: it is a part pages
    share, and the shorter body of the pair, inside the longer one."""
    s = DedupSettings()
    lead = "Three cases of plague have been diagnosed in the north, officials said, though the risk is low."
    visible = {
        "teaser": f"{NAV}\n{MOST_COMMENTED}\nThree Cases of Plague\n{lead}\nRead more",
        "copy": f"{NAV}\n{MOST_COMMENTED}\nTHREE CASES OF PLAGUE\n{lead}\n{_story(3)}",
        "page1": f"{NAV}\n{MOST_COMMENTED}\n{_story(1)}",
        "page2": f"{NAV}\n{MOST_COMMENTED}\n{_story(2)}",
    }
    kept = ". ".join(_story(3).split(". ")[:3])  # the cleaner kept three sentences of the story below the lead
    bodies = {"teaser": MOST_COMMENTED, "copy": f"{MOST_COMMENTED}\n{lead}\n{kept}.", "page1": _story(1),
              "page2": _story(2)}
    v = near.verify(bodies["teaser"], bodies["copy"], s)
    assert v.is_dup and v.jaccard < 0.8, v
    body_pairs = [("copy", "teaser", v.jaccard, v.containment)]
    ids = sorted(bodies)
    vpairs = shares([(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]], bodies, visible, s)
    assert witnessed_parts(vpairs, {frozenset(("copy", "teaser"))}, s.min_containment, lambda d: True) == {"teaser"}
    lengths = {d: len(b) for d, b in bodies.items()}
    pairs, added, parted = with_visible(body_pairs, body_pairs, vpairs, lengths, s)
    assert pairs == [] and parted == 1 and added == 0


def test_the_warehouse_proposes_the_candidates_the_pure_rule_proposes(tmp_path):
    """``visible_candidates`` (SQL, over the stored samples) and ``sample_candidates`` (Python, what the
    benchmarks run) are one rule: same pairs on a warehouse of several pages of two sites, whichever
    documents are new, however many are compared per query, with and without common shingles."""
    import numpy as np

    from winnow.dedup.visible import sample_candidates, sample_keys
    from winnow.storage.dedup import visible_candidates

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(PAGE / "page.html.gz", folder / "page.html.gz")
    shutil.copy(PAGE / "page.txt.gz", folder / "dump.txt.gz")
    for n in range(4):
        (folder / f"post{n}.txt").write_text(f"{NAV}\n\n{_story(n)}\n\n{SIDEBAR}\n", encoding="utf-8")
        (folder / f"box{n}.txt").write_text(f"{NAV}\n\nPhoto {n} of the office.\n\n{SIDEBAR}\n\n{SIDEBAR}\n",
                                            encoding="utf-8")
    s = make_settings(tmp_path / "w", dedup={"visible_text": True})
    ingest([folder], s, export=False)
    body_key, page_key = sample_keys(s.dedup)
    rows = query(s, "SELECT signature_key, doc_id, minhash FROM visible_signatures")
    body = {d: np.array(m, dtype=np.uint32) for k, d, m in rows if k == body_key}
    page = {d: np.array(m, dtype=np.uint32) for k, d, m in rows if k == page_key}
    ids = sorted(body)
    assert len(ids) >= 6
    with wdb.open_write(Path(s.warehouse.db), 10) as con:
        for new, chunk in ((ids, 10_000), (ids, 2), (ids[:3], 1), (ids[-2:], 10_000)):
            for common in (100, 4):  # with and without common shingles (the chrome of the posts and boxes is on 8 pages)
                got = visible_candidates(con, s.dedup, new, ids, chunk=chunk, common_pages=common)
                want = sample_candidates(new, body, page, common_pages=common)
                assert got == want and (want or common == 4), (new, chunk, common)



def test_a_failed_statement_in_a_transaction_raises_its_own_error_not_the_aborted_transaction(tmp_path):
    """A statement that fails inside the dedup's transaction aborts it, and unregistering the Arrow
    tables then fails with "Current transaction is aborted": ``registered`` raised that over the first
    error (the 100,000-document run printed it as `internal error`). Real DuckDB, a real warehouse."""
    import duckdb
    import pytest

    from winnow.storage.dedup import _ids_table

    with wdb.open_write(tmp_path / "w.duckdb", 10) as con:
        with pytest.raises(duckdb.ConversionException, match="Could not convert string 'a'"):
            with wdb.transaction(con):
                with wdb.registered(con, _doc_ids=_ids_table(["a", "b"])):
                    con.execute("SELECT doc_id::INTEGER FROM _doc_ids").fetchall()
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (0,)  # rolled back, usable


def test_dedup_out_of_memory_is_one_line_naming_the_setting_and_the_next_run_finishes(tmp_path):
    """DuckDB running out of memory in the dedup (here a connection limited to 1 MB, after a change of
    the [dedup] settings: every document is to be compared again) is a one-line ``WarehouseError``
    that names [warehouse] memory_limit_mb and carries DuckDB's own first error (the old code let
    DuckDB's exception through, which the CLI prints as `internal error`). Nothing of that dedup is
    stored, and the next run, nothing new, finishes the job."""
    import dataclasses

    import pytest

    from winnow.storage.db import WarehouseError
    from winnow.storage.dedup import run_dedup

    both = tmp_path / "both"
    both.mkdir()
    shutil.copy(PAGE / "page.html.gz", both / "page.html.gz")
    shutil.copy(PAGE / "page.txt.gz", both / "dump.txt.gz")
    ingest([both], make_settings(tmp_path, dedup={"visible_text": True}), export=False)
    pair = {frozenset({"page.html.gz", "dump.txt.gz"})}
    assert clusters(make_settings(tmp_path)) == pair
    s = make_settings(tmp_path, dedup={"visible_text": True, "min_jaccard": 0.55})  # another dedup_hash
    small = dataclasses.replace(s, warehouse=dataclasses.replace(s.warehouse, memory_limit_mb=1))
    with wdb.open_write(Path(s.warehouse.db), 10, memory_mb=1) as con:
        with pytest.raises(WarehouseError) as e:
            run_dedup(con, "a-run", small)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("dedup ran out of memory at [warehouse] memory_limit_mb = 1 (Out of Memory")
    assert "raise [warehouse] memory_limit_mb" in msg
    seen = "SELECT count(*) FROM dedup_seen WHERE settings_hash = ?"
    assert query(s, seen, [s.dedup_hash]) == [(0,)] and clusters(s) == pair

    assert ingest([both], s, export=False)["status"] == "completed"
    assert query(s, seen, [s.dedup_hash]) == [(2,)] and clusters(s) == pair


def test_a_run_with_nothing_new_whose_dedup_fails_is_recorded_as_failed(tmp_path, monkeypatch):
    """A run with nothing new still runs the dedup (here: a change of the [dedup] settings, every
    document to be compared again). When that fails (a fault injected into the dedup step, as DuckDB
    running out of memory there would), the run's row says `failed` with the step it reached, as a
    flow run's does; the old code left it `running` (the next run then took it for an interrupted
    one). The next run finishes the job."""
    import pytest

    import winnow.planning
    from winnow.storage.db import WarehouseError

    both = tmp_path / "both"
    both.mkdir()
    shutil.copy(PAGE / "page.html.gz", both / "page.html.gz")
    shutil.copy(PAGE / "page.txt.gz", both / "dump.txt.gz")
    ingest([both], make_settings(tmp_path), export=False)
    s = make_settings(tmp_path, dedup={"min_jaccard": 0.55})  # another dedup_hash: compare again
    real = winnow.planning.run_dedup

    def failing(con, run_id, settings):
        con.execute("SELECT count(*) FROM documents").fetchall()  # the dedup had started
        raise WarehouseError("dedup ran out of memory at [warehouse] memory_limit_mb = 1024")

    monkeypatch.setattr(winnow.planning, "run_dedup", failing)
    with pytest.raises(WarehouseError, match="memory_limit_mb"):
        ingest([both], s, export=False)
    rows = query(s, "SELECT status, summary FROM runs ORDER BY started_at")
    assert [r[0] for r in rows] == ["completed", "failed"]
    assert '"dedup"' in rows[-1][1]  # the summary it was closed with has the step it failed in

    monkeypatch.setattr(winnow.planning, "run_dedup", real)
    assert ingest([both], s, export=False)["status"] == "completed"
    assert query(s, "SELECT count(*) FROM runs WHERE status = 'running'") == [(0,)]
    seen = "SELECT count(*) FROM dedup_seen WHERE settings_hash = ?"
    assert query(s, seen, [s.dedup_hash]) == [(2,)]


def test_a_flow_run_whose_dedup_fails_is_recorded_as_failed(tmp_path, monkeypatch):
    """The same for a run with files to process (a Prefect flow run): its row is closed as
    `failed` by the same code, with the documents it loaded kept, and the next run finishes the job."""
    import pytest

    import winnow.flow
    from winnow.storage.db import WarehouseError

    both = tmp_path / "both"
    both.mkdir()
    shutil.copy(PAGE / "page.html.gz", both / "page.html.gz")
    shutil.copy(PAGE / "page.txt.gz", both / "dump.txt.gz")
    s = make_settings(tmp_path)
    real = winnow.flow.dedup_task

    def failing(*args):
        raise WarehouseError("dedup ran out of memory at [warehouse] memory_limit_mb = 1024")

    monkeypatch.setattr(winnow.flow, "dedup_task", failing)
    with pytest.raises(WarehouseError, match="memory_limit_mb"):
        ingest([both], s, export=False)
    assert query(s, "SELECT status FROM runs") == [("failed",)]
    assert query(s, "SELECT count(*) FROM documents") == [(2,)]

    monkeypatch.setattr(winnow.flow, "dedup_task", real)
    assert ingest([both], s, export=False)["status"] == "completed"
    assert clusters(s) == {frozenset({"page.html.gz", "dump.txt.gz"})}


def test_a_change_of_visible_common_pages_compares_again_as_a_run_from_scratch_would(tmp_path):
    """Which sampled shingles are too common to count (``[dedup] visible_common_pages``, the constant
    ``COMMON_PAGES`` before) decides which visible pairs are stored, so it is part of dedup_hash: a
    warehouse compared at one value is compared again at another, and ends as a run from scratch at
    that value. At 1 every shingle the page and its dump share is common (two pages hold it): no
    candidate. The default keeps the hash earlier warehouses hold (094628ddd46b46d4, printed by the
    code before the setting existed, with min_containment 0.8, its default until 3453d00), so they are
    not compared again for this setting."""
    both = tmp_path / "both"
    both.mkdir()
    shutil.copy(PAGE / "page.html.gz", both / "page.html.gz")
    shutil.copy(PAGE / "page.txt.gz", both / "dump.txt.gz")
    pair = {frozenset({"page.html.gz", "dump.txt.gz"})}
    one = make_settings(tmp_path / "scratch-1", dedup={"visible_common_pages": 1})
    ingest([both], one, export=False)
    assert clusters(one) == set()
    scratch = make_settings(tmp_path / "scratch-100")
    ingest([both], scratch, export=False)
    assert clusters(scratch) == pair

    inc = tmp_path / "incremental"
    ingest([both], make_settings(inc, dedup={"visible_common_pages": 1}), export=False)
    assert clusters(make_settings(inc)) == set()
    ingest([both], make_settings(inc), export=False)  # nothing new: only the setting changed
    assert clusters(make_settings(inc)) == pair
    ingest([both], make_settings(inc, dedup={"visible_common_pages": 1}), export=False)
    assert clusters(make_settings(inc)) == set()
    assert make_settings(inc, dedup={"min_containment": 0.8}).dedup_hash == "094628ddd46b46d4"
    assert make_settings(inc, dedup={"visible_common_pages": 1}).dedup_hash != "094628ddd46b46d4"
