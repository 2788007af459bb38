-- Dedup in the warehouse (winnow.storage.dedup.run_dedup), in one transaction. Lists of documents
-- arrive as registered Arrow tables: _doc_ids, _signatures, _new_pairs, _assign, _pair_docs.

-- name: active_docs
-- "created" is the modification time of the document's oldest current source file: a fact
-- about the input, not about when a run got to it, so a resumed or incremental run picks the
-- same representatives as a from-scratch run.
SELECT d.doc_id, d.content_hash, d.char_count,
       coalesce((SELECT min(epoch(s.mtime)) FROM source_files s
                 WHERE s.doc_id = d.doc_id AND s.status = 'current'), 0) AS created,
       d.cluster_id, d.duplicate_of, d.dup_similarity, d.dup_method, d.dup_containment,
       d.dup_matched, d.dup_rule
FROM documents d WHERE d.superseded_at IS NULL
ORDER BY d.doc_id

-- name: dedup_seen
-- Documents already compared under these dedup settings (?: their hash).
SELECT doc_id FROM dedup_seen WHERE settings_hash = ?

-- name: stored_signatures
SELECT doc_id, minhash FROM doc_signatures
WHERE signature_key = ? AND doc_id IN (SELECT doc_id FROM _doc_ids)
ORDER BY doc_id

-- name: signed_documents
-- How many of the documents in _doc_ids have a signature under this key (?).
SELECT count(*) FROM doc_signatures WHERE signature_key = ? AND doc_id IN (SELECT doc_id FROM _doc_ids)

-- name: boilerplate_slots
-- The boilerplate filter's count (winnow.dedup.boilerplate), done here rather than on every
-- signature in Python: for each document of _pair_docs (doc_id, cluster: its cluster of verified
-- pairs), the slots (1-based) whose value the signatures of at least ? clusters hold, among the
-- documents of _doc_ids with a signature under this key (?); a document in no pair is a cluster
-- of its own. Only the values the pairs' documents hold are counted.
WITH slot_values AS (
    SELECT doc_id, unnest(minhash) AS value, generate_subscripts(minhash, 1) AS slot
    FROM doc_signatures WHERE signature_key = ? AND doc_id IN (SELECT doc_id FROM _doc_ids)
), ends AS (
    SELECT doc_id, slot, value FROM slot_values WHERE doc_id IN (SELECT doc_id FROM _pair_docs)
), holders AS (
    SELECT v.slot, v.value, count(DISTINCT coalesce(p.cluster, v.doc_id)) AS clusters
    FROM slot_values v
    SEMI JOIN ends e ON e.slot = v.slot AND e.value = v.value
    LEFT JOIN _pair_docs p ON p.doc_id = v.doc_id
    GROUP BY v.slot, v.value
)
SELECT e.doc_id, list(e.slot ORDER BY e.slot) AS slots
FROM ends e JOIN holders h ON h.slot = e.slot AND h.value = e.value
WHERE h.clusters >= ?
GROUP BY e.doc_id
ORDER BY e.doc_id

