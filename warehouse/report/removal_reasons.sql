-- What cleaning removed from the corpus, by reason, with one example line of each
-- (the first by document and line, so the report is the same on every run).
WITH segments AS (
    SELECT s.reason, s.text, s.line_no, s.seq, w.words, d.doc_id, d.path, d.title
    FROM removed_segments s
    JOIN report_segment_words w USING (doc_id, seq)
    JOIN report_documents d USING (doc_id)
)
SELECT reason,
       count(*)                                                   AS lines,
       sum(words)                                                 AS words,
       count(DISTINCT doc_id)                                     AS documents,
       arg_min(text, (doc_id, seq))                               AS example,
       arg_min(line_no, (doc_id, seq))                            AS example_line,
       arg_min(doc_id, (doc_id, seq))                             AS example_doc_id,
       arg_min(path, (doc_id, seq))                               AS example_path
FROM segments
GROUP BY reason
ORDER BY lines DESC, reason;
