"""WARC files as input: one document per HTML response record, provenance per record, bad
records rejected while the rest of the file is kept, other records skipped and counted."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import DATA, ingest, make_settings, query, winnow_cli
from winnow.discover import discover
from winnow.pipeline import Pipeline
from winnow.settings import Settings

PAGES = sorted((DATA / "html" / "pages").glob("*.html.gz"))[:4]


def page(i: int) -> bytes:
    return gzip.decompress(PAGES[i].read_bytes())


def uri(i: int) -> str:
    return f"https://news.example/{i}/{PAGES[i].name.split('.')[0]}"


def record(kind: str, i: int = 0, *, gz: bool, status: str = "200 OK", ctype: str = "text/html; charset=utf-8",
           body: bytes | None = None) -> bytes:
    """One WARC record, as bytes (a gzip member when ``gz``)."""
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gz)
    if kind == "warcinfo":
        w.write_record(w.create_warcinfo_record("test.warc", {"software": "winnow tests"}))
    elif kind == "request":
        w.write_record(w.create_warc_record(uri(i), "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
    elif kind == "metadata":
        w.write_record(w.create_warc_record(uri(i), "metadata", payload=io.BytesIO(b"outlinks: none\r\n"),
                                            warc_content_type="application/warc-fields"))
    elif kind == "revisit":
        w.write_record(w.create_revisit_record(uri(i), digest="sha1:AAAA", refers_to_uri=uri(i),
                                               refers_to_date="2024-01-01T00:00:00Z"))
    else:
        data = page(i) if body is None else body
        headers = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(data)))],
                                   protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(uri(i), "response", payload=io.BytesIO(data), http_headers=headers))
    return buf.getvalue()


def crawl(gz: bool) -> list[bytes]:
    """A small crawl: warcinfo, request/response pairs, a metadata, a PNG, a 404, a revisit."""
    out = [record("warcinfo", gz=gz)]
    for i in range(3):
        out += [record("request", i, gz=gz), record("response", i, gz=gz)]
    out += [record("metadata", 0, gz=gz),
            record("response", 3, gz=gz, ctype="image/png", body=b"\x89PNG\r\n\x1a\n" + bytes(300)),
            record("response", 3, gz=gz, status="404 Not Found"),
            record("revisit", 1, gz=gz)]
    return out


def run(path: Path):
    pipeline = Pipeline(Settings())
    result = pipeline.run(discover([path]).candidates)
    return result, result.stats


@pytest.mark.parametrize("gz", [True, False])
def test_one_document_per_html_response_record(tmp_path, gz):
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    path.write_bytes(b"".join(crawl(gz)))
    result, stats = run(path)
    docs = sorted(result.documents, key=lambda d: d.source.record_offset)
    assert [d.source.target_uri for d in docs] == [uri(0), uri(1), uri(2)]
    assert result.rejections == []
    assert {k: v for k, v in stats.items() if k.startswith("read.warc:skipped")} == {
        "read.warc:skipped:warcinfo": 1, "read.warc:skipped:request": 3, "read.warc:skipped:metadata": 1,
        "read.warc:skipped:non_html": 1, "read.warc:skipped:http_status": 1, "read.warc:skipped:revisit": 1}
    with open(path, "rb") as fh:  # the offsets and ids name the records, as warcio reads them
        for d in docs:
            fh.seek(d.source.record_offset)
            rec = next(iter(ArchiveIterator(fh)))
            assert rec.rec_headers.get_header("WARC-Record-ID") == d.source.record_id
            assert rec.rec_headers.get_header("WARC-Date") == d.source.warc_date
            assert rec.content_stream().read() == page(docs.index(d))
    assert {d.source.path for d in docs} == {str(path)} and docs[0].source.type == "html"
    assert len({d.doc_id for d in docs}) == 3


@pytest.mark.parametrize("gz", [True, False])
def test_a_malformed_record_is_rejected_and_the_rest_kept(tmp_path, gz):
    recs = [record("response", i, gz=gz) for i in range(4)]
    cut = recs[2][: len(recs[2]) // 2]  # record 2 cut in half, record 3 follows
    path = tmp_path / "bad.warc"
    path.write_bytes(recs[0] + b"this is not a WARC record\r\n\r\n" + recs[1] + cut + recs[3])
    result, _ = run(path)
    assert sorted(d.source.target_uri for d in result.documents) == [uri(0), uri(1), uri(3)]
    bad = [r for r in result.rejections]
    assert [r.reason for r in bad] == ["warc_malformed", "warc_malformed"]
    garbage_at, cut_at = len(recs[0]), len(recs[0]) + 29 + len(recs[1])
    assert [f"offset {garbage_at}:" in bad[0].detail, f"offset {cut_at}:" in bad[1].detail] == [True, True]


def test_a_file_that_only_looks_like_warc_and_an_empty_record(tmp_path):
    (tmp_path / "notes.txt").write_bytes(b"WARC/1.0 is the format of web archives. " * 20)
    (tmp_path / "only-head.warc").write_bytes(record("response", 0, gz=False)[:200])
    (tmp_path / "empty-page.warc").write_bytes(record("response", 0, gz=False, body=b"   "))
    result, _ = run(tmp_path)
    by_name = {os.path.basename(r.path): r.reason for r in result.rejections}
    assert by_name == {"only-head.warc": "warc_malformed", "empty-page.warc": "empty"}
    assert [os.path.basename(d.source.path) for d in result.documents] == ["notes.txt"]


@pytest.mark.slow
def test_warc_ingest_provenance_and_reingest(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    recs = crawl(True)
    (inbox / "crawl.warc.gz").write_bytes(b"".join(recs[:3]) + b"\x1f\x8b\x08garbage" + b"".join(recs[3:]))
    (inbox / "same-page.html").write_bytes(page(0))  # the first record's page as a file too
    s = make_settings(tmp_path)
    first = ingest([inbox], s, export=False)
    assert first["status"] == "completed"
    assert first["files"] == {"seen": 2, "new": 2, "changed": 0, "recleaned": 0, "unchanged": 0, "rejected": 0, "hidden": 0}
    assert first["documents"]["new"] == 3 and first["documents"]["same_content_other_name"] == 1
    assert first["warc"]["files"] == 1 and first["warc"]["pages"] == 3 and first["warc"]["rejected"] == 1
    assert first["warc"]["skipped:request"] == 3 and first["rejections"] == {"warc_malformed": 1}
    rows = query(s, "SELECT regexp_extract(source_path, '[^/]+$'), target_uri, record_id IS NOT NULL, "
                    "record_offset, warc_date IS NOT NULL FROM provenance ORDER BY 1, 4")
    assert [r[:3] for r in rows] == [("crawl.warc.gz", uri(0), True), ("crawl.warc.gz", uri(1), True),
                                     ("crawl.warc.gz", uri(2), True), ("same-page.html", None, False)]
    assert all(r[4] for r in rows[:3]) and rows[0][3] < rows[1][3] < rows[2][3]
    # the page in the WARC and the same page as a file are one document with two sources
    assert query(s, "SELECT count(*) FROM corpus WHERE len(source_paths) = 2") == [(1,)]
    assert query(s, "SELECT reason, detail LIKE '%offset%' FROM rejected_files") == [("warc_malformed", True)]

    second = ingest([inbox], s, export=False)  # nothing changed: the WARC is skipped whole
    assert second["files"]["unchanged"] == 2 and second["documents"]["new"] == 0 and second["warc"] == {}
    assert query(s, "SELECT count(*) FROM rejected_files") == [(1,)]

    (inbox / "crawl.warc.gz").write_bytes(b"".join(recs[:5]))  # a new version without the third page
    third = ingest([inbox], s, export=False)
    assert third["files"]["changed"] == 1 and third["documents"]["new"] == 0
    assert third["documents"]["superseded"] == 1
    live = query(s, "SELECT target_uri FROM provenance WHERE target_uri IS NOT NULL ORDER BY 1")
    assert live == [(uri(0),), (uri(1),)]


@pytest.mark.slow
def test_a_multi_record_warc_is_never_read_as_one_page(tmp_path):
    """Issue 11 item 3: before, a WARC became one document (its first record's) and the rest was lost."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "crawl.warc").write_bytes(b"".join(record("response", i, gz=False) for i in range(3)))
    s = make_settings(tmp_path)
    summary = ingest([tmp_path / "in"], s, export=False)
    assert summary["documents"]["new"] == 3
    assert query(s, "SELECT count(*) FROM provenance") == [(3,)]
    assert query(s, "SELECT count(*) FROM documents WHERE text LIKE '%WARC-Record-ID%'") == [(0,)]


@pytest.mark.slow
def test_the_command_line_on_a_warc(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    recs = crawl(True)
    (inbox / "crawl.warc.gz").write_bytes(b"".join(recs[:3]) + b"\x1f\x8b\x08garbage" + b"".join(recs[3:]))
    (inbox / ".partial.warc.gz").write_bytes(recs[0])  # hidden: skipped and counted
    res = winnow_cli("clean", inbox / "crawl.warc.gz", "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.split("\n") if line]  # not splitlines: U+2028 is in texts
    assert [r["warc_record"]["target_uri"] for r in rows if "warc_record" in r] == [uri(0), uri(1), uri(2)]
    assert [r["rejected"] for r in rows if "rejected" in r] == ["warc_malformed"]
    res = winnow_cli("ingest", inbox, "--no-export", "--db", tmp_path / "c.duckdb")
    assert res.returncode == 0, res.stderr
    out = " ".join(res.stdout.split())  # the table may wrap long lines
    assert "1 hidden skipped" in out, out
    assert "1 WARC file: 3 HTML pages read, 1 record rejected, 8 other records skipped" in out, out
