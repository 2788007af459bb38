-- LSH candidate pairs in the warehouse (winnow.storage.lsh_candidates): the banding of
-- winnow.dedup.lsh (each MinHash signature cut into bands of rows; two documents are a candidate
-- pair when one band is equal in both) run by DuckDB on the stored signatures, under the
-- connection's memory limit (spilling to disk beyond it), so that the flow holds no signature and
-- no band of the warehouse's documents, only a chunk of candidate pairs at a time.

-- name: unsigned_documents
-- The documents of _doc_ids without a signature under the key (?): signed by the flow before the
-- candidates are sought.
SELECT doc_id FROM _doc_ids ANTI JOIN (SELECT doc_id FROM doc_signatures WHERE signature_key = ?) USING (doc_id)
ORDER BY doc_id

-- name: lsh_doc_numbers
-- The documents compared (_live_ids: one per exact group) numbered (k), and which of them are new
-- (_doc_ids: not yet compared under these settings): the joins below carry these integers.
CREATE OR REPLACE TEMP TABLE _lsh_docs AS
SELECT doc_id, (row_number() OVER (ORDER BY doc_id))::INTEGER AS k,
       doc_id IN (SELECT doc_id FROM _doc_ids) AS new
FROM _live_ids

-- name: lsh_bands
-- One hash per band ($1 bands of $2 values) of the signature (key $3) of each numbered document.
-- An empty signature (every slot 4294967295, winnow.dedup.minhash.EMPTY: no shingles) is never paired.
-- Equal bands have equal hashes; two unequal bands that collide in 64 bits only add a candidate,
-- which verification then rejects.
CREATE OR REPLACE TEMP TABLE _lsh_bands AS
SELECT d.k, d.new, b.range::SMALLINT AS band, hash(s.minhash[b.range * $2 + 1 : (b.range + 1) * $2]) AS h
FROM doc_signatures s JOIN _lsh_docs d USING (doc_id) CROSS JOIN range($1) b
WHERE s.signature_key = $3 AND list_min(s.minhash) < 4294967295

-- name: lsh_new_numbers
SELECT k FROM _lsh_docs WHERE new ORDER BY k

-- name: lsh_candidates
-- The candidate pairs (doc_a < doc_b) of the new documents numbered $1 <= k < $2: each shares a
-- band with another compared document. A pair of two new documents is returned once, with the
-- smaller number's chunk.
SELECT DISTINCT least(x.doc_id, y.doc_id) AS doc_a, greatest(x.doc_id, y.doc_id) AS doc_b
FROM _lsh_bands n
JOIN _lsh_bands o ON o.band = n.band AND o.h = n.h AND o.k <> n.k AND (NOT o.new OR o.k > n.k)
JOIN _lsh_docs x ON x.k = n.k
JOIN _lsh_docs y ON y.k = o.k
WHERE n.new AND n.k >= $1 AND n.k < $2
ORDER BY doc_a, doc_b

-- name: lsh_drop_bands
DROP TABLE IF EXISTS _lsh_bands

-- name: lsh_drop_doc_numbers
DROP TABLE IF EXISTS _lsh_docs
