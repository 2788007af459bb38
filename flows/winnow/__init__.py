"""winnow: raw news and web files in, a clean deduplicated DuckDB corpus out.

The package reads in the order data moves through it:

    discover -> read -> clean -> language -> dedup -> load -> export

Every stage is a plain module importable without Prefect; ``winnow.flow`` is the
thin Prefect orchestration on top and ``winnow.cli`` the command line.
"""

__version__ = "0.1.0"
