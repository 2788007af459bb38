-- 011: one text vocabulary (winnow.vocab.words, version 2). Exact-duplicate hashes and word
-- counts are now computed on winnow's one tokenisation (NFKC + full case folding, one token per
-- Han/Kana/Thai character): "Straße" = "Strasse" and "中国人" = "中 国 人" for every dedup
-- step, and a Chinese body counts its words (two characters a word) instead of its spaces.
--
-- This file keeps what was stored: every document's version-1 hash and word count are copied
-- into content_hash_history first. The re-hash itself needs Python (the tokeniser), so the
-- migration runner calls winnow.storage.rehash.rehash_documents right after this file, in the
-- same transaction: either both happen or neither. Near-duplicate pairs and signatures are
-- keyed by settings that include the vocabulary version, so the run that migrates compares
-- every document again under the new tokens and recomputes every cluster (dedup runs on every
-- run); the version-1 pairs stay in dup_pairs under their old settings hash.

CREATE TABLE content_hash_history (
    doc_id       VARCHAR NOT NULL,
    hash_version INTEGER NOT NULL,          -- winnow.vocab.words.VERSION the hash was made with
    content_hash VARCHAR NOT NULL,
    word_count   INTEGER NOT NULL,
    replaced_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (doc_id, hash_version)
);

INSERT INTO content_hash_history (doc_id, hash_version, content_hash, word_count)
SELECT doc_id, 1, content_hash, word_count FROM documents;

-- The version a document's content_hash and word_count were computed with. Rows stored before
-- this migration are version 1 until rehash_documents recomputes them; new rows get the
-- default, the version of the code that writes them (a later change of the rules changes the
-- default in its own migration).
ALTER TABLE documents ADD COLUMN hash_version INTEGER DEFAULT 1;
UPDATE documents SET hash_version = 1;
ALTER TABLE documents ALTER COLUMN hash_version SET DEFAULT 2;
