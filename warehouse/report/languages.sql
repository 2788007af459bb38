-- Documents and words per language.
SELECT language, count(*) AS documents, sum(kept_words) AS words
FROM report_documents
GROUP BY language
ORDER BY documents DESC, language;
