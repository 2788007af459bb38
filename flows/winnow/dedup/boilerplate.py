"""Pairs that agree on boilerplate: a site's sidebar is not an article shared by two pages.

Two filters of the verified pairs, applied where clusters are recomputed (every run, from the
stored pairs), in this order:

1. ``drop_shared_parts``: a text found inside two documents that are not copies of each other,
   one of which also holds another, unrelated text, is a part they share (a comment policy, an
   "about" box, a list of tour dates), not an article; its containment pairs are left out.
   It looks at the pairs alone (no threshold that grows with the warehouse).
2. ``drop_boilerplate_pairs``: pairs that agree mostly on MinHash slot values held by several
   clusters (below), "several" being a share of the clusters of the warehouse.

``without_boilerplate`` applies both as the settings say (``run_dedup`` and the benchmarks call it).

A cleaner sometimes keeps a site's sidebar, "about" box or comment guidelines beside the
article, or instead of it. Two pages of that site then share most of their shingles and pass
verification, and union-find joins their clusters. How often a text occurs cannot tell a
sidebar from a story syndicated as often (measured in ``benchmarks/crossformat.py`` and
``benchmarks/dedup.py``); where it occurs can: copies of one story are verified pairs of one
cluster, while a sidebar is repeated under articles that are not copies of one another.

The signal comes from the MinHash signatures already stored: slot ``i`` of a signature holds
the smallest hash of the document's shingles under permutation ``i``, a sample of its text.
A slot value found in the signatures of ``min_clusters`` or more clusters (clusters of the
verified pairs, before this filter), and of at least ``cluster_share`` of all the clusters, is
boilerplate. The share keeps the threshold in step with the warehouse: the more documents, the
more often two unrelated ones hold one slot value by chance (a sentence quoted by both), and a
fixed count then calls every slot boilerplate (at 100,000 documents of ``benchmarks/scale.py``,
whose bodies reuse a pool of real sentences ~45 times each, a count of 3 kept 28 of 6,983 planted
copies from their cluster; 30 or more kept none out). A verified pair is dropped when fewer
than ``min_share`` of the slots its two signatures agree on hold other values: what the two
documents share is mostly text that unrelated documents share too.

Only the stored pairs and signatures of the live documents go in, so the clusters of an
incremental run still equal those of a from-scratch run; no pair is stored differently (the
filter applies where the clusters are recomputed, every run).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Hashable, Iterable, Mapping, Optional, Sequence

import math

import numpy as np

from winnow.dedup.clusters import _pair_fields
from winnow.settings import DedupSettings

DocId = Hashable
MIN_SHARE = 0.5  # share of the agreeing slots that must hold values other clusters do not have
NEAR_IDENTICAL = 0.8  # Jaccard at which a pair is kept whatever its shorter side is part of


def _ends(p: Any) -> tuple[DocId, DocId]:
    return (p.a, p.b) if hasattr(p, "a") else (p[0], p[1])


def _cluster_of(n: int, edges: Iterable[tuple[int, int]]) -> np.ndarray:
    """Union-find over ``n`` items; the smallest index of each item's cluster."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(i) for i in range(n)], dtype=np.int64)


def boilerplate_slots(sigs: np.ndarray, cluster: np.ndarray, min_clusters: int) -> np.ndarray:
    """``bool[n, num_perm]``: whether each slot value occurs in ``min_clusters`` or more clusters.

    One slot at a time: (value, cluster) packed in one ``uint64`` and sorted, then the distinct
    clusters counted per value (timed by ``benchmarks/dedup.py``, scale section)."""
    n, perm = sigs.shape
    out = np.zeros((n, perm), dtype=bool)
    if n == 0:
        return out
    c = np.asarray(cluster, dtype=np.uint64)
    for i in range(perm):
        v = sigs[:, i].astype(np.uint64)
        key = np.sort((v << np.uint64(32)) | c)
        first = np.ones(n, dtype=bool)
        first[1:] = key[1:] != key[:-1]
        distinct = key[first] >> np.uint64(32)  # one value per (value, cluster), sorted
        starts = np.flatnonzero(np.r_[True, distinct[1:] != distinct[:-1]])
        values, clusters = distinct[starts], np.diff(np.r_[starts, len(distinct)])
        out[:, i] = clusters[np.searchsorted(values, v)] >= min_clusters
    return out


def min_clusters_for(n_clusters: int, min_clusters: int, cluster_share: float) -> int:
    """How many clusters must hold a slot value for it to be boilerplate."""
    return max(min_clusters, math.ceil(cluster_share * n_clusters))


def drop_boilerplate_pairs(
    pairs: Sequence[Any], doc_ids: Sequence[DocId], sigs: np.ndarray, min_clusters: int,
    min_share: float = MIN_SHARE, cluster_share: float = 0.0,
) -> list[Any]:
    """The verified ``pairs`` (``Pair`` or tuples starting ``(a, b, ...)``) that do not agree
    mostly on boilerplate, in their order. ``doc_ids``/``sigs``: the signatures of the live
    documents (rows of ``sigs``); a pair with a document without a signature is kept, and
    ``min_clusters = 0`` keeps every pair. A slot value is boilerplate when at least
    ``min_clusters_for(number of clusters, min_clusters, cluster_share)`` clusters hold it."""
    if min_clusters <= 0 or not pairs:
        return list(pairs)
    row = {d: i for i, d in enumerate(doc_ids)}
    edges = [(row[a], row[b]) for a, b in map(_ends, pairs) if a in row and b in row]
    cluster = _cluster_of(len(doc_ids), edges)
    need = min_clusters_for(len(np.unique(cluster)), min_clusters, cluster_share)
    frequent = boilerplate_slots(np.asarray(sigs), cluster, need)
    kept = []
    for p in pairs:
        a, b = _ends(p)
        if not both_signed(p, row) or not agree_on_boilerplate(sigs[row[a]], sigs[row[b]], frequent[row[a]], min_share):
            kept.append(p)
    return kept


