-- The largest duplicate clusters with their members: the representative first, then how each
-- copy matched (exact / near), its Jaccard similarity and containment, and its first file.
-- $1: how many clusters.
WITH sizes AS (
    SELECT cluster_id, count(*) AS size,
           arg_max(doc_id, is_representative) AS representative
    FROM duplicates
    GROUP BY cluster_id
),
top AS (
    SELECT cluster_id, size, representative
    FROM sizes
    ORDER BY size DESC, representative
    LIMIT $1
)
SELECT t.cluster_id, t.size, t.representative, d.doc_id, d.is_representative, d.match,
       round(d.similarity, 3) AS similarity, round(d.containment, 3) AS containment,
       d.title, d.source_paths[1] AS path
FROM top t
JOIN duplicates d USING (cluster_id)
ORDER BY t.size DESC, t.representative, d.is_representative DESC, d.similarity DESC NULLS LAST, d.doc_id;
