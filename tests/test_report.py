"""`winnow report`: the page opened in a real browser (Debian's Chromium, driven by Playwright).

The numbers on the page are checked against SQL written here, not against the report's own
queries; the sites are recomputed in Python from the URLs and paths.
"""

from __future__ import annotations

import dataclasses
import gzip
import html
import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import example, given, settings as hsettings, strategies as st

from conftest import DATA, SEEDS, ingest, make_settings, query, winnow_cli

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
CHARTS = {"languages", "sites", "boilerplate", "boilerplate_sites", "removal_reasons", "rejection_reasons",
          "cluster_sizes", "run_counts", "run_seconds"}
HOSTILE_TITLE = "Council </script><img src=x onerror=alert(1)> budget vote"


def _hostile_page() -> bytes:
    """An article whose headline would end the page's script element if it were not escaped
    (its body: the paragraphs of a French test article that nothing else in the fixture copies)."""
    import lxml.html

    tree = lxml.html.fromstring(gzip.decompress((DATA / "html" / "articles" / "fr_bus_electrique.html.gz").read_bytes()))
    paras = "".join(f"<p>{html.escape(p.text_content())}</p>" for p in tree.iter("p") if len(p.text_content().split()) > 10)
    return (f"<html><head><title>{html.escape(HOSTILE_TITLE)}</title></head><body><article>"
            f"<h1>{html.escape(HOSTILE_TITLE)}</h1>{paras}</article></body></html>").encode()


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """Two runs by the real flow with the report hook on: seeds, an exact copy of a seed (a duplicate
    cluster), two HTML pages with URLs, a page with a hostile title, an empty and a binary file."""
    tmp = tmp_path_factory.mktemp("report")
    inbox = tmp / "in"
    inbox.mkdir()
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, inbox / p.name)
    (inbox / "copy-of-000.txt").write_bytes((SEEDS / "000_6854359e01b304fc.txt").read_bytes() + b"\n\n")
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "blob.bin").write_bytes(bytes(range(256)) * 4)
    s = make_settings(tmp)
    s = dataclasses.replace(s, report=dataclasses.replace(s.report, after_run=True))
    first = ingest([inbox], s)
    web = tmp / "web"
    web.mkdir()
    for p in sorted((DATA / "pages").glob("*.html.gz")):
        (web / p.name.removesuffix(".gz")).write_bytes(gzip.decompress(p.read_bytes()))
    (web / "hostile.html").write_bytes(_hostile_page())
    second = ingest([inbox, web], s)
    return s, first, second


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, path: Path):
    """The page, with every console error, page error and non-file request collected."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("request", lambda r: problems.append(f"request: {r.url}") if not r.url.startswith(("file:", "data:", "about:")) else None)
    page.goto(path.as_uri(), wait_until="load")
    return page, problems


def _stat(page, key: str) -> int:
    """The number the page shows for ``key`` (everywhere it shows it: the same number)."""
    shown = {int(t.replace(",", "")) for t in page.locator(f'[data-stat="{key}"]').all_inner_texts()}
    assert len(shown) == 1, (key, shown)
    return shown.pop()


def _site(url: str | None, path: str) -> str:
    host = (urlsplit(url).hostname or "") if url else ""
    host = host.removeprefix("www.")
    return host or os.path.dirname(path)


@pytest.mark.slow
def test_the_flow_writes_the_report_and_publishes_it_as_an_artifact(reported):
    s, first, second = reported
    for summary in (first, second):
        assert summary["report"]["path"] == str(s.report_path.absolute())
    assert s.report_path.is_file() and s.report_path.stat().st_size == second["report"]["bytes"]
    assert second["report"]["documents"] == query(s, "SELECT count(*) FROM corpus")[0][0]

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:  # newest first: a page of the server's default size held
        arts = client.read_artifacts(  # a random 200 of a test home's winnow-report artifacts, in id order
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["winnow-report"])),
            sort=ArtifactSort.CREATED_DESC, limit=5)
    assert arts, "no winnow-report artifact"
    latest = max(arts, key=lambda a: a.created)
    assert s.report_path.absolute().as_uri() in latest.data and second["report"]["summary"] in latest.data


@pytest.mark.slow
def test_report_in_chromium_renders_every_chart_and_shows_the_sql_counts(reported, browser):
    s, _, _ = reported
    page, problems = _open(browser, s.report_path)
    # every chart is an inline SVG with drawn marks; none of this warehouse's sections is empty
    charts = page.locator("figure.chart")
    assert {charts.nth(i).get_attribute("data-chart") for i in range(charts.count())} == CHARTS
    for i in range(charts.count()):
        svg = charts.nth(i).locator("svg")
        box = svg.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50
        assert svg.locator('[role="graphics-symbol"][aria-roledescription="bar"]').count() > 0
    assert page.locator("[data-empty-chart]").count() == 0

    one = lambda sql: query(s, sql)[0][0]  # noqa: E731
    corpus = query(s, "SELECT url, source_paths[1] FROM corpus")
    expected = {
        "documents": one("SELECT count(*) FROM corpus"),
        "words": one("SELECT sum(word_count) FROM corpus"),
        "languages": one("SELECT count(DISTINCT language) FROM corpus"),
        "source_types": one("SELECT count(DISTINCT source_type) FROM corpus"),
        "sites": len({_site(u, p) for u, p in corpus}),
        "removed_lines": one("SELECT count(*) FROM removed_segments JOIN corpus USING (doc_id)"),
        "rejected_files": one("SELECT count(DISTINCT path) FROM rejected_files"),
        "folded_duplicates": one("SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL AND superseded_at IS NULL"),
        "runs": one("SELECT count(*) FROM runs"),
        "clusters": one("SELECT count(DISTINCT cluster_id) FROM duplicates"),
    }
    shown = {k: _stat(page, k) for k in expected}
    assert shown == expected
    assert expected["documents"] == 8 and expected["folded_duplicates"] == 1 and expected["runs"] == 2
    assert expected["sites"] == 4  # the inbox folder, the web folder, two hosts

    # removal and rejection reasons with their counts, each with an example linked to its file
    removed = dict(query(s, "SELECT reason, count(*) FROM removed_segments JOIN corpus USING (doc_id) GROUP BY reason"))
    rows = page.locator("#removal-table tr[data-reason]")
    assert {rows.nth(i).get_attribute("data-reason"): int(rows.nth(i).locator("td").nth(1).inner_text())
            for i in range(rows.count())} == removed
    from winnow.vocab import word_count  # the counter of documents.word_count counts removed words too

    words: dict[str, int] = {}
    for reason, text in query(s, "SELECT r.reason, r.text FROM removed_segments r JOIN corpus USING (doc_id)"):
        words[reason] = words.get(reason, 0) + word_count(text)
    assert {rows.nth(i).get_attribute("data-reason"): int(rows.nth(i).locator("td").nth(2).inner_text())
            for i in range(rows.count())} == words
    rejected = dict(query(s, "SELECT reason, count(DISTINCT path) FROM rejected_files GROUP BY reason"))
    rows = page.locator("#rejection-table tr[data-reason]")
    assert {rows.nth(i).get_attribute("data-reason"): int(rows.nth(i).locator("td").nth(1).inner_text())
            for i in range(rows.count())} == rejected == {"empty": 1, "binary": 1}
    links = page.locator("#rejection-table a.path")
    paths = {query(s, "SELECT min(path) FROM rejected_files WHERE reason = ?", [r])[0][0] for r in rejected}
    assert {links.nth(i).get_attribute("href") for i in range(links.count())} == {Path(p).as_uri() for p in paths}

    # the duplicate cluster lists both members, the representative first
    members = query(s, "SELECT doc_id FROM duplicates ORDER BY is_representative DESC")
    cluster = page.locator("table.cluster a.open-doc")
    assert [cluster.nth(i).get_attribute("data-doc") for i in range(cluster.count())] == [m for (m,) in members]
    assert problems == []
    page.close()


@pytest.mark.slow
def test_document_browser_searches_titles_and_shows_kept_text_beside_removed_lines(reported, browser):
    s, _, _ = reported
    doc_id, title, text = query(s, "SELECT doc_id, title, text FROM corpus WHERE doc_id = "
                                   "(SELECT doc_id FROM removed_segments JOIN corpus USING (doc_id) "
                                   " GROUP BY doc_id ORDER BY count(*) DESC, doc_id LIMIT 1)")[0]
    removed = query(s, "SELECT reason, text FROM removed_segments WHERE doc_id = ? ORDER BY seq", [doc_id])
    page, problems = _open(browser, s.report_path)
    page.fill("#doc-search", title.split()[0].lower() + " " + title.split()[1])
    items = page.locator("#doc-list li[data-doc]")
    assert 1 <= items.count() < query(s, "SELECT count(*) FROM corpus")[0][0]
    page.locator(f'#doc-list li[data-doc="{doc_id}"]').click()
    assert page.locator("#doc-view h3").inner_text() == title
    assert page.locator("#doc-text").inner_text().split() == text.split()
    lines = page.locator("#doc-removed .removed-line")
    assert lines.count() == len(removed) > 0
    for i, (reason, line) in enumerate(removed):
        assert lines.nth(i).locator(".why").inner_text().split()[0] == reason
        assert " ".join(line.split()) in " ".join(lines.nth(i).inner_text().split())

    # "open" beside a removal reason's example opens that document
    link = page.locator("#removal-table a.open-doc").first
    target = link.get_attribute("data-doc")
    link.click()
    assert page.locator("#doc-view").get_attribute("data-open") == target
    # a title that contains "</script>" is text on the page, not markup
    page.fill("#doc-search", "council")
    page.locator("#doc-list li[data-doc]").first.click()
    assert page.locator("#doc-view h3").inner_text() == HOSTILE_TITLE
    assert problems == []
    page.close()


@pytest.mark.slow
def test_report_command_and_its_user_errors(reported, tmp_path, browser):
    s, _, _ = reported
    out = tmp_path / "sub" / "page.html"
    proc = winnow_cli("report", "--out", out, "--db", s.warehouse.db)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"report: {out}") and "8 documents" in proc.stdout
    page, problems = _open(browser, out)
    assert _stat(page, "documents") == 8 and problems == []
    page.close()
    for args, says in (
        (["--out", tmp_path, "--db", s.warehouse.db], "is a folder"),
        (["--db", tmp_path / "none.duckdb"], "no warehouse at"),
    ):
        proc = winnow_cli("report", *args)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and says in lines[0], proc.stderr


@pytest.mark.slow
def test_report_of_a_warehouse_without_documents(tmp_path, browser):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "empty.txt").write_bytes(b"")
    s = make_settings(tmp_path)
    ingest([inbox], s)
    proc = winnow_cli("report", "--db", s.warehouse.db, "--out", tmp_path / "r.html")
    assert proc.returncode == 0, proc.stderr
    page, problems = _open(browser, tmp_path / "r.html")
    assert _stat(page, "documents") == 0 and _stat(page, "rejected_files") == 1
    empty = page.locator("[data-empty-chart]")
    assert {empty.nth(i).get_attribute("data-empty-chart") for i in range(empty.count())} == CHARTS - {
        "rejection_reasons", "run_counts", "run_seconds"}
    assert page.locator("#doc-list li").inner_text() == "no title matches"
    assert problems == []
    page.close()


@pytest.mark.slow
def test_report_counts_removed_words_a_chunk_of_lines_at_a_time(reported, monkeypatch):
    """The removed lines stream from DuckDB a chunk at a time (fetching them all held every removed
    line of the corpus in the flow's process: ~1 GB at 5,000 documents, ~5.6 GB at 100,000):
    no chunk is larger than SEGMENT_CHUNK, and each document's removed lines and words are those
    counted here line by line."""
    from winnow.report import queries as rq
    from winnow.storage.db import open_read
    from winnow.vocab import word_count

    s, _, _ = reported
    chunks: list[int] = []
    real = rq.word_counts
    monkeypatch.setattr(rq, "SEGMENT_CHUNK", 7)
    monkeypatch.setattr(rq, "word_counts", lambda texts: chunks.append(len(texts)) or real(texts))
    with open_read(Path(s.warehouse.db), 20) as con:
        data = rq.gather(con, largest_clusters=10, browser_documents=5000)
    expected: dict[str, list[int]] = {}
    lines = query(s, "SELECT r.doc_id, r.text FROM removed_segments r JOIN corpus USING (doc_id)")
    for doc_id, text in lines:
        e = expected.setdefault(doc_id, [0, 0])
        e[0], e[1] = e[0] + 1, e[1] + word_count(text)
    assert len(data.documents) == 8
    assert {d["doc_id"]: [d["removed_lines"], d["removed_words"]] for d in data.documents} == {
        d["doc_id"]: expected.get(d["doc_id"], [0, 0]) for d in data.documents}
    assert sum(chunks) == len(lines) > 7 * 3 and max(chunks) <= 7


@pytest.mark.slow
def test_the_page_is_written_as_it_is_made_not_held_whole(reported, monkeypatch):
    """The report streams its page to the file: no write holds more than a piece of the browser's
    JSON (the whole page was built, copied and encoded at once: ~600 MB for the 60 MB page of a
    100,000-document warehouse), and the pieces make the page that parses back to the documents."""
    import json
    import re

    from winnow.report import page as rpage
    from winnow.report import queries as rq
    from winnow.storage.db import open_read

    s, _, _ = reported
    with open_read(Path(s.warehouse.db), 20) as con:
        data = rq.gather(con, largest_clusters=10, browser_documents=5000)
    monkeypatch.setattr(rpage, "JSON_PIECE", 2000)

    class Recorder:
        def __init__(self):
            self.writes: list[str] = []

        def write(self, text: str) -> None:
            self.writes.append(text)

    fh = Recorder()
    rpage.render_to(fh, data, warehouse=s.warehouse.db)
    html_text = "".join(fh.writes)
    doc_json = re.search(r'<script type="application/json" id="doc-data">(.*?)</script>', html_text, re.S).group(1)
    longest = max(len(json.dumps(dict(d, path_uri=rpage.file_uri(d["path"])), ensure_ascii=False,
                                 separators=(",", ":"), default=str)) for d in data.documents)  # one document
    start = next(i for i, w in enumerate(fh.writes) if w.endswith('id="doc-data">')) + 1
    end = next(i for i in range(start, len(fh.writes)) if fh.writes[i].startswith("</script>"))
    pieces = fh.writes[start:end]
    assert "".join(pieces) == doc_json and len(pieces) >= 3
    assert max(len(p) for p in pieces) < 2000 + longest + 1  # a piece, then at most one document and its comma
    assert [d["doc_id"] for d in json.loads(doc_json)] == [d["doc_id"] for d in data.documents]
    assert "</script><img" not in doc_json and HOSTILE_TITLE.replace("</", "<\\/") in doc_json


@pytest.mark.slow
def test_every_chart_is_valid_vega_lite_and_drawn_as_with_the_label_limit(reported, monkeypatch):
    """The run's report skips Altair's schema check and, when no axis label can reach the axes'
    label limit, the limit (``charts.to_svg``): here every chart of a real report is checked against
    Vega-Lite's schema, and each SVG is the one drawn with the limit kept; a chart whose labels
    may be too long keeps it (the sites here are folders besides hosts), and a long label is cut."""
    import copy

    import altair as alt

    from winnow.report import charts
    from winnow.report import page as rpage
    from winnow.report import queries as rq
    from winnow.storage.db import open_read

    s, _, _ = reported
    with open_read(Path(s.warehouse.db), 20) as con:
        data = rq.gather(con, largest_clusters=10, browser_documents=5000)
    draw, to_svg, drawn = charts.vl_convert.vegalite_to_svg, charts.to_svg, []
    monkeypatch.setattr(charts.vl_convert, "vegalite_to_svg", lambda spec: drawn.append(spec) or draw(spec))
    monkeypatch.setattr(charts, "to_svg", lambda chart: to_svg(chart, validate=True))  # raises if invalid
    svgs = rpage.render_charts(data)
    assert set(svgs) == CHARTS and all(svgs.values())
    assert [svg for svg in svgs.values()] == [draw(spec) for spec in drawn]
    limits = []
    for spec, svg in zip(drawn, svgs.values()):
        limits.append(spec["config"]["axis"]["labelLimit"])
        kept = copy.deepcopy(spec)
        kept["config"]["axis"]["labelLimit"] = charts.LABEL_LIMIT
        assert draw(kept) == svg, spec.get("title")
    assert 0 in limits and charts.LABEL_LIMIT in limits  # both kinds of chart are in this report
    monkeypatch.undo()
    def spec(rows):
        return alt.Chart(alt.Data(values=rows)).mark_bar().encode(x="documents:Q", y="site:N").to_dict()

    long = [{"site": "W" * 40, "documents": 3, "note": "x"}, {"site": "@" * charts.SAFE_LABEL_CHARS, "documents": 2,
                                                             "note": "not on an axis: no label " * 9}]
    assert not charts.labels_fit(spec(long)) and charts.labels_fit(spec(long[1:]))
    assert not charts.labels_fit(spec([{"site": "Ω", "documents": 1}]))  # not ASCII: its width is unknown
    assert "…" in charts.bars(long, "site", "documents", "t")  # the long label is cut
    assert "…" not in charts.bars(long[1:], "site", "documents", "t")


@pytest.mark.slow
def test_tooltips_given_as_channel_objects_draw_the_charts_of_the_shorthands(reported, monkeypatch):
    """``charts.tips`` builds the tooltips as Altair channel objects (Altair parses a shorthand string
    against the schema, ~4 CPU-ms a chart in the run's tail): every chart of a real report gets the
    same Vega-Lite spec as with the shorthand strings, so the same SVG."""
    from winnow.report import charts
    from winnow.report import page as rpage
    from winnow.report import queries as rq
    from winnow.storage.db import open_read

    s, _, _ = reported
    with open_read(Path(s.warehouse.db), 20) as con:
        data = rq.gather(con, largest_clusters=10, browser_documents=5000)
    draw, drawn = charts.vl_convert.vegalite_to_svg, []
    monkeypatch.setattr(charts.vl_convert, "vegalite_to_svg", lambda spec: drawn.append(spec) or draw(spec))
    rpage.render_charts(data)
    as_objects, drawn[:] = list(drawn), []
    monkeypatch.setattr(charts, "tips", lambda *shorthands: list(shorthands))
    rpage.render_charts(data)
    assert len(drawn) == len(CHARTS) and drawn == as_objects
    assert sum("tooltip" in json.dumps(spec) for spec in drawn) >= 5


@pytest.mark.slow
def test_the_report_read_through_an_open_writable_connection_is_the_read_only_report(reported, tmp_path):
    """A run writes its report through its own connection (open for writing since its first batch; a
    cursor of it holds the report's temporary views): the page is the one a read-only connection
    gives, byte for byte but for the time it was written, and nothing of the report stays behind."""
    import re

    from winnow.report import report_warehouse
    from winnow.storage.db import open_write

    s, _, _ = reported
    alone = report_warehouse(s, tmp_path / "read-only.html")
    with open_write(Path(s.warehouse.db), 20) as con:
        through = report_warehouse(s, tmp_path / "through.html", con=con)
        left = con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'report%'").fetchone()[0]
        left += con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'report_site'").fetchone()[0]
        assert left == 0  # the report's view, macro and word counts were the cursor's, closed with it

    def page(name: str) -> str:
        return re.sub(r"written \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", "written -",
                      (tmp_path / name).read_text(encoding="utf-8"))

    assert through.documents == alone.documents > 0 and through.bytes == alone.bytes
    assert "written -" in page("through.html") and page("through.html") == page("read-only.html")


_JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                       st.floats(allow_nan=False, allow_infinity=False),
                       st.text(alphabet=st.sampled_from(list("ab </!-<>\"\\\u00e9\u4e2d\n")), max_size=12))


@hsettings(max_examples=200, deadline=None, derandomize=bool(os.environ.get("CI")))
@given(value=st.one_of(st.lists(st.dictionaries(st.text(max_size=5), st.one_of(_JSON_LEAF, st.lists(_JSON_LEAF, max_size=3)),
                                                max_size=4), max_size=6),
                       st.dictionaries(st.text(max_size=5), _JSON_LEAF, max_size=4), _JSON_LEAF),
       piece=st.sampled_from([1, 7, 1 << 20]))
@example(value=[{"text": "a <!-- b </script><script>x</script>", "n": 1.5}], piece=7)
@example(value={"k</": "<!--"}, piece=1 << 20)
def test_the_browsers_json_is_jsons_own_encoding_made_safe_for_a_script_element(value, piece):
    """Whatever the value and however it is cut into pieces, the page's JSON is exactly what json.dumps
    gives, with every "</" and "<!--" escaped (so no string can close the <script> element early), and
    it parses back to the value (the old escape of "<!--", "<\\!--", is no JSON escape: JSON.parse
    failed on it). The documents' list is encoded an element at a time by the C encoder."""
    import json

    from winnow.report import page as rpage

    old, rpage.JSON_PIECE = rpage.JSON_PIECE, piece
    try:
        got = "".join(rpage._script_json(value))
    finally:
        rpage.JSON_PIECE = old
    want = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    assert got == want.replace("</", "<\\/").replace("<!--", "\\u003c!--")
    assert "</" not in got and "<!--" not in got
    assert json.loads(got) == json.loads(want)
