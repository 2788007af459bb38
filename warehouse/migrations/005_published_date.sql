-- 005: documents.published becomes a DATE (it was the date string found on the page).
-- Nothing is lost: the original string moves to published_text wherever it is not exactly an
-- ISO date (it did not parse, or it said more than the day, e.g. a time of day).
ALTER TABLE documents ADD COLUMN published_text VARCHAR;

UPDATE documents SET published_text = published
WHERE published IS NOT NULL
  AND try_cast(published AS DATE)::VARCHAR IS DISTINCT FROM published;

ALTER TABLE documents ALTER published TYPE DATE USING try_cast(published AS DATE);
