"""Rejection is reversible: a page rejected after cleaning keeps its cleaned text in the
warehouse (migration 006), and ``[clean] reject_non_articles = false`` ingests such pages."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb

from conftest import ingest, make_settings, query
from winnow.storage.db import migrate

INDEX = Path(__file__).resolve().parent / "data" / "html" / "index"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "river.html").write_bytes(gzip.decompress((INDEX / "river.html.gz").read_bytes()))
    (folder / "short.html").write_text("<html><body><article><p>Just a short line of text, "
                                       "then nothing else.</p></article></body></html>", encoding="utf-8")
    return folder


def test_rejections_after_cleaning_keep_the_text(tmp_path):
    """Fails before migration 006: rejected_files had no text."""
    folder = _folder(tmp_path)
    s = make_settings(tmp_path)
    ingest([folder], s, export=False)
    rows = dict((r[0].rsplit("/", 1)[-1], r[1:]) for r in query(s, "SELECT path, reason, text FROM rejected_files"))
    reason, text = rows["river.html"]
    assert reason == "not_article"
    assert text and len(text.split()) > 100  # the teasers the verdict was made on
    reason, text = rows["short.html"]
    assert reason == "too_short" and "short line of text" in text

    # migration 006 also lands on a warehouse where a higher-numbered one ran first
    con = duckdb.connect(s.warehouse.db)
    try:
        for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall():
            con.execute(f'DROP VIEW "{v}"')
        con.execute("ALTER TABLE rejected_files DROP COLUMN text")
        con.execute("DELETE FROM schema_migrations WHERE version = 6")
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] > 6
        before = con.execute("SELECT count(*) FROM rejected_files").fetchone()[0]
        assert 6 in migrate(con)
        assert con.execute("SELECT count(*) FROM rejected_files").fetchone()[0] == before  # nothing lost
        assert con.execute("SELECT count(*) FROM rejected_files WHERE text IS NULL").fetchone()[0] == before
    finally:
        con.close()


def test_rejection_can_be_turned_off(tmp_path):
    folder = _folder(tmp_path)
    s = make_settings(tmp_path, clean={"reject_non_articles": False})
    summary = ingest([folder], s, export=False)
    kept = query(s, "SELECT text FROM documents")
    assert summary["documents"]["new"] >= 1
    assert any(len(t.split()) > 100 for (t,) in kept)  # the index page is a document now
    reasons = [r for (r,) in query(s, "SELECT reason FROM rejected_files")]
    assert "not_article" not in reasons
