"""Near-duplicate detection: syndicated copies of one text become one cluster.

Pure logic, no Prefect, no warehouse. Four steps, each usable on its own:

1. ``signatures(texts, settings)`` -> ``uint32[n, num_perm]`` MinHash signatures of the
   *cleaned* bodies (``winnow.dedup.minhash``; word shingles from
   ``winnow.dedup.shingles``). Store them (DuckDB ``UINTEGER[]``) with
   ``signature_key(settings)``; a later run rebuilds its index from them.
2. ``NearDupIndex`` / ``candidates``: LSH banding at ``lsh_threshold``
   (``winnow.dedup.lsh``): new documents against stored ones, plus new among new.
3. ``verify``: exact Jaccard and containment on the shingle sets; accepted when
   ``jaccard >= min_jaccard``, or ``containment >= min_containment`` and the smaller
   text has at least ``min_containment_shingles`` shingles (default 100: a teaser --
   headline plus first sentence or two, up to ~70 words -- is entirely "contained" in
   the article it teases, and is not a copy of it).
4. ``cluster``: union-find over verified pairs and exact-duplicate groups, with a
   representative rule (``winnow.dedup.clusters``). Before it, the warehouse leaves out the
   pairs that agree mostly on a site's boilerplate (``winnow.dedup.boilerplate``, on the
   stored signatures of every document).

``find_pairs`` runs 1-3 for a batch of new documents. Candidate pairs depend only on
the two signatures and verification only on the two texts, so the verified pairs
of an incremental run (new vs stored + new vs new) equal those of a from-scratch
run over all documents, in any order.

Typical use by the pipeline (run it on one document per exact-duplicate group:
identical texts add nothing but pairs)::

    sigs = signatures([d.text for d in new_docs], s.dedup)          # store with signature_key
    pairs = find_pairs([(d.doc_id, d.text, sig) for d, sig in zip(new_docs, sigs)],
                       stored_signatures,                          # iterable of (doc_id, sig)
                       get_text=lambda doc_id: ...,                # body of a stored doc
                       settings=s.dedup)                            # store the pairs
    assignments = cluster(doc_meta, all_stored_pairs, exact_groups, s.dedup.representative)

To fetch stored bodies in one query instead of one by one: ``cands = candidates(...)``,
read the bodies of the stored ids found in ``cands``, then
``verify_pairs(cands, {**new_texts, **stored_texts}, settings)`` and keep ``v.is_dup``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Hashable, Iterable, Mapping, Sequence

import numpy as np

from winnow.dedup.clusters import Assignment, DocMeta, cluster, clusters_of, representative_key
from winnow.dedup.lsh import NearDupIndex, candidates, lsh_params
from winnow.dedup.minhash import (
    SIGNATURE_DTYPE,
    estimate_jaccard,
    signature,
    signature_key,
    signatures,
)
from winnow.dedup.shingles import shingle_set, shingle_sets, tokens
from winnow.settings import DedupSettings

__all__ = [
    "Assignment",
    "DocMeta",
    "NearDupIndex",
    "Pair",
    "Verdict",
    "candidates",
    "cluster",
    "clusters_of",
    "compare",
    "estimate_jaccard",
    "find_pairs",
    "lsh_params",
    "representative_key",
    "signature",
    "signature_key",
    "signatures",
    "shingle_set",
    "tokens",
    "verify",
    "verify_pairs",
]

DocId = Hashable


@dataclass(frozen=True)
class Verdict:
    jaccard: float  # |A ∩ B| / |A ∪ B| of the shingle sets
    containment: float  # |A ∩ B| / min(|A|, |B|)
    is_dup: bool
    reason: str  # "jaccard" | "containment" | "" (not a duplicate)
    size_a: int  # shingles of each text
    size_b: int


@dataclass(frozen=True, order=True)
class Pair:
    """A verified near-duplicate pair, ``a < b``."""

    a: DocId
    b: DocId
    jaccard: float
    containment: float
    reason: str  # "jaccard" | "containment"


def compare(sa: np.ndarray, sb: np.ndarray, settings: DedupSettings) -> Verdict:
    """Verdict for two shingle sets (sorted unique ``uint64`` arrays from ``shingle_set``)."""
    na, nb = len(sa), len(sb)
    inter = len(np.intersect1d(sa, sb, assume_unique=True)) if na and nb else 0
    union = na + nb - inter
    smaller = min(na, nb)
    j = inter / union if union else 0.0
    c = inter / smaller if smaller else 0.0
    if union and j >= settings.min_jaccard:
        return Verdict(j, c, True, "jaccard", na, nb)
    if smaller >= settings.min_containment_shingles and c >= settings.min_containment:
        return Verdict(j, c, True, "containment", na, nb)
    return Verdict(j, c, False, "", na, nb)


def verify(text_a: str, text_b: str, settings: DedupSettings) -> Verdict:
    """Exact Jaccard and containment of two texts' shingle sets, and the decision."""
    sa, sb = shingle_sets([text_a, text_b], settings.shingle_words)
    return compare(sa, sb, settings)


