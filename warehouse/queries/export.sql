-- The export (winnow.storage.export) and the dataset card's column list. COPY returns the number
-- of rows written; the target path is a parameter. PARTITION_BY takes a column name, not a value:
-- one query per column winnow allows (language, source_type, extractor).

-- name: export_parquet
COPY (SELECT * FROM corpus ORDER BY doc_id) TO ? (FORMAT parquet, COMPRESSION zstd)

-- name: export_parquet_by_language
COPY (SELECT * FROM corpus ORDER BY doc_id) TO ? (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (language))

-- name: export_parquet_by_source_type
COPY (SELECT * FROM corpus ORDER BY doc_id) TO ? (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (source_type))

-- name: export_parquet_by_extractor
COPY (SELECT * FROM corpus ORDER BY doc_id) TO ? (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (extractor))

-- name: export_witnesses
-- JSON Lines: for each column of the corpus, the first document (by doc_id) where it is not NULL.
-- Readers that infer the columns' types from the start of the first file (Hugging Face `datasets`
-- does) would type a column that is empty there as null and then fail on a later shard.
SELECT min(CASE WHEN COLUMNS(*) IS NOT NULL THEN doc_id END) FROM corpus

-- name: export_jsonl_rows
-- DuckDB's own JSON of each row (the serialisation of COPY ... FORMAT json), so the columns and
-- their values are those of the Parquet files: the witness rows ($1, a list of doc_id) first,
-- then the rest by doc_id.
SELECT to_json(c)::VARCHAR FROM (SELECT * FROM corpus ORDER BY NOT list_contains($1, doc_id), doc_id) c

-- name: corpus_columns
-- The columns of the corpus view and their types, in order.
DESCRIBE SELECT * FROM corpus
