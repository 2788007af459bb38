-- Files that did not become documents, by reason, with one example file (the first path).
SELECT reason,
       count(DISTINCT path)          AS files,
       min(path)                     AS example_path,
       arg_min(detail, path)         AS example_detail
FROM rejected_files
WHERE resolved_run_id IS NULL  -- not `error` rejections of files a later run took in
GROUP BY reason
ORDER BY files DESC, reason;
