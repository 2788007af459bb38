-- 006: a rejection made after cleaning keeps the cleaned text it was made on (not_article,
-- too_short, repetitive), so it can be inspected and reversed (README: "Rejected pages").
-- NULL for rejections made before cleaning (unreadable, binary, too large...) and for rows
-- written before this migration: nothing stored is changed.
ALTER TABLE rejected_files ADD COLUMN text VARCHAR;
