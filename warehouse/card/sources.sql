-- Documents per source type (html, text) and extractor.
SELECT coalesce(source_type, '?') AS source_type, extractor, extractor_version, count(*) AS documents
FROM corpus
GROUP BY ALL
ORDER BY documents DESC, source_type, extractor;
