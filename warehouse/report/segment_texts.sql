-- The removed lines of the corpus documents: winnow/report/queries.py counts their words with
-- winnow's own word counter (winnow.vocab, the counter of documents.word_count) and registers
-- the counts as report_segment_words (doc_id, seq, words) before setup.sql runs.
SELECT doc_id, seq, text
FROM removed_segments
WHERE doc_id IN (SELECT doc_id FROM corpus);
