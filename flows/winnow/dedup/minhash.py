"""MinHash signatures, vectorised with numpy, stored as ``uint32[num_perm]``.

The scheme is datasketch 2.0's ``"affine32"`` MinHash, bit for bit: each 64-bit
shingle hash is folded to 32 bits (high xor low half), pre-mixed with the 32-bit
MurmurHash3 finaliser, then permuted by ``a_i * h + b_i mod 2^32`` (``a_i`` odd)
for ``i < num_perm``; the signature keeps the minimum of each permutation.
``a`` and ``b`` come from ``numpy.random.RandomState(SEED)`` exactly as in
datasketch, so ``datasketch.MinHash(num_perm, seed=SEED, scheme="affine32",
hashfunc=<our 32-bit shingle hash>)`` gives the same hash values
(``signatures_datasketch`` below does exactly that; a test holds them equal).

What is vectorised is what datasketch does per shingle in Python: hashing the
shingles (one SHA-1 call each) and one numpy call per document. Here a batch of
documents is hashed with a few numpy passes and each permutation is applied to
all shingles of many documents at once, then reduced per document with
``np.minimum.reduceat``.

Storage: a signature is ``np.ndarray[uint32]`` of length ``num_perm``; store it as
a DuckDB ``UINTEGER[]`` (``sig.tolist()``) and rebuild it with
``np.asarray(values, dtype=np.uint32)``. A document without a single shingle
(empty text) has the all-``0xFFFFFFFF`` signature: the LSH index never pairs it.
Signatures are comparable only when ``signature_key(settings)`` is equal: store
the key next to them and recompute when it changes.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Sequence

import numpy as np

from winnow.dedup.shingles import shingle_hashes_batch, shingle_strings
from winnow.settings import DedupSettings

SIGNATURE_VERSION = 2  # bump when tokens, shingle hashing or the permutations change (2: winnow.vocab tokens)
SEED = 1  # permutation seed (datasketch's default): part of the stored-signature format
SIGNATURE_DTYPE = np.uint32
EMPTY = np.uint32(0xFFFFFFFF)  # value of every slot of an empty document's signature
_BLOCK = 1 << 20  # shingle x permutation cells per numpy pass (4 MB of uint32)


def signature_key(settings: DedupSettings) -> str:
    """Identifies what a stored signature means; equal keys = comparable signatures.

    Includes the Unicode version of the running Python (character classes and case
    folding come from ``unicodedata``): a Python upgrade that changes it asks for a
    recomputation (100k documents take well under a minute).
    """
    return (
        f"minhash-v{SIGNATURE_VERSION}:affine32:seed{SEED}:perm{settings.num_perm}"
        f":k{settings.shingle_words}:ucd{unicodedata.unidata_version}"
    )


def permutations(num_perm: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) uint32 permutation parameters, drawn as datasketch draws them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


_perms = functools.cache(permutations)  # one (a, b) pair per num_perm per process


def fold32(h64: np.ndarray) -> np.ndarray:
    """64-bit shingle hashes to the 32-bit values MinHash permutes."""
    return ((h64 >> np.uint64(32)) ^ (h64 & np.uint64(0xFFFFFFFF))).astype(np.uint32)


def fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def minhash_from_hashes(hashes: np.ndarray, offsets: np.ndarray, num_perm: int) -> np.ndarray:
    """Signatures ``[n, num_perm]`` of documents given as 64-bit shingle hashes + offsets."""
    n = len(offsets) - 1
    a, b = _perms(num_perm)
    a, b = a[:, None], b[:, None]
    out = np.full((n, num_perm), EMPTY, dtype=SIGNATURE_DTYPE)
    x = fmix32(fold32(hashes))
    per_block = max(1, _BLOCK // num_perm)  # shingles per pass
    i = 0
    while i < n:
        # Whole documents per pass: at least one, else as many as fit in per_block shingles.
        j = int(np.searchsorted(offsets, offsets[i] + per_block, side="right")) - 1
        j = min(max(j, i + 1), n)
        lo, hi = int(offsets[i]), int(offsets[j])
        if hi > lo:
            # Permutation-major, so that the per-document minimum runs along contiguous rows.
            phv = a * x[None, lo:hi]
            phv += b
            docs = np.arange(i, j)
            nonempty = docs[offsets[i + 1 : j + 1] > offsets[i:j]]
            out[nonempty] = np.minimum.reduceat(phv, offsets[nonempty] - lo, axis=1).T
        i = j
    return out


def signatures(texts: Sequence[str], settings: DedupSettings) -> np.ndarray:
    """MinHash signatures of many texts: ``uint32[len(texts), num_perm]``, deterministic."""
    hashes, offsets = shingle_hashes_batch(texts, settings.shingle_words)
    return minhash_from_hashes(hashes, offsets, settings.num_perm)


def signature(text: str, settings: DedupSettings) -> np.ndarray:
    """MinHash signature of one text: ``uint32[num_perm]``."""
    return signatures([text], settings)[0]


def is_empty(sig: np.ndarray) -> bool:
    return bool(np.all(sig == EMPTY))


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """The MinHash estimate of the Jaccard similarity of two documents' shingle sets."""
    if is_empty(sig_a) and is_empty(sig_b):
        return 0.0
    return float(np.mean(np.asarray(sig_a) == np.asarray(sig_b)))


# --- datasketch, for comparison and as the reference the tests hold us to ------------------


def signatures_datasketch(texts: Sequence[str], settings: DedupSettings) -> np.ndarray:
    """The same signatures computed by datasketch (slow; reference and benchmark only).

    datasketch is fed our own 32-bit shingle hashes (an identity ``hashfunc``), so
    the output must equal ``signatures`` exactly.
    """
    from datasketch import MinHash

    hashes, offsets = shingle_hashes_batch(texts, settings.shingle_words)
    x = fold32(hashes)
    out = np.full((len(texts), settings.num_perm), EMPTY, dtype=SIGNATURE_DTYPE)
    for i in range(len(texts)):
        values = x[offsets[i] : offsets[i + 1]].tolist()
        if not values:
            continue
        m = MinHash(num_perm=settings.num_perm, seed=SEED, scheme="affine32", hashfunc=int)
        m.update_batch(values)
        out[i] = m.hashvalues
    return out


def signatures_datasketch_stock(texts: Sequence[str], settings: DedupSettings) -> list:
    """datasketch used the ordinary way: shingle strings, its SHA-1 hash, ``MinHash.bulk``.

    Not comparable with ``signatures`` (another hash function); the benchmark's baseline.
    """
    from datasketch import MinHash

    data = [[s.encode("utf-8") for s in shingle_strings(t, settings.shingle_words)] for t in texts]
    return MinHash.bulk(data, num_perm=settings.num_perm, seed=SEED)
