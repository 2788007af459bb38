-- What cleaning removed from the corpus, by reason, with one example line of each
-- (the first by document and line, so the report is the same on every run).
WITH segments AS (
    SELECT s.reason, s.text, s.line_no, s.seq, d.doc_id, d.path, d.title
    FROM removed_segments s
    JOIN report_documents d USING (doc_id)
),
reason_words AS (                       -- report_segment_words: the corpus documents' lines only
    SELECT reason, sum(words) AS words
    FROM report_segment_words
    GROUP BY reason
),
by_reason AS (
    SELECT reason,
           count(*)                                               AS lines,
           count(DISTINCT doc_id)                                 AS documents,
           arg_min(text, (doc_id, seq))                           AS example,
           arg_min(line_no, (doc_id, seq))                        AS example_line,
           arg_min(doc_id, (doc_id, seq))                         AS example_doc_id,
           arg_min(path, (doc_id, seq))                           AS example_path
    FROM segments
    GROUP BY reason
)
SELECT b.reason, b.lines, w.words, b.documents, b.example, b.example_line, b.example_doc_id, b.example_path
FROM by_reason b
LEFT JOIN reason_words w ON w.reason IS NOT DISTINCT FROM b.reason
ORDER BY b.lines DESC, b.reason;
