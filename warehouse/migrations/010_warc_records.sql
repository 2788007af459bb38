-- 010: pages read from WARC files. A WARC file is one source_files row of its own (outcome
-- 'container', type 'warc', sha256 of the whole file: an unchanged WARC is skipped on the next
-- run), and each HTML response record it holds is a row with the WARC's path, the sha256 and
-- size of the record's payload, and where it came from. Existing rows are plain files: NULL.

ALTER TABLE source_files ADD COLUMN record_offset BIGINT;   -- byte offset of the record in the WARC file
ALTER TABLE source_files ADD COLUMN record_id VARCHAR;      -- WARC-Record-ID
ALTER TABLE source_files ADD COLUMN target_uri VARCHAR;     -- WARC-Target-URI: the page's address
ALTER TABLE source_files ADD COLUMN warc_date VARCHAR;      -- WARC-Date: when it was crawled (ISO 8601, as recorded)
