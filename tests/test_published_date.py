"""`published` is a DATE in the warehouse and the Parquet export; migration 005 converts old warehouses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq

from conftest import SEEDS, ingest, make_settings, query, warehouse_before
from winnow.storage import db as wdb


def test_published_is_a_date_in_corpus_and_parquet(tmp_path):
    s = make_settings(tmp_path)
    ingest([SEEDS], s)
    types = dict(query(s, "SELECT column_name, data_type FROM information_schema.columns "
                          "WHERE table_name = 'corpus' AND column_name LIKE 'published%'"))
    assert types == {"published": "DATE", "published_text": "VARCHAR"}
    dates = [r[0] for r in query(s, "SELECT published FROM corpus WHERE published IS NOT NULL")]
    assert dates and all(isinstance(d, dt.date) for d in dates)
    files = list(Path(s.warehouse.export_dir).rglob("*.parquet"))
    schema = pq.read_schema(files[0])
    assert str(schema.field("published").type) == "date32[day]"


def test_migration_005_converts_stored_strings_and_keeps_what_does_not_parse(tmp_path):
    path = tmp_path / "old.duckdb"
    con = warehouse_before(path, 5)
    rows = [("a", "2024-06-18"), ("b", "18 June 2024"), ("c", None), ("d", "2024-06-18T10:11:00+02:00"), ("e", "")]
    for doc_id, published in rows:
        con.execute("""INSERT INTO documents (doc_id, sha256, fingerprint, text, published, language, char_count,
                       word_count, content_hash, extractor, extractor_version, run_id, created_at)
                       VALUES (?, 's', 'f', 'body', ?, 'en', 4, 1, 'h', 'x', '1', 'r', now())""", [doc_id, published])
    con.close()
    with wdb.open_write(path, 10) as con:
        got = dict((r[0], r[1:]) for r in con.execute(
            "SELECT doc_id, published, published_text FROM documents ORDER BY doc_id").fetchall())
        kind = con.execute("SELECT data_type FROM information_schema.columns "
                           "WHERE table_name = 'documents' AND column_name = 'published'").fetchone()[0]
    assert kind == "DATE"
    june18 = dt.date(2024, 6, 18)
    assert got == {
        "a": (june18, None),                                 # an ISO date: converted, nothing else to keep
        "b": (None, "18 June 2024"),                         # did not parse: the string is kept
        "c": (None, None),
        "d": (june18, "2024-06-18T10:11:00+02:00"),          # more than a day: the string is kept too
        "e": (None, ""),
    }
