-- The runs that made the exported documents, with the pipeline version and settings hash of each.
SELECT run_id, pipeline_version, config_hash, count(*) AS documents
FROM corpus
GROUP BY ALL
ORDER BY run_id;
