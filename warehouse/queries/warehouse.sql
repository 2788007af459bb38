-- Opening the warehouse (winnow.storage.db): is it winnow's, which migrations ran, read-only limits.

-- name: foreign_objects
-- Tables and views of any program: a DuckDB file with some and no winnow schema is not ours.
SELECT (SELECT count(*) FROM duckdb_tables() WHERE NOT internal)
     + (SELECT count(*) FROM duckdb_views() WHERE NOT internal)

-- name: schema_migrations_exists
SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'

-- name: schema_migrations_table
-- Which migrations (warehouse/migrations/NNN_name.sql) a warehouse has had.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)

-- name: schema_version
SELECT coalesce(max(version), 0) FROM schema_migrations

-- name: applied_migrations
SELECT version FROM schema_migrations

-- name: record_migration
INSERT INTO schema_migrations (version, name) VALUES (?, ?)

-- name: no_progress_bar
-- Every connection winnow opens: DuckDB's progress bar goes to stdout, a file or a pipe too.
SET enable_progress_bar = false

-- name: set_memory_limit
-- `winnow sql`: the memory a query may use ('1024.0MB').
SET memory_limit = ?

-- name: disable_local_files
-- `winnow sql`: no file of the local file system, once the database itself is open.
SET disabled_filesystems = 'LocalFileSystem'

-- name: lock_configuration
-- `winnow sql`: a query cannot change the settings above.
SET lock_configuration = true
