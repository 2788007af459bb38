-- The document browser: the corpus documents with their kept text (title first).
-- $1: how many documents at most, in title order (the same warehouse gives the same page).
SELECT doc_id, coalesce(title, '') AS title, language, source_type, site, path, url,
       kept_words, removed_words, removed_lines, text
FROM report_documents
JOIN (SELECT doc_id, text FROM corpus) USING (doc_id)
ORDER BY title NULLS LAST, doc_id
LIMIT $1;
