"""winnow's own SQL, by name: the statements in ``warehouse/queries/*.sql``.

Each file groups the queries of one area (runs, loading, dedup, export, ...). A query starts
at a header line ``-- name: <name>`` and runs to the next header; the comments right after
the header say what it does. One statement per name, with ``?`` parameters for values and
registered Arrow tables (``_batch_docs``, ...) for lists, so no SQL is ever assembled from
strings. Comments above the first header describe the file.

``named("start_run")`` returns the text; the files are read once per process. A name that
does not exist raises ``QueryNotFound``; tests/test_queries.py checks that every name the code
asks for exists, that every query is used and that each binds on a migrated warehouse.
"""

from __future__ import annotations

import functools
import re

_HEADER = re.compile(r"^--\s*name:\s*([a-z][a-z0-9_]*)\s*$", re.MULTILINE)


class QueryNotFound(LookupError):
    """No query of that name in warehouse/queries/."""


def parse(text: str, source: str = "<sql>") -> dict[str, str]:
    """The named queries of one file: name -> statement text (comments after the header kept)."""
    parts = _HEADER.split(text)
    out: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2]):
        if name in out:
            raise ValueError(f"{source}: the query name {name!r} is used twice")
        out[name] = body.strip()
    return out


@functools.lru_cache(maxsize=1)
def all_queries() -> dict[str, str]:
    """Every named query of every file in warehouse/queries/ (read once per process)."""
    from winnow.storage.db import sql_dir

    out: dict[str, str] = {}
    for f in sorted((sql_dir() / "queries").glob("*.sql")):
        for name, sql in parse(f.read_text(encoding="utf-8"), f.name).items():
            if name in out:
                raise ValueError(f"{f.name}: the query name {name!r} is used in another file too")
            out[name] = sql
    return out


def named(name: str) -> str:
    """The SQL of the query ``name``."""
    try:
        return all_queries()[name]
    except KeyError:
        raise QueryNotFound(f"no query named {name!r} in warehouse/queries/") from None


def dicts(cursor) -> list[dict]:
    """The rows of an executed query as dicts keyed by column name."""
    cols = [d[0] for d in cursor.description]
    return [dict(zip(cols, r)) for r in cursor.fetchall()]


def rows(con, name: str, params: list | None = None) -> list[dict]:
    """Run the query ``name``; its rows as dicts."""
    return dicts(con.execute(named(name), params or []))
