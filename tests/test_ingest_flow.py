"""End to end through the real Prefect flow, a real DuckDB file, real trafilatura and langdetect."""

from __future__ import annotations

import gzip
import shutil

import duckdb

from conftest import DATA, SEEDS, ingest, make_settings, pages_gold, query, seeds_gold
from winnow.evaluate import score_page


def test_seeds_end_to_end(settings):
    summary = ingest([SEEDS], settings)
    assert summary["status"] == "completed"
    assert summary["files"] == {"seen": 5, "new": 5, "changed": 0, "recleaned": 0, "unchanged": 0, "rejected": 0, "hidden": 0}
    assert summary["documents"]["corpus"] == 5
    assert summary["languages"] == {"en": 5}
    assert summary["seconds"]["prefect_startup"] >= 0 and summary["seconds"]["work"] > 0
    rows = query(settings, "SELECT source_paths[1], title, text, language FROM corpus")
    by_name = {p.rsplit("/", 1)[1]: (t, x, lang) for p, t, x, lang in rows}
    for gold in seeds_gold():
        title, text, lang = by_name[gold["file"]]
        assert lang == gold["language"]
        f1 = score_page(gold["file"], text, gold["body"]).f1
        assert f1 >= 0.90, f"{gold['file']}: body F1 {f1:.3f} < 0.90"
        assert title == gold["title"], gold["file"]
        assert not text.startswith(title), "text is the body without the title"
    # provenance and the run are recorded
    (n_runs, status), = query(settings, "SELECT count(*), any_value(status) FROM runs")
    assert (n_runs, status) == (1, "completed")
    removed = query(settings, "SELECT count(*), count(DISTINCT reason) FROM removed_segments")[0]
    assert removed[0] > 20 and removed[1] >= 2


