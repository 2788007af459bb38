-- Documents and words per source type (html, text).
SELECT coalesce(source_type, '?') AS source_type, count(*) AS documents, sum(kept_words) AS words
FROM report_documents
GROUP BY ALL
ORDER BY documents DESC, source_type;
