-- The dataset card's totals: the exported corpus, what was folded into it, what was rejected.
SELECT count(*)                                              AS documents,
       coalesce(sum(word_count), 0)                          AS words,
       coalesce(sum(char_count), 0)                          AS characters,
       (SELECT count(*) FROM duplicates WHERE NOT is_representative) AS duplicates_folded,
       (SELECT count(DISTINCT path) FROM rejected_files WHERE resolved_run_id IS NULL) AS files_rejected
FROM corpus;
