-- Views are recreated on every open (CREATE OR REPLACE), so they always match this file.

-- One row per (live document, current source file): where each document came from.
CREATE OR REPLACE VIEW provenance AS
SELECT s.doc_id,
       s.path          AS source_path,
       s.sha256,
       s.size,
       s.mtime,
       s.type          AS source_type,
       s.encoding,
       s.compressed,
       s.first_run_id  AS run_id,
       r.started_at    AS ingested_at,
       r.pipeline_version,
       r.config_hash,
       s.record_offset,                -- a page from a WARC file: where in the file (NULL otherwise)
       s.record_id,
       s.target_uri,
       s.warc_date
FROM source_files s
JOIN runs r ON r.run_id = s.first_run_id
WHERE s.status = 'current' AND s.outcome = 'document';

-- The clean, deduplicated corpus: one row per duplicate cluster (its representative),
-- with provenance. Documents appear once the dedup task has seen them.
CREATE OR REPLACE VIEW corpus AS
WITH sources AS (
    SELECT doc_id,
           list(source_path ORDER BY source_path) AS source_paths,
           min(ingested_at)                       AS first_ingested_at
    FROM provenance
    GROUP BY doc_id
),
sizes AS (
    SELECT cluster_id, count(*) AS cluster_size
    FROM documents
    WHERE superseded_at IS NULL AND cluster_id IS NOT NULL
    GROUP BY cluster_id
)
SELECT d.doc_id,
       d.title,
       d.text,
       d.language,
       d.language_prob,
       d.author,
       d.published,                                -- DATE
       d.published_text,                           -- the page's date string, when it was not a plain ISO date
       d.url,
       d.char_count,
       d.word_count,
       d.source_type,
       d.extractor,
       d.extractor_version,
       s.source_paths,
       d.sha256,
       d.content_hash,
       d.run_id,
       r.pipeline_version,
       r.config_hash,
       s.first_ingested_at                        AS ingested_at,
       d.cluster_id,
       z.cluster_size
FROM documents d
JOIN sources s USING (doc_id)
JOIN runs r ON r.run_id = d.run_id
LEFT JOIN sizes z ON z.cluster_id = d.cluster_id
WHERE d.superseded_at IS NULL
  AND d.cluster_id IS NOT NULL
  AND d.duplicate_of IS NULL;

-- Every live document that belongs to a cluster of two or more, with the document it was
-- folded into: which existing document a new one matched, how, and how similar they are.
CREATE OR REPLACE VIEW duplicates AS
SELECT d.doc_id,
       d.cluster_id,
       coalesce(d.duplicate_of, d.doc_id)         AS representative_doc_id,
       d.duplicate_of IS NULL                     AS is_representative,
       d.dup_similarity                           AS similarity,   -- Jaccard of word shingles
       d.dup_containment                          AS containment,  -- shared shingles / smaller text
       d.dup_method                               AS match,        -- representative | exact | near
       d.dup_matched                              AS matched_doc_id,
       d.dup_rule                                 AS rule,         -- how the representative was chosen
       p.source_paths,
       d.title,
       d.char_count,
       d.run_id
FROM documents d
JOIN (SELECT doc_id, list(source_path ORDER BY source_path) AS source_paths
      FROM provenance GROUP BY doc_id) p USING (doc_id)
WHERE d.superseded_at IS NULL
  AND d.cluster_id IN (
      SELECT cluster_id FROM documents
      WHERE superseded_at IS NULL AND cluster_id IS NOT NULL
      GROUP BY cluster_id HAVING count(*) > 1);
