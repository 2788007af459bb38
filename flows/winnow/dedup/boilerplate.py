"""Pairs that agree on boilerplate: a site's sidebar is not an article shared by two pages.

A cleaner sometimes keeps a site's sidebar, "about" box or comment guidelines beside the
article, or instead of it. Two pages of that site then share most of their shingles and pass
verification, and union-find joins their clusters. How often a text occurs cannot tell a
sidebar from a story syndicated as often (measured in ``benchmarks/crossformat.py`` and
``benchmarks/dedup.py``); where it occurs can: copies of one story are verified pairs of one
cluster, while a sidebar is repeated under articles that are not copies of one another.

The signal comes from the MinHash signatures already stored: slot ``i`` of a signature holds
the smallest hash of the document's shingles under permutation ``i``, a sample of its text.
A slot value found in the signatures of ``min_clusters`` or more clusters (clusters of the
verified pairs, before this filter) is boilerplate. A verified pair is dropped when fewer
than ``min_share`` of the slots its two signatures agree on hold other values: what the two
documents share is mostly text that unrelated documents share too.

Only the stored pairs and signatures of the live documents go in, so the clusters of an
incremental run still equal those of a from-scratch run; no pair is stored differently (the
filter applies where the clusters are recomputed, every run).
"""

from __future__ import annotations

from typing import Any, Hashable, Iterable, Sequence

import numpy as np

DocId = Hashable
MIN_SHARE = 0.5  # share of the agreeing slots that must hold values other clusters do not have


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


def drop_boilerplate_pairs(
    pairs: Sequence[Any], doc_ids: Sequence[DocId], sigs: np.ndarray, min_clusters: int,
    min_share: float = MIN_SHARE,
) -> list[Any]:
    """The verified ``pairs`` (``Pair`` or tuples starting ``(a, b, ...)``) that do not agree
    mostly on boilerplate, in their order. ``doc_ids``/``sigs``: the signatures of the live
    documents (rows of ``sigs``); a pair with a document without a signature is kept, and
    ``min_clusters = 0`` keeps every pair."""
    if min_clusters <= 0 or not pairs:
        return list(pairs)
    row = {d: i for i, d in enumerate(doc_ids)}
    edges = [(row[a], row[b]) for a, b in map(_ends, pairs) if a in row and b in row]
    frequent = boilerplate_slots(np.asarray(sigs), _cluster_of(len(doc_ids), edges), min_clusters)
    kept = []
    for p in pairs:
        a, b = _ends(p)
        if a not in row or b not in row:
            kept.append(p)
            continue
        agree = sigs[row[a]] == sigs[row[b]]
        n_agree = int(agree.sum())
        if n_agree == 0 or int((agree & ~frequent[row[a]]).sum()) >= min_share * n_agree:
            kept.append(p)
    return kept
