"""LSH candidates found by DuckDB on the stored signatures are the pairs the in-memory index finds."""

from __future__ import annotations

import dataclasses
import os

import numpy as np
from hypothesis import given, settings as hsettings, strategies as st

from winnow.dedup.lsh import candidates
from winnow.dedup.minhash import EMPTY, SIGNATURE_DTYPE
from winnow.settings import load_settings
from winnow.storage.db import open_write, registered
from winnow.storage.tables import samples_table
from winnow.storage.lsh_candidates import candidate_chunks
from winnow.storage.queries import named

S = load_settings(None).dedup
KEY = "test-key"


def _signatures(rng: np.random.Generator, n: int, families: int) -> np.ndarray:
    """``n`` signatures made of ``families`` bases, each slot kept from its base with a random
    probability (pairs share bands at every similarity), a few of them empty."""
    base = rng.integers(0, 2**32 - 1, size=(families, S.num_perm), dtype=np.uint64).astype(SIGNATURE_DTYPE)
    own = rng.integers(0, 2**32 - 1, size=(n, S.num_perm), dtype=np.uint64).astype(SIGNATURE_DTYPE)
    keep = rng.random((n, 1)) ** 0.5  # share of the slots taken from the base
    sigs = np.where(rng.random((n, S.num_perm)) < keep, base[rng.integers(0, families, n)], own)
    sigs[rng.random(n) < 0.05] = EMPTY
    return sigs


def _stored(con, ids: list[str], sigs: np.ndarray) -> None:
    with registered(con, _signatures=samples_table(ids, list(sigs))):
        con.execute(named("insert_signatures"), [KEY])


def _in_warehouse(con, new, compared, chunk) -> list[tuple[str, str]]:
    out = [p for part in candidate_chunks(con, S, KEY, new, compared, chunk=chunk) for p in part]
    assert len(out) == len(set(out)), "a pair returned twice"
    return out


@hsettings(max_examples=12, deadline=None, derandomize=bool(os.environ.get("CI")))
@given(seed=st.integers(0, 2**31), n=st.integers(2, 160), share_new=st.floats(0.0, 1.0),
       chunk=st.sampled_from([1, 7, 10_000]), rows=st.sampled_from([None, 1, 5]))
def test_candidates_in_the_warehouse_equal_the_in_memory_index(tmp_path_factory, seed, n, share_new, chunk, rows):
    rng = np.random.default_rng(seed)
    s = S if rows is None else dataclasses.replace(S, lsh_threshold={1: 0.05, 5: 0.8}[rows])
    sigs = _signatures(rng, n, families=max(1, n // 8))
    ids = [f"d{i:04d}" for i in rng.permutation(n)]
    is_new = rng.random(n) < share_new
    new = [d for d, x in zip(ids, is_new) if x]
    old = [(d, sig) for d, sig, x in zip(ids, sigs, is_new) if not x]
    signed_elsewhere = "zz-not-compared"  # stored, but not among the documents compared: never a candidate
    with open_write(tmp_path_factory.mktemp("w") / "w.duckdb", 10) as con:
        _stored(con, ids + [signed_elsewhere], np.vstack([sigs, sigs[:1]]))
        got = [p for part in candidate_chunks(con, s, KEY, new, ids, chunk=chunk) for p in part]
        leftovers = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_lsh%'").fetchone()[0]
    want = candidates([(d, sig) for d, sig, x in zip(ids, sigs, is_new) if x], old, s)
    assert len(got) == len(set(got)), "a pair returned twice"
    assert sorted(got) == sorted(tuple(sorted(p)) for p in want)
    assert leftovers == 0


def test_documents_without_a_signature_are_no_candidates_and_every_chunk_is_sorted(tmp_path):
    rng = np.random.default_rng(3)
    sigs = _signatures(rng, 60, families=2)
    ids = [f"d{i:02d}" for i in range(60)]
    with open_write(tmp_path / "w.duckdb", 10) as con:
        _stored(con, ids[:50], sigs[:50])
        parts = list(candidate_chunks(con, S, KEY, ids[::2], ids, chunk=5))
    assert all(part == sorted(part) for part in parts)
    got = {p for part in parts for p in part}
    want = {tuple(sorted(p)) for p in candidates([(d, s) for d, s in zip(ids[:50:2], sigs[:50:2])],
                                                 [(d, s) for d, s in zip(ids[1:50:2], sigs[1:50:2])], S)}
    assert got == want and want


def test_a_callers_failure_between_chunks_is_the_error_the_caller_sees(tmp_path):
    """The dedup loads the texts of each chunk's pairs between two chunks; when that fails inside its
    transaction (DuckDB out of memory at a small [warehouse] memory_limit_mb), the transaction is
    aborted and the generator's clean-up (dropping its temporary tables) was refused: closing it raised
    "Current transaction is aborted" (at garbage collection, "Exception ignored in: <generator ...>"
    tracebacks printed above the run's one-line error). The tables go with the rolled-back transaction."""
    import duckdb
    import pytest

    from winnow.storage.db import transaction

    rng = np.random.default_rng(7)
    ids = [f"d{i:04d}" for i in range(40)]
    with open_write(tmp_path / "w.duckdb", 10) as con:
        _stored(con, ids, _signatures(rng, len(ids), families=4))
        with pytest.raises(duckdb.ConversionException):
            with transaction(con):
                chunks = candidate_chunks(con, S, KEY, ids[:20], ids, chunk=5)
                assert next(chunks), "no candidate pair in the first chunk"
                try:
                    con.execute("SELECT 'a'::INTEGER").fetchall()  # the caller's statement fails
                finally:
                    chunks.close()  # raised TransactionException over the caller's error on the old code
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_lsh%'").fetchone() == (0,)
