"""Dedup in the warehouse: assign every live document to a cluster; one representative each.

Clusters are recomputed from facts that do not depend on arrival order (equal
content hashes; verified near-duplicate pairs), so an incremental run gives the
same clusters as a from-scratch run. Only rows whose assignment changed are written.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from winnow.settings import Settings

# "created" is the modification time of the document's oldest current source file: a fact
# about the input, not about when a run got to it, so a resumed or incremental run picks the
# same representatives as a from-scratch run.
ACTIVE_DOCS = """
SELECT d.doc_id, d.content_hash, d.char_count,
       coalesce((SELECT min(epoch(s.mtime)) FROM source_files s
                 WHERE s.doc_id = d.doc_id AND s.status = 'current'), 0) AS created,
       d.cluster_id, d.duplicate_of, d.dup_similarity, d.dup_method
FROM documents d WHERE d.superseded_at IS NULL
ORDER BY d.doc_id
"""

APPLY = """
UPDATE documents
SET cluster_id = a.cluster_id, duplicate_of = a.duplicate_of, dup_similarity = a.similarity,
    dup_method = a.method, dedup_run_id = ?
FROM _assign a
WHERE documents.doc_id = a.doc_id
"""

CLEAR_SUPERSEDED = """
UPDATE documents SET cluster_id = NULL, duplicate_of = NULL, dup_similarity = NULL, dup_method = NULL
WHERE superseded_at IS NOT NULL AND cluster_id IS NOT NULL
"""


@dataclass
class DedupStats:
    documents: int = 0
    clusters: int = 0  # clusters of two or more
    folded: int = 0  # documents that are not their cluster's representative
    exact_folded: int = 0
    near_folded: int = 0
    changed: int = 0


def representative_key(rule: str):
    def longest(m):
        return (-m["char_count"], m["created"], m["doc_id"])

    def earliest(m):
        return (m["created"], -m["char_count"], m["doc_id"])

    return {"longest": longest, "earliest": earliest}[rule]


def run_dedup(con, run_id: str, settings: Settings) -> DedupStats:
    cols = ["doc_id", "content_hash", "char_count", "created", "cluster_id", "duplicate_of", "dup_similarity", "dup_method"]
    docs = [dict(zip(cols, r)) for r in con.execute(ACTIVE_DOCS).fetchall()]
    groups: dict[str, list[dict]] = {}
    for d in docs:
        groups.setdefault(d["content_hash"], []).append(d)
    key = representative_key(settings.dedup.representative)
    stats = DedupStats(documents=len(docs))
    changes = []
    for members in groups.values():
        rep = min(members, key=key)
        cluster_id = min(m["doc_id"] for m in members)
        if len(members) > 1:
            stats.clusters += 1
        for m in members:
            dup_of = None if m is rep else rep["doc_id"]
            sim = 1.0 if len(members) > 1 else None
            method = "exact" if len(members) > 1 else None
            if dup_of:
                stats.folded += 1
                stats.exact_folded += 1
            new = (cluster_id, dup_of, sim, method)
            if new != (m["cluster_id"], m["duplicate_of"], m["dup_similarity"], m["dup_method"]):
                changes.append((m["doc_id"], *new))
    stats.changed = len(changes)
    con.execute("BEGIN TRANSACTION")
    try:
        if changes:
            c = list(zip(*changes))
            con.register(
                "_assign",
                pa.table(
                    [pa.array(c[0], pa.string()), pa.array(c[1], pa.string()), pa.array(c[2], pa.string()),
                     pa.array(c[3], pa.float64()), pa.array(c[4], pa.string())],
                    names=["doc_id", "cluster_id", "duplicate_of", "similarity", "method"],
                ),
            )
            con.execute(APPLY, [run_id])
            con.unregister("_assign")
        con.execute(CLEAR_SUPERSEDED)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return stats
