-- The removed lines of the corpus documents: winnow/report/queries.py streams them, counts their
-- words with winnow's own word counter (winnow.vocab, the counter of documents.word_count) and
-- registers the sums as report_segment_words (doc_id, reason, lines, words) before setup.sql runs.
SELECT doc_id, reason, text
FROM removed_segments
WHERE doc_id IN (SELECT doc_id FROM corpus);