def test_rerun_adds_nothing_and_is_faster(settings):
    first = ingest([SEEDS], settings)
    tables = ["documents", "source_files", "removed_segments", "rejected_files"]
    before = {t: query(settings, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    corpus_before = query(settings, "SELECT doc_id, text FROM corpus ORDER BY doc_id")
    second = ingest([SEEDS], settings)
    after = {t: query(settings, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    assert after == before
    assert second["files"]["unchanged"] == 5 and second["files"]["new"] == 0
    assert second["documents"]["new"] == 0
    assert query(settings, "SELECT doc_id, text FROM corpus ORDER BY doc_id") == corpus_before
    assert not {"read", "clean", "language", "load"} & set(second["step_seconds"]), "nothing read or cleaned again"
    assert second["seconds"]["work"] < first["seconds"]["work"]


def test_changed_file_supersedes_its_old_document(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    page = inbox / "story.txt"
    shutil.copy(SEEDS / "001_a7bb1ff81f784584.txt", page)
    ingest([inbox], settings)
    old_id, = query(settings, "SELECT doc_id FROM corpus")[0]
    page.write_text(page.read_text(encoding="utf-8").replace("Tuesday", "Wednesday"), encoding="utf-8")
    summary = ingest([inbox], settings)
    assert summary["files"]["changed"] == 1 and summary["documents"]["superseded"] == 1
    rows = query(settings, "SELECT doc_id, text FROM corpus")
    assert len(rows) == 1 and rows[0][0] != old_id and "Wednesday" in rows[0][1]
    old = query(settings, "SELECT superseded_by, superseded_at IS NOT NULL FROM documents WHERE doc_id = ?", [old_id])
    assert old == [(rows[0][0], True)], "the old document is kept, marked superseded by the new one"
    assert query(settings, "SELECT count(*) FROM documents")[0][0] == 2


def test_same_file_under_two_names_is_one_document(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEEDS / "003_bcef931b8488457f.txt", inbox / "a.txt")
    shutil.copy(SEEDS / "003_bcef931b8488457f.txt", inbox / "copy of a.txt")
    ingest([inbox], settings)
    assert query(settings, "SELECT count(*) FROM corpus")[0][0] == 1
    prov = query(settings, "SELECT source_path FROM provenance ORDER BY source_path")
    assert [p.rsplit("/", 1)[1] for p, in prov] == ["a.txt", "copy of a.txt"]
    paths, = query(settings, "SELECT source_paths FROM corpus")[0]
    assert len(paths) == 2
    # later, a third name for the same bytes: linked, not cleaned twice
    shutil.copy(SEEDS / "003_bcef931b8488457f.txt", inbox / "b.txt")
    summary = ingest([inbox], settings)
    assert summary["files"]["new"] == 1 and summary["documents"]["new"] == 0
    assert query(settings, "SELECT count(*) FROM provenance")[0][0] == 3


def test_exact_duplicates_fold_into_one_cluster(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = (SEEDS / "000_6854359e01b304fc.txt").read_text(encoding="utf-8")
    (inbox / "one.txt").write_text(text, encoding="utf-8")
    # different bytes, same text for a reader: Windows line ends, doubled spaces, a BOM
    (inbox / "two.txt").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").replace(". ", ".  ").encode("utf-8"))
    summary = ingest([inbox], settings)
    assert summary["duplicates"]["folded"] == 1 and summary["duplicates"]["exact"] == 1
    assert summary["duplicates"]["compared"] == 1, "near dedup runs on one document per exact group"
    assert query(settings, "SELECT count(*) FROM corpus")[0][0] == 1
    dups = query(settings, "SELECT doc_id, representative_doc_id, match, rule FROM duplicates ORDER BY is_representative")
    assert len(dups) == 2 and dups[0][1] == dups[1][0]
    assert [d[2] for d in dups] == ["exact", "representative"] and dups[0][3] == "longest"


def test_gzipped_html_page(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    gold = pages_gold()
    for pid in gold:
        # no extension hint: HTML and gzip are recognised from the content
        shutil.copy(DATA / "pages" / f"{pid}.html.gz", inbox / f"{pid}.bin")
    ingest([inbox], settings)
    rows = query(settings, """SELECT d.source_type, s.compressed, d.title, d.text, d.language, d.url, d.extractor
                              FROM corpus d JOIN provenance s USING (doc_id) ORDER BY s.source_path""")
    assert len(rows) == len(gold)
    for (kind, compressed, title, text, lang, url, extractor), (pid, g) in zip(rows, sorted(gold.items())):
        assert kind == "html" and compressed and extractor in {"trafilatura", "readability-lxml"}
        assert title and url == g["url"]
        assert score_page(pid, text, g["articleBody"]).f1 >= 0.9
    assert sorted(r[4] for r in rows) == ["en", "pt"]


def test_cp1252_file_is_decoded(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    title = "Lyon inaugure sa première ligne de bus entièrement électrique"
    body = ("La métropole de Lyon a mis en service lundi matin sa première ligne de bus entièrement électrique, "
            "qui relie la gare de Perrache au campus de la Doua en un peu moins de quarante minutes.\n\n"
            "Le coût total du projet s’élève à 38 millions d’euros, dont un tiers financé par l’État "
            "dans le cadre du plan de relance.\n\nLes associations d’usagers saluent l’initiative mais "
            "réclament une fréquence plus élevée aux heures de pointe, aujourd’hui d’un bus toutes les dix minutes.")
    (inbox / "lyon.txt").write_bytes(f"{title}\n\n{body}\n".encode("cp1252"))
    ingest([inbox], settings)
    (enc,), = query(settings, "SELECT encoding FROM source_files")
    assert enc in ("cp1252", "windows-1252")
    text, lang = query(settings, "SELECT text, language FROM corpus")[0]
    assert "s’élève à 38 millions d’euros" in text and lang == "fr"


def test_bad_files_are_rejected_with_reasons_and_the_run_goes_on(tmp_path, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEEDS / "000_6854359e01b304fc.txt", inbox / "good.txt")
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "blank.html").write_bytes(b"  \n\n ")
    (inbox / "image.txt").write_bytes(bytes(range(256)) * 40)
    packed = gzip.compress((SEEDS / "001_a7bb1ff81f784584.txt").read_bytes())
    (inbox / "truncated.txt.gz").write_bytes(packed[: len(packed) // 2])
    summary = ingest([inbox], settings)
    assert summary["status"] == "completed"
    assert summary["documents"]["corpus"] == 1
    reasons = dict(query(settings, "SELECT regexp_extract(path, '[^/]+$'), reason FROM rejected_files"))
    assert reasons == {"empty.txt": "empty", "blank.html": "empty", "image.txt": "binary",
                       "truncated.txt.gz": "gzip_truncated"}
    assert summary["files"]["rejected"] == 4 and summary["rejections"]["empty"] == 2
    details = query(settings, "SELECT count(*) FROM rejected_files WHERE detail IS NULL OR detail = ''")
    assert details == [(0,)], "every rejection says why"


def test_parquet_export_equals_corpus(settings):
    ingest([SEEDS], settings)
    con = duckdb.connect(settings.warehouse.db, read_only=True)
    try:
        corpus = con.execute("SELECT * FROM corpus ORDER BY doc_id").fetchall()
        cols = [d[0] for d in con.description]
        glob = settings.warehouse.export_dir + "/**/*.parquet"
        exported = con.execute(f"SELECT {', '.join(cols)} FROM read_parquet('{glob}') ORDER BY doc_id").fetchall()
    finally:
        con.close()
    assert len(corpus) == 5 and exported == corpus
    for col in ("doc_id", "title", "text", "language", "source_paths", "sha256", "run_id",
                "pipeline_version", "config_hash"):
        assert col in cols


def test_same_input_and_config_give_the_same_corpus(tmp_path):
    a = make_settings(tmp_path / "a")
    b = make_settings(tmp_path / "b")
    ingest([SEEDS], a)
    ingest([SEEDS], b)
    q = "SELECT doc_id, title, text, language, language_prob, content_hash FROM corpus ORDER BY doc_id"
    assert query(a, q) == query(b, q)
