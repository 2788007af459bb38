"""The DuckDB warehouse: opening (locks, migrations), loading, dedup, queries, export."""
