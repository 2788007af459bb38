"""LSH candidate pairs found by DuckDB on the stored signatures (``warehouse/queries/lsh.sql``).

The banding is ``winnow.dedup.lsh``'s (``lsh_params``: bands of rows of each MinHash signature;
a candidate pair shares one equal band), so the candidates are the pairs ``winnow.dedup.lsh.
candidates`` finds in memory (tests/test_lsh_candidates.py). There the flow held every compared
document's signature (512 B), its band hashes and their sorted copies: 3.4 kB per document at
its peak at 100,000 documents, in every run (README, Known limitations). Here the band hashes are
a temporary table of the connection, bounded by ``[warehouse] memory_limit_mb`` (DuckDB spills
beyond it), and Python holds one chunk of candidate pairs at a time.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import duckdb
import pyarrow as pa

from winnow.dedup.lsh import lsh_params
from winnow.settings import DedupSettings
from winnow.storage.db import registered
from winnow.storage.queries import named

CHUNK = 10_000  # new documents whose candidates one query finds (and Python holds)


def _ids(ids) -> pa.Table:
    return pa.table({"doc_id": pa.array(sorted(ids), pa.string())})


def candidate_chunks(con, s: DedupSettings, key: str, new: list[str], compared: list[str],
                     chunk: int = CHUNK) -> Iterator[list[tuple[str, str]]]:
    """The candidate pairs ``(a, b)``, ``a < b``, with at least one of ``new`` in them, among the
    documents ``compared`` (``new`` included) whose signatures are stored under ``key``; each
    pair once, ``chunk`` new documents' pairs at a time (sorted within a chunk)."""
    bands, rows = lsh_params(s.num_perm, s.lsh_threshold)
    with registered(con, _live_ids=_ids(compared), _doc_ids=_ids(new)):
        con.execute(named("lsh_doc_numbers"))
    try:
        con.execute(named("lsh_bands"), [bands, rows, key])
        numbers = [k for (k,) in con.execute(named("lsh_new_numbers")).fetchall()]
        for i in range(0, len(numbers), chunk):
            part = numbers[i : i + chunk]
            yield con.execute(named("lsh_candidates"), [part[0], part[-1] + 1]).fetchall()
    finally:
        # also when the caller failed between two chunks (DuckDB out of memory loading texts): its
        # transaction is then aborted and rolls these tables back; a drop refused there printed
        # "Exception ignored in: <generator ...>" tracebacks above the run's one-line error
        with contextlib.suppress(duckdb.TransactionException):
            con.execute(named("lsh_drop_bands"))
            con.execute(named("lsh_drop_doc_numbers"))
