"""Re-hashing stored documents when winnow's text vocabulary changes (migration 011).

``content_hash`` and ``word_count`` are computed from the body with ``winnow.vocab``; a
new version of its rules makes the stored values stale. The migration that introduces the
version copies the old values into ``content_hash_history`` (nothing is lost), then calls
``rehash_documents`` in the same transaction to recompute them from the stored bodies.
"""

from __future__ import annotations

import pyarrow as pa

from winnow.dedup.exact import HASH_VERSION, content_hash
from winnow.storage.db import registered
from winnow.storage.queries import named
from winnow.vocab import word_count

_BATCH = 5000  # documents read, hashed and written per step (bounded memory)


def rehashed_table(rows: list[tuple[str, str]]) -> pa.Table:
    """(doc_id, text) rows with their content_hash and word_count by today's rules."""
    return pa.table({
        "doc_id": pa.array([r[0] for r in rows], pa.string()),
        "content_hash": pa.array([content_hash(r[1]) for r in rows], pa.string()),
        "word_count": pa.array([word_count(r[1]) for r in rows], pa.int32()),
    })


def rehash_documents(con) -> int:
    """Recompute content_hash and word_count of every document stored with an older version."""
    ids = [r[0] for r in con.execute(named("stale_hashes"), [HASH_VERSION]).fetchall()]
    for i in range(0, len(ids), _BATCH):
        with registered(con, _doc_ids=pa.table({"doc_id": pa.array(ids[i : i + _BATCH], pa.string())})):
            rows = con.execute(named("document_texts")).fetchall()
        with registered(con, _rehashed=rehashed_table(rows)):
            con.execute(named("update_hashes"), [HASH_VERSION])
    return len(ids)
