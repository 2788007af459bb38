-- Runs (winnow.storage.load): registering, finishing, and planning against what is stored.

-- name: run_exists
SELECT count(*) FROM runs WHERE run_id = ?

-- name: start_run
INSERT INTO runs (run_id, started_at, status, pipeline_version, config_hash, fingerprint, inputs, prefect_flow_run_id)
VALUES (?, ?, 'running', ?, ?, ?, ?, ?)
ON CONFLICT (run_id) DO NOTHING

-- name: mark_interrupted
-- Only one run holds the run lock, so any other 'running' run died without finishing.
UPDATE runs SET status = 'interrupted' WHERE status = 'running' AND run_id <> ?

-- name: finish_run
UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?

-- name: corpus_size
SELECT count(*) FROM corpus

-- name: last_run_status
SELECT status FROM runs ORDER BY started_at DESC LIMIT 1

-- name: known_files
-- Current file versions: made with this run's settings (same fingerprint, ?) or with others.
-- Not a version with an unresolved `error` rejection (a step failed on it: a bug, a crash, memory),
-- nor one with a `timeout` under a smaller time limit than this run's (?; 0: no limit, ? again):
-- the next run retries it, as it does a file never taken in.
SELECT path, sha256, fingerprint = ? AS same_settings FROM source_files s
WHERE status = 'current'
  AND NOT EXISTS (SELECT 1 FROM rejected_files e
                  WHERE e.resolved_run_id IS NULL AND e.path = s.path AND e.sha256 = s.sha256
                    AND (e.reason = 'error'
                         OR (e.reason = 'timeout' AND (? = 0 OR e.time_limit_seconds < ?))))
