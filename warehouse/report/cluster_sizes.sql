-- How many duplicate clusters there are of each size (live documents per cluster).
WITH clusters AS (
    SELECT cluster_id, count(*) AS size FROM duplicates GROUP BY cluster_id
)
SELECT size, count(*) AS clusters, sum(size) AS documents
FROM clusters
GROUP BY size
ORDER BY size;
