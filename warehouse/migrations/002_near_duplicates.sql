-- 002: near-duplicate detection. Signatures are stored once per document, so a later run
-- compares only its new documents with everything already in the warehouse.

CREATE TABLE doc_signatures (
    doc_id        VARCHAR NOT NULL,
    signature_key VARCHAR NOT NULL,          -- scheme, seed, permutations, shingle size: recompute when it changes
    minhash       UINTEGER[] NOT NULL,
    UNIQUE (doc_id, signature_key)
);

-- Verified near-duplicate pairs (doc_a < doc_b), found once, kept: clusters are recomputed
-- from them (and from equal content hashes) on every run.
CREATE TABLE dup_pairs (
    doc_a         VARCHAR NOT NULL,
    doc_b         VARCHAR NOT NULL,
    jaccard       DOUBLE NOT NULL,
    containment   DOUBLE NOT NULL,
    reason        VARCHAR NOT NULL,          -- jaccard | containment: the test that accepted the pair
    settings_hash VARCHAR NOT NULL,          -- the dedup settings the pair was verified under
    run_id        VARCHAR NOT NULL,
    UNIQUE (doc_a, doc_b, settings_hash)
);

-- How each document joined its cluster, and with which document it was matched.
ALTER TABLE documents ADD COLUMN dup_containment DOUBLE;
ALTER TABLE documents ADD COLUMN dup_matched VARCHAR;
ALTER TABLE documents ADD COLUMN dup_rule VARCHAR;

-- Documents already compared with the rest of the warehouse under given dedup settings:
-- the next run compares only documents not listed here.
CREATE TABLE dedup_seen (
    doc_id        VARCHAR NOT NULL,
    settings_hash VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    UNIQUE (doc_id, settings_hash)
);