-- name: document_texts
-- The bodies of the documents in _doc_ids (dedup's verification; the re-hash of migration 011).
SELECT doc_id, text FROM documents WHERE doc_id IN (SELECT doc_id FROM _doc_ids) ORDER BY doc_id

-- name: insert_pairs
INSERT INTO dup_pairs (doc_a, doc_b, jaccard, containment, reason, settings_hash, run_id)
SELECT doc_a, doc_b, jaccard, containment, reason, ?, ? FROM _new_pairs
ON CONFLICT DO NOTHING

-- name: insert_seen
INSERT INTO dedup_seen (doc_id, settings_hash, run_id)
SELECT doc_id, ?, ? FROM _doc_ids
ON CONFLICT DO NOTHING

-- name: live_pairs
SELECT doc_a, doc_b, jaccard, containment FROM dup_pairs
WHERE settings_hash = ?
  AND doc_a IN (SELECT doc_id FROM documents WHERE superseded_at IS NULL)
  AND doc_b IN (SELECT doc_id FROM documents WHERE superseded_at IS NULL)
ORDER BY doc_a, doc_b

-- name: apply_clusters
-- The changed assignments (_assign: doc_id and the cluster columns of winnow.storage.dedup.DUP_COLUMNS).
UPDATE documents
SET cluster_id = a.cluster_id, duplicate_of = a.duplicate_of, dup_similarity = a.dup_similarity,
    dup_method = a.dup_method, dup_containment = a.dup_containment, dup_matched = a.dup_matched,
    dup_rule = a.dup_rule, dedup_run_id = ?
FROM _assign a
WHERE documents.doc_id = a.doc_id

-- name: clear_superseded_clusters
UPDATE documents SET cluster_id = NULL, duplicate_of = NULL, dup_similarity = NULL, dup_method = NULL,
                     dup_containment = NULL, dup_matched = NULL, dup_rule = NULL
WHERE superseded_at IS NOT NULL AND cluster_id IS NOT NULL

-- name: stale_hashes
-- Documents whose content_hash and word_count were computed by an older winnow.vocab (migration 011).
SELECT doc_id FROM documents WHERE hash_version < ? ORDER BY doc_id

-- name: update_hashes
UPDATE documents
SET content_hash = r.content_hash, word_count = r.word_count, hash_version = ?
FROM _rehashed r
WHERE documents.doc_id = r.doc_id

-- name: document_visible
-- The visible texts of the documents in _doc_ids that have one (winnow.dedup.visible).
SELECT doc_id, text FROM doc_visible WHERE doc_id IN (SELECT doc_id FROM _doc_ids) ORDER BY doc_id

-- name: insert_visible_pairs
INSERT INTO visible_pairs (doc_a, doc_b, a_in_b, b_in_a, a_in_b_body, b_in_a_body, settings_hash, run_id)
SELECT doc_a, doc_b, a_in_b, b_in_a, a_in_b_body, b_in_a_body, ?, ? FROM _visible_pairs
ON CONFLICT DO NOTHING

-- name: live_visible_pairs
SELECT doc_a, doc_b, a_in_b, b_in_a, a_in_b_body, b_in_a_body FROM visible_pairs
WHERE settings_hash = ?
  AND doc_a IN (SELECT doc_id FROM documents WHERE superseded_at IS NULL)
  AND doc_b IN (SELECT doc_id FROM documents WHERE superseded_at IS NULL)
ORDER BY doc_a, doc_b

-- name: sampled_doc_ids
-- The documents of _doc_ids whose samples are stored under the key (?).
SELECT doc_id FROM visible_signatures WHERE signature_key = ? AND doc_id IN (SELECT doc_id FROM _doc_ids)

-- Candidate pairs by visible text (winnow.dedup.visible.sample_candidates; winnow.storage.dedup.
-- visible_candidates runs these in order): the sampled shingles of one document's body lie, to at least
-- a share, among the sampled shingles of the other's visible text, counting only the rare shingles:
-- those in the visible texts of at most COMMON_PAGES live pages (a shingle of a site's chrome, or of a
-- sentence every page quotes, is evidence of nothing, and joined every body holding it with every page
-- showing it: the join grew with the square of the warehouse and ran out of memory at 100,000
-- documents). A body with no rare sampled shingle is no candidate.

-- name: visible_doc_numbers
-- The live documents (_live_ids) numbered (k), and which of them are new (_doc_ids): the joins below
-- carry these integers, not the ids.
CREATE OR REPLACE TEMP TABLE _vis_docs AS
SELECT doc_id, (row_number() OVER (ORDER BY doc_id))::INTEGER AS k,
       doc_id IN (SELECT doc_id FROM _doc_ids) AS new
FROM _live_ids

-- name: visible_common_shingles
-- The sampled shingles (key ?) of the live pages that more than ? pages hold.
CREATE OR REPLACE TEMP TABLE _common_h AS
SELECT h FROM (
    SELECT unnest(minhash) AS h FROM visible_signatures
    WHERE signature_key = $1 AND doc_id IN (SELECT doc_id FROM _vis_docs)
) GROUP BY h HAVING count(*) > $2

-- name: visible_rare_pages
-- The rare sampled shingles of the live pages (key ?), by document number.
CREATE OR REPLACE TEMP TABLE _rare_page AS
SELECT d.k, s.h FROM (
    SELECT doc_id, unnest(minhash) AS h FROM visible_signatures WHERE signature_key = ?
) s JOIN _vis_docs d USING (doc_id) ANTI JOIN _common_h c ON c.h = s.h

-- name: visible_rare_bodies
-- The rare sampled shingles of the live bodies (key ?), by document number, each with n: how many
-- of its body's sampled shingles are rare.
CREATE OR REPLACE TEMP TABLE _rare_body AS
SELECT k, h, count(*) OVER (PARTITION BY k) AS n FROM (
    SELECT d.k, s.h FROM (
        SELECT doc_id, unnest(minhash) AS h FROM visible_signatures WHERE signature_key = ?
    ) s JOIN _vis_docs d USING (doc_id) ANTI JOIN _common_h c ON c.h = s.h
)

-- name: visible_candidates_of_bodies
-- Pairs (doc_a < doc_b) where the body of a document of _chunk lies, to the share ?, among the rare
-- sampled shingles of another live page.
WITH chunk AS (
    SELECT k FROM _vis_docs WHERE doc_id IN (SELECT doc_id FROM _chunk)
), hits AS (
    SELECT b.k AS body_k, p.k AS page_k FROM _rare_body b JOIN _rare_page p ON p.h = b.h
    WHERE b.k IN (SELECT k FROM chunk) AND b.k <> p.k
    GROUP BY b.k, p.k, b.n HAVING count(*) >= $1 * b.n
)
SELECT DISTINCT least(x.doc_id, y.doc_id) AS doc_a, greatest(x.doc_id, y.doc_id) AS doc_b
FROM hits JOIN _vis_docs x ON x.k = hits.body_k JOIN _vis_docs y ON y.k = hits.page_k

-- name: visible_candidates_of_pages
-- Pairs (doc_a < doc_b) where the body of a live document that is not new lies, to the share ?,
-- among the rare sampled shingles of the page of a document of _chunk.
WITH chunk AS (
    SELECT k FROM _vis_docs WHERE doc_id IN (SELECT doc_id FROM _chunk)
), hits AS (
    SELECT b.k AS body_k, p.k AS page_k FROM _rare_body b JOIN _rare_page p ON p.h = b.h
    WHERE p.k IN (SELECT k FROM chunk) AND b.k IN (SELECT k FROM _vis_docs WHERE NOT new)
    GROUP BY b.k, p.k, b.n HAVING count(*) >= $1 * b.n
)
SELECT DISTINCT least(x.doc_id, y.doc_id) AS doc_a, greatest(x.doc_id, y.doc_id) AS doc_b
FROM hits JOIN _vis_docs x ON x.k = hits.body_k JOIN _vis_docs y ON y.k = hits.page_k

-- name: drop_common_shingles
DROP TABLE IF EXISTS _common_h

-- name: drop_rare_pages
DROP TABLE IF EXISTS _rare_page

-- name: drop_rare_bodies
DROP TABLE IF EXISTS _rare_body

-- name: drop_doc_numbers
DROP TABLE IF EXISTS _vis_docs
