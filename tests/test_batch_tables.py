"""A batch crosses from its worker to the flow as Arrow tables (``winnow.storage.tables``): what the
warehouse holds after loading them must be what the batch's documents and rejections say, table
by table, and a batch whose documents are stored already adds only its new ones."""

from __future__ import annotations

import gzip
import io
import pickle
import shutil
from collections import Counter
from pathlib import Path

import duckdb
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conftest import DATA, SEEDS, make_settings
from winnow.dedup.minhash import signature_key
from winnow.dedup.visible import sample_keys_for
from winnow.discover import discover
from winnow.pipeline import Pipeline
from winnow.records import BatchResult
from winnow.storage import db as wdb
from winnow.storage import load as wload
from winnow.storage.tables import tabulate

PAGES = sorted((DATA / "html" / "pages").glob("*.html.gz"))


def _warc(path: Path) -> None:
    """A WARC file of two HTML responses: a container and two documents."""
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    for i, page in enumerate(PAGES[:2]):
        data = gzip.decompress(page.read_bytes())
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                              ("Content-Length", str(len(data)))], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"https://news.example/{i}", "response", payload=io.BytesIO(data),
                                            http_headers=headers))
    path.write_bytes(buf.getvalue())


def _folder(tmp: Path, name: str, pages: slice, seeds: slice) -> Path:
    """Real files of every kind: text dumps, HTML pages (gzipped), a WARC file, a copy of a text dump
    under another name (the same document twice in a batch), an empty file and a too-short text."""
    folder = tmp / name
    folder.mkdir()
    for p in sorted(SEEDS.glob("*.txt"))[seeds]:
        shutil.copy(p, folder)
    for p in PAGES[pages]:
        shutil.copy(p, folder)
    first = sorted(folder.glob("*.txt"))[0]
    shutil.copy(first, folder / f"copy-of-{first.name}")
    _warc(folder / f"{name}.warc")
    (folder / f"{name}-empty.txt").write_bytes(b"")
    (folder / f"{name}-short.txt").write_text("Too short to be an article.\n", encoding="utf-8")
    return folder


def _batch(folder: Path, settings) -> BatchResult:
    return Pipeline(settings).run(discover([str(folder)]).candidates)


def _across_processes(result: BatchResult) -> BatchResult:
    """What the flow receives from a worker: the tabulated batch, pickled and unpickled."""
    return pickle.loads(pickle.dumps(tabulate(pickle.loads(pickle.dumps(result))), protocol=pickle.HIGHEST_PROTOCOL))


def _load(settings, run_id: str, batch: BatchResult):
    with wdb.open_write(Path(settings.warehouse.db), 20) as con:
        wload.begin_run(con, run_id, settings, ["in"], None, [])
        return wload.load_batch(con, run_id, settings.fingerprint, batch, signature_key(settings.dedup))


