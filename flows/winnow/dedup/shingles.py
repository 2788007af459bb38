"""Word shingles for near-duplicate detection.

A document becomes a set of 64-bit shingle hashes; MinHash signatures and the
exact Jaccard/containment check are both computed on that one set, so what LSH
finds and what verification measures are the same thing.

Tokens are winnow's one tokenisation (``winnow.vocab.words``: NFKC + full case
folding; runs of letters/digits/marks; one token per character of Han, Kana, Thai
...): the exact-duplicate hash is computed on the same tokens, so equal hashes
always mean equal shingle sets.

A shingle is ``k`` consecutive tokens (``k = DedupSettings.shingle_words``); a text
with 1..k-1 tokens has one shingle (all its tokens), an empty one has none.

Hashing is vectorised over a whole batch of documents (no Python call per token or
shingle): a token's hash is a polynomial hash mod 2^64 of its code points (numpy
prefix sums), a shingle's hash the MurmurHash3 64-bit finaliser of
``sum(token[i+m] * C[m])``. The constants and the tokenisation are part of the
stored-signature format (``minhash.SIGNATURE_VERSION``): change them and stored
signatures are stale.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from winnow.vocab import words
from winnow.vocab.words import tokens

# Hash constants (fixed forever for a given SIGNATURE_VERSION).
_BASE = 0x9E3779B97F4A7C15  # odd, so invertible mod 2^64
_BASE_INV = pow(_BASE, -1, 1 << 64)
_MIX = (  # odd multipliers of the k tokens of a shingle (k <= len(_MIX))
    0xD6E8FEB86659FD93, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3,
    0x589965CC75374CC3, 0x1D8E4E27C47D124F, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB,
    0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5, 0x85EBCA77C2B2AE63,
    0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x9FB21C651E98DF25, 0x2545F4914F6CDD1D,
)
MAX_SHINGLE_WORDS = len(_MIX)
_CHUNK_CHARS = 1 << 18  # code points per numpy pass (bounds the temporaries to ~30 MB)


def shingle_strings(text: str, k: int) -> list[str]:
    """The shingles of ``text`` as strings (for inspection and the datasketch baseline)."""
    toks = tokens(text)
    if not toks:
        return []
    if len(toks) < k:
        return [" ".join(toks)]
    return [" ".join(toks[i : i + k]) for i in range(len(toks) - k + 1)]


class _Powers:
    """BASE^i and BASE^-i mod 2^64 for i < n, grown on demand and cached (thread-safe:
    the pair is replaced in one assignment, never half-updated)."""

    def __init__(self) -> None:
        one = np.ones(1, dtype=np.uint64)
        self.arrays = (one, one)

    def get(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        pw, inv = self.arrays
        if n > len(pw):
            size = max(n, 2 * len(pw), 1 << 16)
            p = np.full(size, _BASE, dtype=np.uint64)
            p[0] = 1
            q = np.full(size, _BASE_INV, dtype=np.uint64)
            q[0] = 1
            pw, inv = np.cumprod(p, dtype=np.uint64), np.cumprod(q, dtype=np.uint64)
            self.arrays = (pw, inv)
        return pw[:n], inv[:n]


_POWERS = _Powers()


def fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (a bijection), element-wise, wrapping arithmetic."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _hash_chunk(docs: list[np.ndarray], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of normalised code-point arrays, and how many belong to each doc."""
    nd = len(docs)
    # Docs joined with a space so that no token spans two docs.
    cp = np.concatenate([x for d in docs for x in (d, _SPACE)])
    doc_start = np.zeros(nd, dtype=np.int64)
    np.cumsum([len(d) + 1 for d in docs[:-1]], out=doc_start[1:])
    cw, starts, ends, kept_idx, _ = words.token_spans(cp)
    if len(starts) == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(nd, dtype=np.int64)
    tok_doc = np.searchsorted(doc_start, kept_idx[starts], side="right") - 1
    return _shingles(cw, starts, ends, tok_doc, nd, k)


