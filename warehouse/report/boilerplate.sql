-- The boilerplate share of each document (removed words / all words), counted in bins of 5%
-- per site and source type, for the histograms (binned here, so the page stays small at any size).
SELECT site,
       coalesce(source_type, '?')                              AS source_type,
       least(floor(boilerplate_share * 20), 19) * 5            AS percent_from,
       count(*)                                                AS documents
FROM report_documents
GROUP BY ALL
ORDER BY site, source_type, percent_from;
