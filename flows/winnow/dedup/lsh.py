"""LSH banding over MinHash signatures: which pairs of documents are worth verifying.

A signature of ``num_perm`` values is cut into ``bands`` bands of ``rows`` values;
two documents are a *candidate pair* when any band is equal in both. A pair with
Jaccard similarity ``J`` becomes a candidate with probability
``1 - (1 - J**rows) ** bands``.

``lsh_params`` reads ``lsh_threshold`` as a recall floor: it picks the banding with
the fewest candidates (most rows per band) such that a pair at exactly
``lsh_threshold`` is a candidate with probability >= ``LSH_RECALL`` (0.99). With
128 permutations and threshold 0.5 that is 42 bands of 3 rows: P(candidate) is
0.996 at J = 0.5, 0.93 at 0.4, 0.68 at 0.3, 0.04 at 0.1. Candidates are cheap
(verification is exact), missed pairs are lost for good.

Candidate pairs depend only on the two signatures, never on what else is indexed
or in which order documents came: querying new documents against an index of
old ones, plus the new ones among themselves, gives exactly the pairs a
from-scratch run over everything gives.

The index keeps one 64-bit hash per band per document in numpy arrays
(``8 * bands`` bytes per document, 336 B at 42 bands) plus the doc-id list; a
query is a binary search per band. Documents with an empty signature (no
shingles) are stored but never paired.
"""

from __future__ import annotations

from typing import Hashable, Iterable, Sequence

import numpy as np

from winnow.dedup.minhash import EMPTY, SIGNATURE_DTYPE
from winnow.dedup.shingles import fmix64
from winnow.settings import DedupSettings

LSH_RECALL = 0.99
_ROW_MIX = np.array(  # odd multipliers combining the rows of a band (up to 64 rows)
    [(0x9E3779B97F4A7C15 * (2 * i + 1) + 0x632BE59BD9B4E019 * i) % (1 << 64) | 1 for i in range(64)],
    dtype=np.uint64,
)

DocId = Hashable


def candidate_probability(j: float, bands: int, rows: int) -> float:
    """Probability that a pair with Jaccard ``j`` shares at least one band."""
    return 1.0 - (1.0 - j**rows) ** bands


def lsh_params(num_perm: int, threshold: float, recall: float = LSH_RECALL) -> tuple[int, int]:
    """(bands, rows): most rows per band such that P(candidate | J = threshold) >= recall."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if bands < 1:
            break
        if candidate_probability(threshold, bands, rows) >= recall:
            best = (bands, rows)
    return best


def band_hashes(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``uint64[n, bands]``: one hash per band of each signature (band index mixed in)."""
    sigs = np.asarray(sigs, dtype=SIGNATURE_DTYPE)
    if sigs.ndim == 1:
        sigs = sigs[None, :]
    n = len(sigs)
    out = np.empty((n, bands), dtype=np.uint64)
    salt = np.arange(bands, dtype=np.uint64) * np.uint64(0xD1B54A32D192ED03)
    step = 8192
    for i in range(0, n, step):
        cells = sigs[i : i + step, : bands * rows].reshape(-1, bands, rows).astype(np.uint64)
        acc = (cells * _ROW_MIX[:rows]).sum(axis=2, dtype=np.uint64)
        acc += salt
        out[i : i + step] = fmix64(acc)
    return out


def _empty_mask(sigs: np.ndarray) -> np.ndarray:
    return np.all(sigs == EMPTY, axis=1)


def _offsets_within(cnt: np.ndarray) -> np.ndarray:
    """For runs of lengths ``cnt`` laid end to end, each element's offset inside its run."""
    return np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)


def _pairs_within(h: np.ndarray) -> np.ndarray:
    """Index pairs (i < j) with equal values in ``h`` (one band), as an ``[m, 2]`` array.

    Linear in the number of pairs: every element is paired with the elements after
    it in its run of equal values (after sorting).
    """
    n = len(h)
    order = np.argsort(h, kind="stable")
    hs = h[order]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = hs[1:] != hs[:-1]
    gstart = np.flatnonzero(new_group)
    gend = np.append(gstart[1:], n)
    gid = np.cumsum(new_group) - 1
    pos = np.arange(n)
    cnt = gend[gid] - pos - 1
    total = int(cnt.sum())
    if total == 0:
        return np.zeros((0, 2), dtype=np.int64)
    i = np.repeat(pos, cnt)
    j = i + 1 + _offsets_within(cnt)
    return np.sort(np.stack([order[i], order[j]], axis=1), axis=1)


