"""winnow's SQL lives in warehouse/: every named query exists, binds on a migrated warehouse and is used,
no Python module holds SQL of its own, and an installed package carries every SQL file."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT
from winnow.storage import db as wdb
from winnow.storage.queries import all_queries, named, parse

PACKAGE = ROOT / "flows" / "winnow"


def _python_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _string_constants(tree: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _names_called(tree: ast.AST) -> set[str]:
    """Query names passed as literals to named("x") and queries.rows(con, "x")."""
    out = set()
    for n in ast.walk(tree):
        if not isinstance(n, ast.Call):
            continue
        if isinstance(n.func, ast.Name) and n.func.id == "named":
            arg = n.args[0] if n.args else None
        elif isinstance(n.func, ast.Attribute) and n.func.attr == "rows" and \
                isinstance(n.func.value, ast.Name) and n.func.value.id == "queries":
            arg = n.args[1] if len(n.args) > 1 else None
        else:
            continue
        if isinstance(arg, ast.Constant):
            out.add(arg.value)
    return out


def _temp_tables() -> dict:
    """The Arrow tables winnow registers for its queries, empty, built by the code that builds them."""
    from winnow.storage import dedup, rehash, tables

    return {
        "_batch_ids": dedup._ids_table([]), "_doc_ids": dedup._ids_table([]), "_live_ids": dedup._ids_table([]),
        "_batch_docs": tables.docs_table([]), "_batch_removed": tables.removed_table([]),
        "_batch_sources": tables.sources_table([], []), "_batch_rejected": tables.rejected_table([]),
        "_batch_lines": tables.lines_table([]), "_signatures": tables.samples_table([], []),
        "_new_pairs": dedup._pairs_table([]), "_assign": dedup._assign_table([]),
        "_rehashed": rehash.rehashed_table([]), "_visible": tables.visible_table([]),
        "_visible_pairs": dedup._visible_pairs_table([]),
        "_pair_docs": dedup._pair_docs_table({}), "_chunk": dedup._ids_table([]),
    }


def test_every_name_the_code_asks_for_is_a_query():
    called = set()
    for f in _python_files():
        called |= _names_called(ast.parse(f.read_text(encoding="utf-8")))
    assert called, "no named() calls found: the scan is broken"
    assert called - set(all_queries()) == set()


def test_every_query_is_used_by_the_code():
    constants = set()
    for f in _python_files():
        constants |= _string_constants(ast.parse(f.read_text(encoding="utf-8")))
    assert set(all_queries()) - constants == set()


def test_every_query_is_one_statement_that_binds_on_a_migrated_warehouse(tmp_path):
    """EXPLAIN binds each query (tables, columns, functions, types) without running it."""
    with wdb.open_write(tmp_path / "w.duckdb", 10) as con:
        with wdb.registered(con, **_temp_tables()):
            for name in ("visible_doc_numbers", "visible_common_shingles", "visible_rare_pages",
                         "visible_rare_bodies", "lsh_doc_numbers", "lsh_bands"):  # the tables other queries read
                con.execute(named(name), [None] * len(con.extract_statements(named(name))[0].named_parameters))
            for name, sql in all_queries().items():
                statements = con.extract_statements(sql)
                assert len(statements) == 1, f"{name}: {len(statements)} statements"
                st = statements[0]
                # NULL for every parameter; COPY needs a file name (EXPLAIN writes nothing)
                params = [str(tmp_path / "x")] if st.type.name == "COPY" else [None] * len(st.named_parameters)
                try:
                    con.execute("EXPLAIN " + sql, params)
                except Exception as e:  # noqa: BLE001 - the message names the query
                    pytest.fail(f"query {name} does not bind: {type(e).__name__}: {str(e).splitlines()[0]}")


def test_a_missing_name_and_a_name_used_twice_are_errors():
    with pytest.raises(LookupError, match="no query named 'nope'"):
        named("nope")
    with pytest.raises(ValueError, match="used twice"):
        parse("-- name: a\nSELECT 1\n-- name: a\nSELECT 2\n")
    assert parse("-- about the file\n\n-- name: a\n-- what a does\nSELECT 1;\n\n-- name: b\nSELECT 2\n") == {
        "a": "-- what a does\nSELECT 1;", "b": "SELECT 2"}


_SQL_IN_A_STRING = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|COPY|DESCRIBE|ALTER|DROP|SET|WITH)\s",
                              re.IGNORECASE)


def test_no_python_module_holds_sql():
    """Statements are in warehouse/; Python passes names, values and registered tables.

    Docstrings and the examples in them do not count (they are not executed)."""
    found = []
    for f in _python_files():
        tree = ast.parse(f.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                      and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for n in ast.walk(tree):
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings \
                    and _SQL_IN_A_STRING.match(n.value) and len(n.value.split()) > 2:
                found.append(f"{f.relative_to(ROOT)}:{n.lineno}: {n.value.strip().splitlines()[0][:60]}")
    assert found == []


def test_the_installed_package_carries_every_sql_file():
    """The wheel maps warehouse/<x> to winnow/sql/<x> (db.sql_dir finds it there): every SQL file or
    folder of warehouse/ must be listed, or an installed winnow fails on the first query from it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    wanted = {p.relative_to(ROOT).as_posix() for p in (ROOT / "warehouse").iterdir()
              if p.suffix == ".sql" or (p.is_dir() and any(p.glob("*.sql")))}
    assert {"warehouse/migrations", "warehouse/queries", "warehouse/card"} <= wanted
    assert {k: v for k, v in included.items() if k in wanted} == {
        w: "winnow/sql/" + w.removeprefix("warehouse/") for w in wanted}