def _rows(settings, sql: str, params=()) -> list:
    con = duckdb.connect(settings.warehouse.db, read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _unique(documents) -> dict:
    out = {}
    for d in documents:
        out.setdefault(d.doc_id, d)
    return out


def test_what_the_warehouse_holds_after_loading_a_workers_tables_is_what_the_documents_say(tmp_path):
    settings = make_settings(tmp_path)
    result = _batch(_folder(tmp_path, "in", slice(0, 3), slice(0, 5)), settings)
    docs = _unique(result.documents)
    # the batch has every kind of row: a document twice, text and HTML, a WARC file, rejections
    assert len(docs) < len(result.documents) and result.containers and result.rejections
    assert any(d.line_hashes for d in docs.values()) and any(d.visible for d in docs.values())
    assert any(d.removed for d in docs.values())

    stats = _load(settings, "r1", _across_processes(result))
    assert stats["load.documents_new"] == len(docs)
    assert stats["load.documents_existing"] == len(result.documents) - len(docs)
    assert stats["load.rejected"] == len(result.rejections)

    assert sorted(_rows(settings, "SELECT doc_id, title, text, language, word_count, char_count, content_hash, "
                                  "source_type, url, extractor FROM documents")) == sorted(
        (d.doc_id, d.title, d.text, d.language, d.word_count, len(d.text), d.content_hash, d.source.type, d.url,
         d.extractor) for d in docs.values())
    assert _rows(settings, "SELECT doc_id, seq, line_no, reason, score, text FROM removed_segments "
                           "ORDER BY doc_id, seq") == sorted(
        (d.doc_id, i, r.line_no, r.reason, r.score, r.text) for d in docs.values() for i, r in enumerate(d.removed))

    versions = {}  # one row per file version (path, content): the WARC file first, then documents, rejections
    for s in result.containers:
        versions.setdefault((s.path, s.sha256), (None, "container"))
    for d in result.documents:
        versions.setdefault((d.source.path, d.source.sha256), (d.doc_id, "document"))
    for r in result.rejections:
        if r.sha256:
            versions.setdefault((r.path, r.sha256), (None, "rejected"))
    assert sorted(_rows(settings, "SELECT path, sha256, doc_id, outcome FROM source_files")) == sorted(
        (p, h, doc, outcome) for (p, h), (doc, outcome) in versions.items())
    assert sorted(_rows(settings, "SELECT path, reason, detail, text FROM rejected_files")) == sorted(
        (r.path, r.reason, r.detail, r.text) for r in result.rejections)

    lines = Counter(h for d in docs.values() for h in d.line_hashes)
    assert dict(_rows(settings, "SELECT line_hash, documents FROM line_counts WHERE run_id = 'r1'")) == lines

    key = signature_key(settings.dedup)
    assert {k: v for k, v in _rows(settings, "SELECT doc_id, minhash FROM doc_signatures WHERE signature_key = ?",
                                   [key])} == {d.doc_id: d.signature.tolist() for d in docs.values()}
    seen = {i: d for i, d in docs.items() if d.visible}
    assert dict(_rows(settings, "SELECT doc_id, text FROM doc_visible")) == {i: d.visible for i, d in seen.items()}
    for k, name in enumerate(sample_keys_for(key)):
        assert dict(_rows(settings, "SELECT doc_id, minhash FROM visible_signatures WHERE signature_key = ?",
                          [name])) == {i: d.visible_samples[k].tolist() for i, d in seen.items()}


def test_a_batch_whose_documents_are_stored_already_adds_only_its_new_ones(tmp_path):
    settings = make_settings(tmp_path)
    first = _batch(_folder(tmp_path, "a", slice(0, 1), slice(0, 2)), settings)
    _load(settings, "r1", _across_processes(first))
    before = {t: _rows(settings, f"SELECT count(*) FROM {t}")[0][0]
              for t in ("documents", "removed_segments", "doc_signatures", "doc_visible", "visible_signatures")}

    # the same files again (same bytes: same documents) and new ones, in one batch of another run
    both = _folder(tmp_path, "b", slice(0, 3), slice(0, 5))
    second = _batch(both, settings)
    old = set(_unique(first.documents))
    new = {i: d for i, d in _unique(second.documents).items() if i not in old}
    assert old & set(_unique(second.documents)) and new

    stats = _load(settings, "r2", _across_processes(second))
    assert stats["load.documents_new"] == len(new)
    assert stats["load.documents_existing"] == len(second.documents) - len(new)
    assert _rows(settings, "SELECT count(*) FROM documents")[0][0] == before["documents"] + len(new)
    assert sorted(_rows(settings, "SELECT doc_id FROM documents WHERE run_id = 'r2'")) == sorted((i,) for i in new)
    assert _rows(settings, "SELECT count(*) FROM removed_segments")[0][0] == before["removed_segments"] + sum(
        len(d.removed) for d in new.values())
    assert _rows(settings, "SELECT count(*) FROM doc_signatures")[0][0] == before["doc_signatures"] + len(new)
    assert _rows(settings, "SELECT count(*) FROM doc_visible")[0][0] == before["doc_visible"] + sum(
        1 for d in new.values() if d.visible)
    # corpus evidence counts each line once per new text document of the run, not again for stored ones
    assert dict(_rows(settings, "SELECT line_hash, documents FROM line_counts WHERE run_id = 'r2'")) == Counter(
        h for d in new.values() for h in d.line_hashes)
