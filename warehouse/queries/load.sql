-- Loading one batch (winnow.storage.load.load_batch), all in one transaction. The batch arrives
-- as registered Arrow tables: _batch_ids, _batch_docs, _batch_removed, _batch_sources,
-- _batch_rejected, _batch_lines, _signatures.

-- name: existing_docs
SELECT doc_id FROM documents WHERE doc_id IN (SELECT doc_id FROM _batch_ids)

-- name: insert_docs
-- `published` arrives as the date string found on the page: stored as a DATE, and the string
-- itself in published_text when it is not exactly an ISO date (migration 005 did the same).
INSERT INTO documents (doc_id, sha256, fingerprint, title, text, author, published, published_text, url,
                       language, language_prob, char_count, word_count, content_hash, source_type, extractor,
                       extractor_version, run_id, created_at)
SELECT doc_id, sha256, fingerprint, title, text, author, try_cast(published AS DATE),
       CASE WHEN try_cast(published AS DATE)::VARCHAR IS DISTINCT FROM published THEN published END, url,
       language, language_prob, char_count, word_count, content_hash, source_type, extractor,
       extractor_version, ?, ?
FROM _batch_docs

-- name: insert_removed
INSERT INTO removed_segments SELECT * FROM _batch_removed

-- name: upsert_sources
-- A file version seen again (e.g. a file that was changed, then changed back) becomes current again.
INSERT INTO source_files (path, sha256, fingerprint, size, mtime, type, encoding, compressed,
                          decode_errors, doc_id, outcome, status, first_run_id,
                          record_offset, record_id, target_uri, warc_date)
SELECT path, sha256, ?, size, mtime, type, encoding, compressed, decode_errors, doc_id, outcome,
       'current', ?, record_offset, record_id, target_uri, warc_date
FROM _batch_sources
ON CONFLICT (path, sha256, fingerprint) DO UPDATE
    SET status = 'current', superseded_run_id = NULL, doc_id = excluded.doc_id, outcome = excluded.outcome

-- name: supersede_sources
-- Older versions of the files of this batch (other content, or other cleaning settings).
UPDATE source_files SET status = 'superseded', superseded_run_id = ?
WHERE status = 'current'
  AND path IN (SELECT path FROM _batch_sources)
  AND (path, sha256, fingerprint) NOT IN (SELECT path, sha256, ? FROM _batch_sources)

-- name: supersede_docs
-- Documents none of whose files is current any more leave the corpus (they are kept).
UPDATE documents SET superseded_at = ?, superseded_by = r.new_doc_id
FROM (
    SELECT old.doc_id, min(b.doc_id) AS new_doc_id
    FROM source_files old
    LEFT JOIN _batch_sources b ON b.path = old.path
    WHERE old.superseded_run_id = ? AND old.doc_id IS NOT NULL
    GROUP BY old.doc_id
) r
WHERE documents.doc_id = r.doc_id
  AND documents.superseded_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM source_files s
                  WHERE s.doc_id = documents.doc_id AND s.status = 'current')

-- name: upsert_line_counts
-- Corpus evidence: lines of this batch's new text documents (_batch_lines: one row per line hash
-- of a document), counted for this run.
INSERT INTO line_counts (line_hash, run_id, documents)
SELECT line_hash, ?, count(*)::INTEGER FROM _batch_lines GROUP BY line_hash
ON CONFLICT (line_hash, run_id) DO UPDATE SET documents = line_counts.documents + excluded.documents

-- name: evidence_counts
-- The evidence a run cleans with: the line counts of every run up to the last one that
-- completed. Runs since then (interrupted or failed ones, which a resumption finishes) stay
-- out until a run completes, so however often, and wherever, a run is interrupted, its
-- resumptions clean with the very evidence the first attempt had, as an uninterrupted run would.
SELECT line_hash, sum(documents)::BIGINT AS documents
FROM line_counts
WHERE run_id IN (SELECT run_id FROM runs
                 WHERE started_at <= (SELECT max(started_at) FROM runs WHERE status = 'completed'))
GROUP BY line_hash
HAVING sum(documents) >= 2

-- name: evidence_total
-- The text documents of the same runs as evidence_counts.
SELECT count(*) FROM documents
WHERE source_type = 'text'
  AND run_id IN (SELECT run_id FROM runs
                 WHERE started_at <= (SELECT max(started_at) FROM runs WHERE status = 'completed'))

-- name: resolve_retried
-- `error` rejections (a failed batch or step) of the files this batch took in: resolved by this
-- run (?, at ?), kept as history. A file the batch rejects with `error` again stays unresolved.
-- `timeout` rejections of the file versions this batch processed again (a larger time limit):
-- resolved whatever the outcome, which is recorded now (a document, or a timeout at the new limit).
UPDATE rejected_files SET resolved_run_id = ?, resolved_at = ?
WHERE reason IN ('error', 'timeout') AND resolved_run_id IS NULL
  AND EXISTS (SELECT 1 FROM _batch_sources b
              WHERE b.path = rejected_files.path
                AND (rejected_files.sha256 IS NULL OR rejected_files.sha256 = b.sha256))
  AND (reason = 'timeout' OR path NOT IN (SELECT path FROM _batch_rejected WHERE reason = 'error'))

-- name: insert_rejected
-- A rejection is recorded once per file version: the same file (path, content when it could be
-- read, size) rejected for the same reason by an earlier run is not recorded again, unless
-- that rejection was resolved since (the file failed again).
INSERT INTO rejected_files (run_id, path, sha256, size, reason, detail, rejected_at, text, time_limit_seconds)
SELECT ?, path, sha256, size, reason, detail, ?, text, time_limit_seconds FROM _batch_rejected b
WHERE NOT EXISTS (SELECT 1 FROM rejected_files r
                  WHERE r.path = b.path AND r.reason = b.reason AND r.detail IS NOT DISTINCT FROM b.detail
                    AND r.sha256 IS NOT DISTINCT FROM b.sha256 AND r.size IS NOT DISTINCT FROM b.size
                    AND r.resolved_run_id IS NULL)

-- name: insert_signatures
-- MinHash signatures (computed on the workers with the batch, or by dedup for older documents),
-- stored under their signature key (?).
INSERT INTO doc_signatures (doc_id, signature_key, minhash)
SELECT doc_id, ?, minhash FROM _signatures
ON CONFLICT DO NOTHING

-- name: insert_visible
-- Visible texts of new documents (winnow.dedup.visible), for the dedup of later runs.
INSERT INTO doc_visible (doc_id, text)
SELECT doc_id, text FROM _visible
ON CONFLICT DO NOTHING

-- name: insert_visible_signatures
-- MinHash signatures of the visible texts, under their signature key (?).
INSERT INTO visible_signatures (doc_id, signature_key, minhash)
SELECT doc_id, ?, minhash FROM _signatures
ON CONFLICT DO NOTHING
