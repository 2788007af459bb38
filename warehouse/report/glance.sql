-- Corpus at a glance: one row.
SELECT count(*)                              AS documents,
       coalesce(sum(kept_words), 0)          AS words,
       count(DISTINCT language)              AS languages,
       count(DISTINCT source_type)           AS source_types,
       count(DISTINCT site)                  AS sites,
       coalesce(sum(removed_words), 0)       AS removed_words,
       coalesce(sum(removed_lines), 0)       AS removed_lines,
       (SELECT count(DISTINCT path) FROM rejected_files WHERE resolved_run_id IS NULL) AS rejected_files,
       (SELECT count(*) FROM duplicates WHERE NOT is_representative) AS folded_duplicates,
       (SELECT count(*) FROM runs)           AS runs
FROM report_documents;
