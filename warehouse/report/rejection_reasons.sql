-- Files that did not become documents, by reason, with one example file (the first path).
SELECT reason,
       count(DISTINCT path)          AS files,
       min(path)                     AS example_path,
       arg_min(detail, path)         AS example_detail
FROM rejected_files
GROUP BY reason
ORDER BY files DESC, reason;
