-- The removed lines of the browser's documents, in page order, with their reasons and scores.
-- $1: the list of document ids.
SELECT doc_id, line_no, reason, round(score, 2) AS score, text
FROM removed_segments
WHERE list_contains($1, doc_id)
ORDER BY doc_id, seq;