def both_signed(pair: Any, signed: Any) -> bool:
    a, b = _ends(pair)
    return a in signed and b in signed


def agree_on_boilerplate(sig_a: np.ndarray, sig_b: np.ndarray, frequent_a: np.ndarray, min_share: float) -> bool:
    """Whether fewer than ``min_share`` of the slots two signatures agree on hold values that are
    not boilerplate (``frequent_a``: which slots of ``sig_a`` are)."""
    agree = sig_a == sig_b
    n_agree = int(agree.sum())
    return n_agree > 0 and int((agree & ~frequent_a).sum()) < min_share * n_agree


def pair_clusters(pairs: Iterable[Any], signed: Any) -> dict[DocId, DocId]:
    """The cluster of each document of the ``pairs`` whose two ends are ``signed`` (union-find;
    a cluster is named by its smallest document). Every other signed document is a cluster of
    its own: the clusters ``drop_boilerplate_pairs`` counts, kept to the documents of pairs."""
    parent: dict[DocId, DocId] = {}

    def find(x: DocId) -> DocId:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        if both_signed(p, signed):
            ra, rb = map(find, _ends(p))
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)  # type: ignore[type-var]
    return {d: find(d) for d in list(parent)}


def drop_shared_parts(
    pairs: Sequence[Any], lengths: Mapping[DocId, int], min_containment: float,
) -> list[Any]:
    """The verified ``pairs`` less the containment pairs of shared parts, in their order.

    A pair's shorter side (``lengths``: characters, ties by doc id) is *contained* in the longer
    when the pair's containment reaches ``min_containment``. A document B is a shared part when
    it is contained in two documents X and Y that are not a verified pair (not copies of each
    other), and X or Y also contains a document other than B that is not paired with B (so X or
    Y holds two unrelated texts: an article and a part it shares with other pages). Every pair
    in which a shared part is the contained side is left out, unless the two are near-identical
    (Jaccard >= ``NEAR_IDENTICAL``).

    Copies of one story are contained in one another and paired with one another, so the shorter
    copy is not a shared part; a story inside two pages with different chrome is not one either,
    unless a page also holds another text that is not the story. A function of the pairs alone:
    the same whatever their order, for an incremental run as for a run from scratch."""
    fields = [_pair_fields(p) for p in pairs]
    paired = {frozenset((a, b)) for a, b, _, _ in fields}

    def inside(a: DocId, b: DocId) -> tuple[DocId, DocId]:  # (shorter, longer)
        return (a, b) if (lengths[a], a) <= (lengths[b], b) else (b, a)  # type: ignore[operator]

    holders: dict[DocId, set] = defaultdict(set)  # doc -> documents it is contained in
    held: dict[DocId, set] = defaultdict(set)  # doc -> documents contained in it
    for a, b, _, c in fields:
        if c >= min_containment:
            small, big = inside(a, b)
            holders[small].add(big)
            held[big].add(small)

    def holds_another(x: DocId, b: DocId) -> bool:
        return any(h != b and frozenset((h, b)) not in paired for h in held[x])

    shared = {
        b for b, xs in holders.items()
        if any(y != x and frozenset((x, y)) not in paired
               for x in xs if holds_another(x, b) for y in xs)
    }
    return [p for p, (a, b, j, c) in zip(pairs, fields)
            if not (c >= min_containment and j < NEAR_IDENTICAL and inside(a, b)[0] in shared)]


def without_boilerplate(
    pairs: Sequence[Any], doc_ids: Sequence[DocId], sigs: np.ndarray, lengths: Mapping[DocId, int],
    settings: DedupSettings, boilerplate: Optional[Callable[[list[Any]], list[Any]]] = None,
) -> tuple[list[Any], int, int]:
    """Both filters as ``settings`` say: (kept pairs, pairs left out as shared parts, pairs left
    out as boilerplate). ``lengths``: characters of every document of a pair. ``boilerplate``:
    the second filter done elsewhere on the same signatures (the warehouse counts them in DuckDB:
    ``winnow.storage.dedup``); by default ``drop_boilerplate_pairs`` on ``doc_ids``/``sigs``."""
    kept = drop_shared_parts(pairs, lengths, settings.min_containment) if settings.shared_parts else list(pairs)
    shared = len(pairs) - len(kept)
    if settings.boilerplate_clusters <= 0 or not kept:
        out = kept
    elif boilerplate is not None:
        out = boilerplate(kept)
    else:
        out = drop_boilerplate_pairs(kept, doc_ids, sigs, settings.boilerplate_clusters,
                                     cluster_share=settings.boilerplate_share)
    return out, shared, len(kept) - len(out)
