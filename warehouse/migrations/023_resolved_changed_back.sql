-- 023: `error` rejections that 017 left unresolved though a later run took the file in.
-- 017 looked only at a file version's first run and only at current versions. A file rejected
-- as `error` with its content known, then changed, then changed back, was taken in again by a
-- later run, but its version keeps the first run (the rejecting one): the run that took it back
-- in is the run of its document, or of another rejection of that same version. A version taken
-- in and changed again since counts too, as it does when a run resolves its errors itself.
-- Only unresolved rows change, each to the first such run; every row stays.
UPDATE rejected_files SET resolved_run_id = later.run_id, resolved_at = later.started_at
FROM (
    SELECT e.rowid AS rejection, arg_min(r.run_id, r.started_at) AS run_id, min(r.started_at) AS started_at
    FROM rejected_files e
    JOIN (
        SELECT path, sha256, first_run_id AS run_id FROM source_files
        UNION
        SELECT s.path, s.sha256, d.run_id FROM source_files s JOIN documents d ON d.doc_id = s.doc_id
        UNION
        SELECT path, sha256, run_id FROM rejected_files WHERE reason <> 'error' AND sha256 IS NOT NULL
    ) taken ON taken.path = e.path AND (e.sha256 IS NULL OR e.sha256 = taken.sha256)
    JOIN runs r ON r.run_id = taken.run_id
    WHERE e.reason = 'error' AND e.resolved_run_id IS NULL AND r.started_at > e.rejected_at
    GROUP BY e.rowid
) later
WHERE rejected_files.rowid = later.rejection;
