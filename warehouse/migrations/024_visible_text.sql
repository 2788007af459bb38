-- 024: near duplicates by visible text (winnow.dedup.visible). A page's visible text -- a text dump
-- as it is, the text nodes of an HTML page -- is kept beside its cleaned body, so that a later run
-- can tell whether a new document's body lies inside this page, and this page's body inside the
-- new document's visible text. Samples of the shingles of each body and of each visible text (the
-- candidates' index, winnow.dedup.visible.samples) go to visible_signatures, under their own keys
-- (the bodies' MinHash signatures stay one per document in doc_signatures).
--
-- Nothing stored changes: the three tables are new. A document stored before this migration has no
-- visible text (its raw page was not kept) and is compared by its body only, as before; a change of
-- the [clean] settings re-cleans it and stores its visible text. The [dedup] settings gain
-- visible_text, so the first run after this migration compares every document again under the new
-- settings hash (the body pairs found are the same; the old ones stay under their old hash).

CREATE TABLE doc_visible (
    doc_id VARCHAR PRIMARY KEY,
    text   VARCHAR NOT NULL              -- what a reader could see of the page, before any cleaning
);

CREATE TABLE visible_signatures (
    doc_id        VARCHAR NOT NULL,
    signature_key VARCHAR NOT NULL,      -- body-sample16:<signature key> or page-sample16:<signature key>
    minhash       UINTEGER[] NOT NULL,   -- the sampled shingle hashes (32-bit), sorted
    UNIQUE (doc_id, signature_key)
);

-- Candidate pairs by visible text (doc_a < doc_b) where at least one body lies inside the other's
-- visible text to min_containment: a copy when both do, otherwise evidence that the contained body
-- is a part pages share (winnow.dedup.visible.witnessed_parts). Found once, kept; clusters are
-- recomputed from them on every run.
CREATE TABLE visible_pairs (
    doc_a         VARCHAR NOT NULL,
    doc_b         VARCHAR NOT NULL,
    a_in_b        DOUBLE NOT NULL,       -- share of doc_a's body shingles found in doc_b's visible text
    b_in_a        DOUBLE NOT NULL,
    a_in_b_body   DOUBLE NOT NULL,       -- share of doc_a's body shingles found in doc_b's body
    b_in_a_body   DOUBLE NOT NULL,
    settings_hash VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    UNIQUE (doc_a, doc_b, settings_hash)
);