class NearDupIndex:
    """An LSH index of document signatures (``add``) that answers ``query``.

    >>> index = NearDupIndex(settings)
    >>> index.add_many(old_ids, old_sigs)          # stored signatures, no recomputation
    >>> index.query(sig)                           # ids of old docs sharing a band with sig
    >>> index.candidate_pairs()                    # all candidate pairs among indexed docs
    """

    def __init__(self, settings: DedupSettings):
        self.num_perm = settings.num_perm
        self.bands, self.rows = lsh_params(settings.num_perm, settings.lsh_threshold)
        self._ids: list[DocId] = []
        self._pos: dict[DocId, int] = {}
        self._parts: list[np.ndarray] = []  # band hashes of added batches
        self._empty_parts: list[np.ndarray] = []
        self._built: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, doc_id: DocId) -> bool:
        return doc_id in self._pos

    def add(self, doc_id: DocId, sig: np.ndarray) -> None:
        self.add_many([doc_id], np.asarray(sig)[None, :])

    def add_many(self, doc_ids: Sequence[DocId], sigs: np.ndarray) -> None:
        """Index signatures ``sigs[i]`` (``uint32[num_perm]``, e.g. read back from storage)."""
        sigs = self._check(sigs)
        if len(doc_ids) != len(sigs):
            raise ValueError(f"{len(doc_ids)} doc ids for {len(sigs)} signatures")
        clash = [d for d in doc_ids if d in self._pos]
        if clash or len(set(doc_ids)) != len(doc_ids):
            raise ValueError(f"doc ids indexed twice: {(clash or list(doc_ids))[:3]!r}...")
        for d in doc_ids:
            self._pos[d] = len(self._ids)
            self._ids.append(d)
        self._parts.append(band_hashes(sigs, self.bands, self.rows))
        self._empty_parts.append(_empty_mask(sigs))
        self._built = None

    def _check(self, sigs: np.ndarray) -> np.ndarray:
        sigs = np.asarray(sigs)
        if sigs.ndim == 1:
            sigs = sigs[None, :]
        if sigs.ndim != 2 or sigs.shape[1] != self.num_perm:
            raise ValueError(f"signatures must have {self.num_perm} values, got shape {sigs.shape}")
        return sigs.astype(SIGNATURE_DTYPE, copy=False)

    def _matrix(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._parts:
            return np.zeros((0, self.bands), dtype=np.uint64), np.zeros(0, dtype=bool)
        if len(self._parts) > 1:
            self._parts = [np.concatenate(self._parts)]
            self._empty_parts = [np.concatenate(self._empty_parts)]
        return self._parts[0], self._empty_parts[0]

    def _sorted(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(positions of non-empty docs, per-band argsort ``[bands, live]``, sorted hashes)."""
        if self._built is None:
            h, empty = self._matrix()
            live = np.flatnonzero(~empty)
            hl = np.ascontiguousarray(h[live].T)
            order = np.argsort(hl, axis=1, kind="stable")
            self._built = (live, order, np.take_along_axis(hl, order, axis=1))
        return self._built

    def query_many(self, sigs: np.ndarray) -> list[list[DocId]]:
        """For each signature, the indexed docs sharing at least one band with it."""
        sigs = self._check(sigs)
        pairs = self._query_pairs(sigs)
        out: list[list[int]] = [[] for _ in range(len(sigs))]
        for q, e in pairs.tolist():
            out[q].append(e)
        return [[self._ids[e] for e in sorted(x)] for x in out]

    def query(self, sig: np.ndarray) -> list[DocId]:
        """The indexed docs sharing at least one band with ``sig`` (ordered by insertion)."""
        return self.query_many(np.asarray(sig)[None, :])[0]

    def _query_pairs(self, sigs: np.ndarray) -> np.ndarray:
        """Unique (query row, indexed position) pairs sharing a band."""
        if len(self) == 0 or len(sigs) == 0:
            return np.zeros((0, 2), dtype=np.int64)
        live, order, hs = self._sorted()
        qh = band_hashes(sigs, self.bands, self.rows)
        qlive = ~_empty_mask(sigs)
        found = []
        for band in range(self.bands):
            lo = np.searchsorted(hs[band], qh[:, band], side="left")
            hi = np.searchsorted(hs[band], qh[:, band], side="right")
            cnt = np.where(qlive, hi - lo, 0)
            if not cnt.any():
                continue
            q = np.repeat(np.arange(len(sigs)), cnt)
            start = np.repeat(lo, cnt)
            e = live[order[band, start + _offsets_within(cnt)]]
            found.append(q * len(self) + e)
        if not found:
            return np.zeros((0, 2), dtype=np.int64)
        keys = np.unique(np.concatenate(found))
        return np.stack([keys // len(self), keys % len(self)], axis=1)

    def query_pairs(self, doc_ids: Sequence[DocId], sigs: np.ndarray) -> list[tuple[DocId, DocId]]:
        """Candidate pairs (new doc, indexed doc) for new documents queried against the index."""
        pairs = self._query_pairs(self._check(sigs))
        return [(doc_ids[q], self._ids[e]) for q, e in pairs.tolist() if doc_ids[q] != self._ids[e]]

    def candidate_pairs(self) -> list[tuple[DocId, DocId]]:
        """All candidate pairs among the indexed documents (each once, in index order)."""
        h, empty = self._matrix()
        live = np.flatnonzero(~empty)
        if len(live) < 2:
            return []
        hl = h[live]
        found = [_pairs_within(hl[:, band]) for band in range(self.bands)]
        p = np.concatenate(found)
        if len(p) == 0:
            return []
        keys = np.unique(live[p[:, 0]] * len(self) + live[p[:, 1]])
        return [(self._ids[k // len(self)], self._ids[k % len(self)]) for k in keys.tolist()]


def candidates(
    new: Sequence[tuple[DocId, np.ndarray]],
    existing: Iterable[tuple[DocId, np.ndarray]] | NearDupIndex,
    settings: DedupSettings,
) -> list[tuple[DocId, DocId]]:
    """Candidate pairs involving at least one new doc: new-vs-existing plus new-vs-new.

    ``existing`` is an iterable of (doc_id, stored signature) or a ready ``NearDupIndex``.
    Each pair is returned once, as ``(new doc, other doc)``.
    """
    if isinstance(existing, NearDupIndex):
        index = existing
    else:
        index = NearDupIndex(settings)
        ids, sigs = [], []
        for d, s in existing:
            ids.append(d)
            sigs.append(np.asarray(s, dtype=SIGNATURE_DTYPE))
        if ids:
            index.add_many(ids, np.stack(sigs))
    if not new:
        return []
    new_ids = [d for d, _ in new]
    new_sigs = np.stack([np.asarray(s, dtype=SIGNATURE_DTYPE) for _, s in new])
    out = index.query_pairs(new_ids, new_sigs)
    fresh = NearDupIndex(settings)
    fresh.add_many(new_ids, new_sigs)
    out.extend(fresh.candidate_pairs())
    return out
