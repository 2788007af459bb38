-- Per site: documents, kept and removed words, and the boilerplate share of its words.
SELECT site,
       count(*)                                                   AS documents,
       sum(kept_words)                                            AS kept_words,
       sum(removed_words)                                         AS removed_words,
       round(sum(removed_words) / greatest(sum(kept_words) + sum(removed_words), 1), 4) AS boilerplate_share,
       round(median(boilerplate_share), 4)                        AS median_document_share
FROM report_documents
GROUP BY site
ORDER BY documents DESC, site;