def _ordered(a: DocId, b: DocId) -> tuple[DocId, DocId]:
    return (a, b) if a < b else (b, a)  # type: ignore[operator]


def verify_pairs(
    pairs: Iterable[tuple[DocId, DocId]],
    get_text: Callable[[DocId], str] | Mapping[DocId, str],
    settings: DedupSettings,
) -> list[tuple[Pair, Verdict]]:
    """Verify candidate pairs; returns every candidate with its verdict (sorted by ids).

    ``get_text`` gives a document's (cleaned) body; each text is fetched and shingled once.
    """
    fetch = get_text.__getitem__ if isinstance(get_text, Mapping) else get_text
    uniq = sorted({_ordered(a, b) for a, b in pairs if a != b})
    sets: dict[DocId, np.ndarray] = {}
    need = sorted({d for p in uniq for d in p})
    k = settings.shingle_words
    step = 2000
    for i in range(0, len(need), step):
        ids = need[i : i + step]
        sets.update(zip(ids, shingle_sets([fetch(d) for d in ids], k)))
    out = []
    for a, b in uniq:
        v = compare(sets[a], sets[b], settings)
        out.append((Pair(a, b, v.jaccard, v.containment, v.reason), v))
    return out


def find_pairs(
    new: Sequence[tuple],
    existing: Iterable[tuple[DocId, np.ndarray]] | NearDupIndex,
    get_text: Callable[[DocId], str] | Mapping[DocId, str],
    settings: DedupSettings,
) -> list[Pair]:
    """Verified near-duplicate pairs involving at least one new document.

    ``new``: ``(doc_id, text)`` or ``(doc_id, text, sig)`` (``sig`` None = compute it).
    ``existing``: stored ``(doc_id, sig)`` of documents already in the warehouse, or a
    ``NearDupIndex`` of them. ``get_text(doc_id)`` returns a stored document's body
    (only called for documents in candidate pairs). Doc ids must be mutually
    comparable (all ``str``, say). Returns accepted pairs, sorted, ``a < b``.
    """
    ids = [t[0] for t in new]
    texts = {t[0]: t[1] for t in new}
    if len(texts) != len(ids):
        raise ValueError("duplicate doc ids among the new documents")
    sigs = [t[2] if len(t) > 2 else None for t in new]
    missing = [i for i, s in enumerate(sigs) if s is None]
    if missing:
        computed = signatures([new[i][1] for i in missing], settings)
        for i, s in zip(missing, computed):
            sigs[i] = s
    sig_arr = [np.asarray(s, dtype=SIGNATURE_DTYPE) for s in sigs]
    cands = candidates(list(zip(ids, sig_arr)), existing, settings)
    fetch = get_text.__getitem__ if isinstance(get_text, Mapping) else get_text

    def text_of(d: DocId) -> str:
        return texts[d] if d in texts else fetch(d)

    return [p for p, v in verify_pairs(cands, text_of, settings) if v.is_dup]
