-- Runs over time: files, documents and seconds per stage, from each run's summary.
SELECT run_id,
       started_at,
       status,
       epoch(finished_at - started_at)                           AS seconds,
       CAST(summary->>'$.files.seen' AS INTEGER)                 AS files_seen,
       CAST(summary->>'$.files.new' AS INTEGER)
           + CAST(summary->>'$.files.changed' AS INTEGER)        AS files_processed,
       CAST(summary->>'$.files.rejected' AS INTEGER)             AS files_rejected,
       CAST(summary->>'$.documents.new' AS INTEGER)              AS documents_new,
       CAST(summary->>'$.documents.corpus' AS INTEGER)           AS corpus_documents,
       CAST(summary->'$.step_seconds' AS VARCHAR)                AS step_seconds
FROM runs
ORDER BY started_at, run_id;
