-- `winnow report`: temporary helpers on the report's read-only connection (nothing is written).
-- Every other file in this folder is one query of the report (winnow/report/queries.py runs them).

-- A document's site: the host of its URL when the page named one (without "www."),
-- else the folder of its first source file.
CREATE OR REPLACE TEMP MACRO report_site(url, path) AS coalesce(
    nullif(regexp_replace(lower(regexp_extract(coalesce(url, ''),
           '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/@]*@)?([^/:?#]+)', 1)), '^www\.', ''), ''),
    regexp_replace(path, '/[^/]*$', ''));

-- The corpus (one row per duplicate cluster) with what cleaning removed from each document.
CREATE OR REPLACE TEMP VIEW report_documents AS
WITH removed AS (
    SELECT doc_id, sum(lines)::BIGINT AS removed_lines, sum(words) AS removed_words
    FROM report_segment_words            -- registered by queries.py: words counted by winnow.vocab
    GROUP BY doc_id
)
SELECT c.doc_id,
       c.title,
       c.language,
       c.source_type,
       c.url,
       c.source_paths[1]                                  AS path,
       report_site(c.url, c.source_paths[1])              AS site,
       c.word_count                                       AS kept_words,
       coalesce(r.removed_words, 0)                       AS removed_words,
       coalesce(r.removed_lines, 0)                       AS removed_lines,
       coalesce(r.removed_words, 0)
           / greatest(c.word_count + coalesce(r.removed_words, 0), 1) AS boilerplate_share
FROM corpus c
LEFT JOIN removed r USING (doc_id);
