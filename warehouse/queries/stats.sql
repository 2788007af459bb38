-- `winnow stats`: the warehouse in counts (keys of `winnow stats --json`).

-- name: stats_total
SELECT (SELECT count(*) FROM corpus)       AS corpus_documents,
       (SELECT count(*) FROM documents)    AS documents_stored,
       (SELECT count(*) FROM source_files) AS source_files

-- name: stats_corpus_by_language
SELECT language, count(*) AS documents, sum(word_count) AS words
FROM corpus GROUP BY ALL ORDER BY documents DESC, language

-- name: stats_corpus_by_extractor
SELECT extractor, source_type, count(*) AS documents
FROM corpus GROUP BY ALL ORDER BY documents DESC, extractor

-- name: stats_rejected_files_by_reason
-- Not counted: `error` rejections of files a later run took in (resolved_run_id set).
SELECT reason, count(DISTINCT path) AS files
FROM rejected_files WHERE resolved_run_id IS NULL GROUP BY ALL ORDER BY files DESC, reason

-- name: stats_duplicate_clusters
SELECT count(DISTINCT cluster_id)                         AS clusters,
       count(*)                                           AS documents,
       count(*) FILTER (WHERE NOT is_representative)      AS folded,
       count(*) FILTER (WHERE match = 'exact')            AS exact,
       count(*) FILTER (WHERE match = 'near')             AS near
FROM duplicates

-- name: stats_runs
SELECT status, count(*) AS runs, max(started_at) AS last_started
FROM runs GROUP BY ALL ORDER BY status
