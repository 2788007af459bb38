-- 031: `timeout` rejections that a later run made stale, resolved as a run resolves them now.
-- Since 028 a run that processes a timed-out file version again (a larger time limit) marks the
-- timeout resolved, whatever the new outcome, which it records (a document, another rejection, a
-- timeout at the new limit). Before 028 no run resolved a timeout: a version that timed out and
-- was processed again later (under other cleaning settings, or after being changed and changed
-- back) and taken in kept its timeout unresolved, so `winnow stats`, the report and the card
-- still counted the file as rejected beside its document.
-- What is stored: an unresolved `timeout` whose version (same path, same content when the
-- rejection knew it) a later run took in (made its document) or gave another outcome (a
-- rejection of another reason or detail, not an `error`: that is no outcome, it is retried) is
-- resolved by the first such run. A version processed again with the same outcome (the same
-- timeout, not recorded twice) keeps its one row unresolved. Only unresolved rows change; every
-- row stays.
UPDATE rejected_files SET resolved_run_id = later.run_id, resolved_at = later.started_at
FROM (
    SELECT e.rowid AS rejection, arg_min(r.run_id, r.started_at) AS run_id, min(r.started_at) AS started_at
    FROM rejected_files e
    JOIN (
        SELECT s.path, s.sha256, d.run_id FROM source_files s JOIN documents d ON d.doc_id = s.doc_id
        UNION
        SELECT path, sha256, run_id FROM rejected_files WHERE reason <> 'error' AND sha256 IS NOT NULL
    ) taken ON taken.path = e.path AND (e.sha256 IS NULL OR e.sha256 = taken.sha256)
    JOIN runs r ON r.run_id = taken.run_id
    WHERE e.reason = 'timeout' AND e.resolved_run_id IS NULL AND r.started_at > e.rejected_at
    GROUP BY e.rowid
) later
WHERE rejected_files.rowid = later.rejection;
