"""Exports with their dataset card: Parquet and gzipped JSON Lines load with Hugging Face `datasets`
(offline), with the same columns and rows; the card's counts equal the warehouse's."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import SEEDS, ingest, make_settings, query, winnow_cli

# datasets and huggingface_hub read these when imported: never reach the network, cache in the project
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The seeds, a copy of one (folded), an empty file (rejected); the flow's Parquet export."""
    tmp = tmp_path_factory.mktemp("card")
    os.environ.setdefault("HF_HOME", str(tmp / "hf"))
    inbox = tmp / "in"
    shutil.copytree(SEEDS, inbox)
    (inbox / "copy.txt").write_bytes((SEEDS / "001_a7bb1ff81f784584.txt").read_bytes() + b"\n")
    (inbox / "empty.txt").write_bytes(b"")
    s = make_settings(tmp, export={"license": "cc-by-4.0", "pretty_name": "seed news"})
    summary = ingest([inbox], s)
    assert summary["export"]["rows"] == 5
    return s


def _corpus(s):
    cols = [c for (c,) in query(s, "SELECT column_name FROM (DESCRIBE SELECT * FROM corpus)")]
    rows = {r[0]: r for r in query(s, "SELECT * FROM corpus ORDER BY doc_id")}
    return cols, rows


def _load(builder: str, folder: Path):
    from datasets import load_dataset

    return load_dataset(builder, data_dir=str(folder), split="train")


@pytest.mark.slow
def test_parquet_and_jsonl_exports_load_with_datasets_with_the_same_columns_and_rows(exported, tmp_path):
    s = exported
    cols, rows = _corpus(s)
    parquet = _load("parquet", Path(s.warehouse.export_dir))
    proc = winnow_cli("export", "--format", "jsonl", "--out", tmp_path / "jsonl", "--db", s.warehouse.db)
    assert proc.returncode == 0, proc.stderr
    assert "5 documents" in proc.stdout and "JSON Lines" in proc.stdout
    jsonl = _load("json", tmp_path / "jsonl")
    for ds in (parquet, jsonl):
        assert ds.column_names == cols
        assert ds.num_rows == len(rows) == 5
        for rec in ds:
            want = dict(zip(cols, rows[rec["doc_id"]]))
            for c in ("title", "text", "language", "word_count", "source_paths", "sha256", "run_id", "cluster_size"):
                assert rec[c] == want[c], c
    assert sorted(p.name for p in (tmp_path / "jsonl").iterdir()) == [
        ".winnow-export", "README.md", "corpus-00000.jsonl.gz", "dataset_info.json"]


@pytest.mark.slow
def test_jsonl_is_sharded_by_size(exported, tmp_path):
    import dataclasses

    from winnow.storage.db import open_read
    from winnow.storage.export import export_corpus

    s = exported
    s = dataclasses.replace(s, export=dataclasses.replace(s.export, jsonl_shard_mb=5_000 / 2**20))  # 5,000 bytes
    with open_read(Path(s.warehouse.db), 20) as con:
        res = export_corpus(con, tmp_path / "shards", fmt="jsonl", settings=s)
    shards = sorted((tmp_path / "shards").glob("*.jsonl.gz"))
    assert res.files == len(shards) >= 3 and res.rows == 5
    lines, first = [], []
    for i, shard in enumerate(shards):
        data = gzip.decompress(shard.read_bytes()).decode()
        lines += data.splitlines()
        first.append(data.splitlines())
        if i:  # a later shard exceeds the size only with a single row
            assert len(data.encode()) <= 5_000 or data.count("\n") == 1
    assert sorted(json.loads(x)["doc_id"] for x in lines) == sorted(_corpus(s)[1])
    # every column that is ever filled is filled in the first shard (readers infer types from it)
    filled = lambda rows: {k for r in rows for k, v in json.loads(r).items() if v is not None}  # noqa: E731
    assert filled(first[0]) == filled(lines)
    assert _load("json", tmp_path / "shards").num_rows == 5
    info = json.loads((tmp_path / "shards" / "dataset_info.json").read_text())
    assert info["files"] == [p.name for p in shards]


@pytest.mark.slow
def test_the_dataset_card_counts_equal_the_warehouse(exported):
    from huggingface_hub import DatasetCard

    s = exported
    folder = Path(s.warehouse.export_dir)
    info = json.loads((folder / "dataset_info.json").read_text(encoding="utf-8"))
    one = lambda sql: query(s, sql)[0][0]  # noqa: E731
    assert info["documents"] == one("SELECT count(*) FROM corpus") == 5
    assert info["words"] == one("SELECT sum(word_count) FROM corpus")
    assert info["characters"] == one("SELECT sum(char_count) FROM corpus")
    assert info["duplicates_folded"] == one("SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL") == 1
    assert info["files_rejected"] == one("SELECT count(DISTINCT path) FROM rejected_files") == 1
    assert info["languages"] == dict(query(s, "SELECT language, count(*) FROM corpus GROUP BY ALL"))
    assert info["run_ids"] == [r for (r,) in query(s, "SELECT DISTINCT run_id FROM corpus ORDER BY 1")]
    assert info["config_hash"] == s.config_hash == one("SELECT DISTINCT config_hash FROM corpus")
    assert info["cleaning_settings"] == json.loads(json.dumps(s.corpus_settings()))
    assert info["license"] == "cc-by-4.0" and info["files"] == ["corpus.parquet"]
    assert info["known_limitations"]
    assert sum(r["documents"] for r in info["sources"]) == 5
    # the README's YAML header, read by huggingface_hub's own card parser
    card = DatasetCard.load(folder / "README.md")
    assert card.data.license == "cc-by-4.0" and card.data.pretty_name == "seed news"
    assert card.data.language == ["en"] and card.data.size_categories == ["n<1K"]
    assert "5 documents" in card.text and "Known limitations" in card.text


def test_export_format_user_errors(tmp_path):
    for args, says in ((["--format", "csv"], "--format must be parquet or jsonl"),
                       (["--format", "jsonl", "--partition-by", "language"], "--format parquet only")):
        proc = winnow_cli("export", *args, "--db", tmp_path / "x.duckdb", "--out", tmp_path / "out")
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and says in lines[0], proc.stderr
