-- 017: an `error` rejection (a batch or a step that failed: a bug, a crash, a full disk) is marked
-- resolved when a later run takes in the same file, instead of counting as rejected for ever.
-- The row stays (the history of what failed); `winnow stats`, the report and the dataset card
-- count only rejections that are not resolved.
ALTER TABLE rejected_files ADD COLUMN resolved_run_id VARCHAR;   -- the run that took the file in
ALTER TABLE rejected_files ADD COLUMN resolved_at TIMESTAMPTZ;

-- What is stored: `error` rejections of a path that a later run took in (a current version of it,
-- the same content when the rejection knew it), resolved by the first such run.
UPDATE rejected_files SET resolved_run_id = later.run_id, resolved_at = later.started_at
FROM (
    SELECT e.rowid AS rejection, arg_min(r.run_id, r.started_at) AS run_id, min(r.started_at) AS started_at
    FROM rejected_files e
    JOIN source_files s ON s.path = e.path AND (e.sha256 IS NULL OR e.sha256 = s.sha256)
    JOIN runs r ON r.run_id = s.first_run_id
    WHERE e.reason = 'error' AND s.status = 'current' AND r.started_at > e.rejected_at
    GROUP BY e.rowid
) later
WHERE rejected_files.rowid = later.rejection;
