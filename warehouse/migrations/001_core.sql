-- 001: the core tables. Names are part of winnow's interface: users' SQL depends on them.

-- One row per `winnow ingest` (or scheduled) run.
CREATE TABLE runs (
    run_id              VARCHAR PRIMARY KEY,
    started_at          TIMESTAMPTZ NOT NULL,
    finished_at         TIMESTAMPTZ,
    status              VARCHAR NOT NULL,      -- running | completed | failed (a run that died stays 'running')
    pipeline_version    VARCHAR NOT NULL,      -- winnow's version
    config_hash         VARCHAR NOT NULL,      -- hash of the settings that shape the corpus
    fingerprint         VARCHAR NOT NULL,      -- version + cleaning/language settings
    inputs              VARCHAR[],
    prefect_flow_run_id VARCHAR,
    summary             JSON
);

-- Every input file version winnow has seen: one row per (path, content, fingerprint).
-- A file that changes gets a new row; its old row becomes 'superseded'.
CREATE TABLE source_files (
    path              VARCHAR NOT NULL,
    sha256            VARCHAR NOT NULL,        -- of the raw bytes on disk
    fingerprint       VARCHAR NOT NULL,
    size              BIGINT,
    mtime             TIMESTAMPTZ,
    type              VARCHAR,                 -- html | text
    encoding          VARCHAR,
    compressed        BOOLEAN,
    decode_errors     INTEGER,                 -- invalid bytes replaced while decoding
    doc_id            VARCHAR,                 -- NULL when the file was rejected
    outcome           VARCHAR NOT NULL,        -- document | rejected
    status            VARCHAR NOT NULL,        -- current | superseded
    first_run_id      VARCHAR NOT NULL,
    superseded_run_id VARCHAR,
    UNIQUE (path, sha256, fingerprint)
);

-- The cleaned documents. `text` is the body without the title.
CREATE TABLE documents (
    doc_id            VARCHAR PRIMARY KEY,     -- sha256(raw sha256 : fingerprint), deterministic
    sha256            VARCHAR NOT NULL,
    fingerprint       VARCHAR NOT NULL,
    title             VARCHAR,
    text              VARCHAR NOT NULL,
    author            VARCHAR,
    published         VARCHAR,                 -- date as found on the page (ISO when known)
    url               VARCHAR,
    language          VARCHAR NOT NULL,        -- ISO 639-1, or 'und'
    language_prob     DOUBLE,
    char_count        INTEGER NOT NULL,
    word_count        INTEGER NOT NULL,
    content_hash      VARCHAR NOT NULL,        -- of the normalised text: equal = exact duplicates
    source_type       VARCHAR,
    extractor         VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    run_id            VARCHAR NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    -- set when every source file of this document changed or was re-cleaned:
    -- the document is kept (nothing is deleted) but leaves `corpus`
    superseded_at     TIMESTAMPTZ,
    superseded_by     VARCHAR,                 -- the document that replaced it, when there is one
    -- set by the dedup task (NULL until dedup has seen the document)
    cluster_id        VARCHAR,
    duplicate_of      VARCHAR,                 -- the cluster's representative, NULL for the representative
    dup_similarity    DOUBLE,
    dup_method        VARCHAR,                 -- exact | near
    dedup_run_id      VARCHAR
);

-- What cleaning took out of each document, and why.
CREATE TABLE removed_segments (
    doc_id   VARCHAR NOT NULL,
    seq      INTEGER NOT NULL,
    line_no  INTEGER,
    reason   VARCHAR NOT NULL,
    score    DOUBLE,
    text     VARCHAR NOT NULL
);

-- Every file that did not become a document, per run, with the reason.
CREATE TABLE rejected_files (
    run_id      VARCHAR NOT NULL,
    path        VARCHAR NOT NULL,
    sha256      VARCHAR,                       -- when the bytes could be read
    size        BIGINT,
    reason      VARCHAR NOT NULL,
    detail      VARCHAR,
    rejected_at TIMESTAMPTZ NOT NULL
);