def _shingles(cw: np.ndarray, starts: np.ndarray, ends: np.ndarray, tok_doc: np.ndarray, nd: int,
              k: int) -> tuple[np.ndarray, np.ndarray]:
    """Shingle hashes of ``nd`` docs' tokens (token ``i``: ``cw[starts[i]:ends[i]]``, of doc
    ``tok_doc[i]``, in order), and how many belong to each doc."""
    n = len(cw)
    pw, inv = _POWERS.get(n + 1)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(cw.astype(np.uint64) * pw[:n], out=prefix[1:])
    tok = fmix64((prefix[ends] - prefix[starts]) * inv[starts])  # one hash per token
    ntok = np.bincount(tok_doc, minlength=nd)
    # Each doc's tokens followed by k-1 zero slots: a window never reaches the next doc,
    # and a doc with fewer than k tokens has one shingle made of all of them.
    pad = np.zeros(len(tok) + nd * (k - 1) + k, dtype=np.uint64)
    slot = np.arange(len(tok)) + tok_doc * (k - 1)
    pad[slot] = tok
    m_total = len(pad) - k + 1
    acc = pad[:m_total] * np.uint64(_MIX[0])
    for m in range(1, k):
        acc += pad[m : m + m_total] * np.uint64(_MIX[m])
    counts = np.where(ntok >= k, ntok - k + 1, np.minimum(ntok, 1))
    total = int(counts.sum())
    doc_slot0 = np.zeros(nd, dtype=np.int64)  # first slot of each doc
    np.cumsum(ntok[:-1] + (k - 1), out=doc_slot0[1:])
    first_sh = np.zeros(nd, dtype=np.int64)
    np.cumsum(counts[:-1], out=first_sh[1:])
    sel = np.repeat(doc_slot0 - first_sh, counts) + np.arange(total)
    return fmix64(acc[sel]), counts


_SPACE = np.array([32], dtype="<u4")


def shingle_hashes_batch(texts: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """64-bit shingle hashes of many texts at once.

    Returns ``(hashes, offsets)``: text ``i``'s hashes are ``hashes[offsets[i]:offsets[i+1]]``
    (in text order, repeats kept; an empty text has none).
    """
    if not 1 <= k <= MAX_SHINGLE_WORDS:
        raise ValueError(f"shingle_words must be in 1..{MAX_SHINGLE_WORDS}, not {k}")
    n = len(texts)
    counts = np.zeros(n, dtype=np.int64)
    parts: list[np.ndarray] = []
    chunk: list[np.ndarray] = []
    first = 0
    size = 0
    for i, text in enumerate(texts):
        cp = words.codepoints(text)
        chunk.append(cp)
        size += len(cp) + 1
        if size >= _CHUNK_CHARS or i == n - 1:
            h, c = _hash_chunk(chunk, k)
            parts.append(h)
            counts[first : i + 1] = c
            chunk, first, size = [], i + 1, 0
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    hashes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    return hashes, offsets


def shingle_hashes_of_tokens(docs: Sequence[words.Tokens], k: int) -> tuple[np.ndarray, np.ndarray]:
    """``shingle_hashes_batch`` of texts already tokenised (``winnow.vocab.Tokens``: a worker's
    filter tokenised each body; its signature stage does not again). The same hashes and offsets."""
    if not 1 <= k <= MAX_SHINGLE_WORDS:
        raise ValueError(f"shingle_words must be in 1..{MAX_SHINGLE_WORDS}, not {k}")
    n = len(docs)
    counts = np.zeros(n, dtype=np.int64)
    parts: list[np.ndarray] = []
    first = 0
    while first < n:
        last, size = first, 0  # whole docs per numpy pass, up to _CHUNK_CHARS code points (at least one)
        while last < n and (last == first or size + len(docs[last].chars) <= _CHUNK_CHARS):
            size += len(docs[last].chars)
            last += 1
        chunk = docs[first:last]
        shift = np.zeros(len(chunk), dtype=np.int64)
        np.cumsum([len(d.chars) for d in chunk[:-1]], out=shift[1:])
        ntok = [len(d) for d in chunk]
        if sum(ntok):
            tok_doc = np.repeat(np.arange(len(chunk)), ntok)
            h, c = _shingles(np.concatenate([d.chars for d in chunk]),
                             np.concatenate([d.starts for d in chunk]) + shift[tok_doc],
                             np.concatenate([d.ends for d in chunk]) + shift[tok_doc], tok_doc, len(chunk), k)
            parts.append(h)
            counts[first:last] = c
        first = last
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    hashes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    return hashes, offsets


def shingle_set(text: str, k: int) -> np.ndarray:
    """The sorted, unique 64-bit shingle hashes of one text (the set verification compares)."""
    h, _ = shingle_hashes_batch([text], k)
    return np.unique(h)


def shingle_sets(texts: Iterable[str], k: int) -> list[np.ndarray]:
    """``shingle_set`` of many texts, hashed in one batch."""
    texts = list(texts)
    h, off = shingle_hashes_batch(texts, k)
    return [np.unique(h[off[i] : off[i + 1]]) for i in range(len(texts))]
