-- 028: a `timeout` rejection records the time limit it ran into ([input] max_seconds_per_page, in
-- seconds), so that a later run with a larger limit (or none) tries the file again; with the same
-- or a smaller limit the file stays rejected, as before, without costing the limit on every run.
ALTER TABLE rejected_files ADD COLUMN time_limit_seconds DOUBLE;

-- What is stored: the limit is in each timeout's detail, "... max_seconds_per_page (120 s)".
-- A detail that does not say it leaves the column NULL: that file is not retried by a limit.
UPDATE rejected_files
SET time_limit_seconds = TRY_CAST(regexp_extract(detail, '\(([0-9.e+-]+) s\)$', 1) AS DOUBLE)
WHERE reason = 'timeout';
