"""Clusters of duplicates: union-find over verified pairs and exact-duplicate groups.

Every document given in ``doc_meta`` gets one ``Assignment``; a document with no
duplicate is a cluster of one, its own representative.

Representative rule (``DedupSettings.representative``):

- ``"longest"``: longest body (``length``), then earliest ``ingested_at``, then
  smallest ``doc_id``;
- ``"earliest"``: earliest ``ingested_at``, then longest body, then smallest ``doc_id``.

``cluster_id`` is the smallest ``doc_id`` among the members (as for exact
duplicates in the warehouse): deterministic whatever the order documents and pairs
are given in, and unchanged when a later, longer copy becomes the representative;
it changes only when a member with a smaller id joins. Recompute clusters from all
stored pairs each run (cheap), so an incremental run equals a from-scratch one.

For every member, ``method`` says how it joined: ``"representative"`` (it is the
representative), ``"exact"`` (same normalised text as the representative, from
the exact-duplicate groups) or ``"near"``. ``similarity``/``containment`` are the
verified Jaccard/containment of the member's best pair with the representative
(exact copies of either side count as the same text); when the member is linked
to the representative only through other members (A~B~C), they are those of its
best verified pair in the cluster, and ``matched_doc_id`` names the document of
that pair. Exact members and the representative have similarity 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable, Iterable, Mapping, NamedTuple, Optional, Sequence

DocId = Hashable
RULES = ("longest", "earliest")


class DocMeta(NamedTuple):
    length: int  # body length (characters)
    ingested_at: Any  # anything comparable: datetime, POSIX seconds, ISO-8601 string


@dataclass(frozen=True)
class Assignment:
    doc_id: DocId
    cluster_id: DocId  # smallest doc_id of the cluster
    representative_doc_id: DocId
    method: str  # "representative" | "exact" | "near"
    similarity: float  # Jaccard with matched_doc_id (1.0 for "representative" and "exact")
    containment: float
    matched_doc_id: Optional[DocId]  # the document this one was matched to (None for the representative)
    cluster_size: int

    @property
    def is_representative(self) -> bool:
        return self.doc_id == self.representative_doc_id


def representative_key(rule: str):
    """Sort key over (doc_id, DocMeta): the smallest key is the representative."""
    if rule == "longest":
        return lambda d, m: (-m.length, m.ingested_at, d)
    if rule == "earliest":
        return lambda d, m: (m.ingested_at, -m.length, d)
    raise ValueError(f"representative rule must be one of {RULES}, not {rule!r}")


class _UnionFind:
    def __init__(self, items: Iterable[DocId]):
        self.parent = {x: x for x in items}

    def find(self, x: DocId) -> DocId:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: DocId, b: DocId) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _pair_fields(p: Any) -> tuple[DocId, DocId, float, float]:
    """A verified pair as (a, b, jaccard, containment): a ``Pair`` or a tuple."""
    if hasattr(p, "jaccard"):
        return p.a, p.b, float(p.jaccard), float(p.containment)
    a, b, *rest = p
    j = float(rest[0]) if rest else 0.0
    c = float(rest[1]) if len(rest) > 1 else j
    return a, b, j, c


def cluster(
    doc_meta: Mapping[DocId, DocMeta | tuple],
    pairs: Iterable[Any] = (),
    exact_groups: Iterable[Sequence[DocId]] = (),
    rule: str = "longest",
) -> dict[DocId, Assignment]:
    """Assign every document of ``doc_meta`` to a cluster (see the module docstring).

    ``pairs``: verified near-duplicate pairs (``Pair`` or ``(a, b, jaccard[, containment])``).
    ``exact_groups``: groups of doc ids with identical normalised text.
    Every id in ``pairs``/``exact_groups`` must be in ``doc_meta``.
    """
    key = representative_key(rule)
    meta = {d: DocMeta(*m) for d, m in doc_meta.items()}
    uf = _UnionFind(meta)
    exact = _UnionFind(meta)  # exact-duplicate groups only

    def known(d: DocId) -> DocId:
        if d not in meta:
            raise KeyError(f"doc {d!r} is in a pair or exact group but not in doc_meta")
        return d

    for group in exact_groups:
        group = [known(d) for d in group]
        for d in group[1:]:
            uf.union(group[0], d)
            exact.union(group[0], d)

    # Best verified pair per (doc, partner) by Jaccard; pairs are also kept per exact group.
    best: dict[tuple[DocId, DocId], tuple[float, float]] = {}
    for p in pairs:
        a, b, j, c = _pair_fields(p)
        known(a), known(b)
        if a == b:
            continue
        uf.union(a, b)
        for x, y in ((a, b), (b, a)):
            if best.get((x, y), (-1.0, -1.0)) < (j, c):
                best[(x, y)] = (j, c)
    by_doc: dict[DocId, list[tuple[DocId, float, float]]] = {}
    for (x, y), (j, c) in best.items():
        by_doc.setdefault(x, []).append((y, j, c))

    members: dict[DocId, list[DocId]] = {}
    for d in meta:
        members.setdefault(uf.find(d), []).append(d)

    out: dict[DocId, Assignment] = {}
    for group in members.values():
        rep = min(group, key=lambda d: key(d, meta[d]))
        cid = min(group)
        rep_exact = exact.find(rep)
        n = len(group)
        twins: dict[DocId, list[DocId]] = {}
        for d in group:
            twins.setdefault(exact.find(d), []).append(d)
        for d in group:
            if d == rep:
                out[d] = Assignment(d, cid, rep, "representative", 1.0, 1.0, None, n)
                continue
            if exact.find(d) == rep_exact:
                out[d] = Assignment(d, cid, rep, "exact", 1.0, 1.0, rep, n)
                continue
            # Pairs of d or of its exact twins; prefer those with the representative's text.
            cands = [(y, j, c) for t in twins[exact.find(d)] for (y, j, c) in by_doc.get(t, [])]
            to_rep = [x for x in cands if exact.find(x[0]) == rep_exact]
            pool = to_rep or cands
            y, j, c = min(pool, key=lambda x: (-x[1], -x[2], x[0] != rep, x[0]))
            out[d] = Assignment(d, cid, rep, "near", j, c, y, n)
    return out


def clusters_of(assignments: Mapping[DocId, Assignment]) -> dict[DocId, list[DocId]]:
    """cluster_id -> sorted member ids, for clusters with more than one member."""
    out: dict[DocId, list[DocId]] = {}
    for a in assignments.values():
        if a.cluster_size > 1:
            out.setdefault(a.cluster_id, []).append(a.doc_id)
    return {k: sorted(v) for k, v in sorted(out.items())}
