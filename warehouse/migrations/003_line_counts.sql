-- 003: corpus evidence for the text-dump cleaner. A line that recurs in many documents is a
-- site's chrome (as CCNet drops repeated paragraphs). Counted per run, so a run uses only the
-- evidence of runs before it: a resumed run cleans exactly as the interrupted one did.

CREATE TABLE line_counts (
    line_hash UBIGINT NOT NULL,   -- 64-bit hash of the cleaner's line_key (normalised line)
    run_id    VARCHAR NOT NULL,
    documents INTEGER NOT NULL,   -- new text documents of that run containing the line
    UNIQUE (line_hash, run_id)
);
