"""Copies whose two cleanings kept different text: each body inside the other's *visible* text.

A page saved as HTML and as a text dump is one article, but the HTML cleaner and the text cleaner
do not cut the same paragraphs (one keeps an "about" box, the other drops the first paragraph), and
the two bodies may share too little for ``winnow.dedup.near``. What a reader sees of a page does
not depend on a cleaner: the *visible text* (``visible_text``: a text dump as it is; the text
nodes of an HTML page, scripts and styles left out). A pair is a copy by its visible texts when
each cleaned body lies inside the other document's visible text, to ``min_containment`` of its
shingles (``shares``): the article of each is on the other's page.

Candidates come from samples of the shingles (``samples``: those whose hash is a multiple of
``SAMPLE_EVERY``, the same shingles in every text): a pair is a candidate when half of one body's
sample is in the other's page sample (``sample_candidates``). Only a body inside a page makes a
candidate: pages of one site that show different articles beside the same chrome do not, as they
would by the similarity of their visible texts (LSH over visible texts made every pair of pages of a
templated site a candidate: 15,000 candidates per 2,000 documents of ``benchmarks/scale.py``).

The guard (``with_visible``): a cleaned body that lies inside the visible texts of two other pages
that are not copies of each other, outside their bodies, while their bodies do not lie inside this
document's page (under ``WITNESS_OTHER``), is a part pages share (``witnessed_parts``): a site's
"about" box or testimonials kept by a cleaner instead of the article, found on other pages beside
other articles. A body near-identical to a
shared part (a verified body pair with Jaccard >= ``NEAR_IDENTICAL``) is that part too. Such a
body is no evidence of a copy when the other side's body is one as well: those pairs are left
out, body pairs included (two pages of a site cleaned to the same sidebar are not copies of each
other); nor when it is the shorter body of a body pair and lies inside the longer one (a teaser
page cleaned to its site's "most commented" list is not a copy of an article page whose body kept
that list too). A pair of an article and a page whose cleaned body is a shared part stays, and joins when only the
article lies inside that page (to ``min_containment``; the page's body, another site's chrome, need
not be on the article's page): the article is on that page, and the page's own body is chrome, so the
page is a copy of the article that its cleaner missed. A page whose own body is a shared part is no
witness (``shared_parts``): the text seen on it may be its own article, which its cleaner missed.
Pairs that are verified copies by their bodies are never witnesses against each other.

Measured on the dev pages of ``benchmarks/crossformat.py`` (the thresholds were chosen there,
not on held-out pages; README, Near duplicates). Pure logic: no warehouse, no Prefect.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterable, Mapping, Sequence

import numpy as np

from winnow.dedup.boilerplate import NEAR_IDENTICAL
from winnow.dedup.clusters import _pair_fields
from winnow.dedup.minhash import fold32, signature_key
from winnow.dedup.shingles import shingle_hashes_batch, shingle_sets
from winnow.settings import DedupSettings

DocId = Hashable
WITNESS_OTHER = 0.5  # the other page's body lies inside this one's page under this share: not a copy
SAMPLE_EVERY = 16  # one shingle in this many is sampled (by its hash) for the candidates
CANDIDATE_SHARE = 0.5  # a body whose sample lies this much inside a page's sample is a candidate
COMMON_PAGES = 100  # a sampled shingle on more pages than this is common: evidence of no copy


def visible_text(content: str, kind: str) -> str:
    """What a reader could see of a page before any cleaning: a text dump as it is; the text nodes
    of an HTML page's body, one a line, scripts, styles and templates left out (``lxml``)."""
    if kind != "html":
        return content
    import lxml.html
    from lxml import etree

    try:
        doc = lxml.html.fromstring(content, parser=_parser())
    except Exception:  # an empty or unparsable page has no visible text
        return ""
    etree.strip_elements(doc, *HIDDEN, with_tail=False)  # as drop_tree: each one's tail stays in place
    body = doc.find("body")
    return "\n".join(t.strip() for t in (doc if body is None else body).itertext() if t.strip())


HIDDEN = ("script", "style", "noscript", "template")
_HIDDEN = frozenset(HIDDEN)


def visible_text_of_tree(tree) -> str:
    """``visible_text`` of a page the HTML cleaner parsed already (``winnow.clean.html.parser``),
    without parsing it again (a parse cost ~2/3 of ``visible_text``'s time) and without changing
    the tree: the text nodes of its body (of the tree without one), one a line, those inside
    scripts, styles, noscripts and templates left out, their tails kept.

    The cleaner's parser drops comments and processing instructions, so text around a comment
    is one text, as a browser shows it ("response<!-- -->s" is "responses" here, two lines for
    ``visible_text``); it reads a page with an XML declaration (``visible_text``: none). Its
    pre-passes change no text a line keeps: they drop scripts and styles and put a space before
    some texts, which the lines are stripped of (``tests/test_visible_text.py`` compares both on
    every real page)."""
    from lxml import etree

    body = tree.find("body")
    root = tree if body is None else body
    out: list[str] = []
    hidden = 0  # depth inside hidden elements
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag in _HIDDEN:
                hidden += 1
            elif not hidden and isinstance(tag, str):  # a comment's text is not shown
                text = el.text
                if text and (text := text.strip()):
                    out.append(text)
            continue
        if tag in _HIDDEN:
            hidden -= 1
        if not hidden and el is not root:
            tail = el.tail
            if tail and (tail := tail.strip()):
                out.append(tail)
    return "\n".join(out)


@functools.cache
def _parser():
    """lxml.html's parser, same settings, but every element is an ``HtmlElement`` chosen in C: lxml.html's
    own asks a Python function for each element's class (forms have their own), a third of the time
    ``visible_text`` took on the benchmark's pages; the text is the same
    (``tests/test_visible_text.py``)."""
    import lxml.html
    from lxml import etree

    parser = etree.HTMLParser()
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
    return parser


@dataclass(frozen=True, order=True)
class VisiblePair:
    """How much of each cleaned body lies inside the other document's visible text, ``a < b``."""

    a: DocId
    b: DocId
    a_in_b: float  # share of a's body shingles found in b's visible text
    b_in_a: float
    a_in_b_body: float = 0.0  # share of a's body shingles found in b's body
    b_in_a_body: float = 0.0


def samples(texts: Sequence[str], settings: DedupSettings) -> list[np.ndarray]:
    """The sampled shingles of each text: the (folded, 32-bit) hashes of its shingles whose 64-bit
    hash is a multiple of ``SAMPLE_EVERY``, sorted. The same shingle is sampled in every text, so a
    body inside a page has its sample inside the page's sample (up to 32-bit collisions)."""
    return samples_of_hashes(*shingle_hashes_batch(list(texts), settings.shingle_words))


def samples_of_hashes(hashes: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    """``samples`` of texts given as their shingle hashes (``shingle_hashes_batch``'s answer: the
    workers' signer hashes a body once for its signature and its sample). Only the sampled hashes
    are sorted, not every shingle of the text (~7 times less work on the throughput corpus)."""
    picked = hashes % np.uint64(SAMPLE_EVERY) == 0
    before = np.concatenate(([0], np.cumsum(picked)))  # before[j]: sampled among hashes[:j]
    kept = fold32(hashes[picked])
    cut = before[offsets]
    return [np.unique(kept[cut[i]:cut[i + 1]]) for i in range(len(offsets) - 1)]


def sample_keys_for(signature_key: str) -> tuple[str, str]:
    """Keys under which the samples of the bodies and of the visible texts are stored, beside
    MinHash signatures stored under ``signature_key`` (same tokens, shingles and hashes)."""
    base = f"sample{SAMPLE_EVERY}:{signature_key}"
    return "body-" + base, "page-" + base


def sample_keys(settings: DedupSettings) -> tuple[str, str]:
    return sample_keys_for(signature_key(settings))


def sample_candidates(
    new: Iterable[DocId], body_samples: Mapping[DocId, np.ndarray], page_samples: Mapping[DocId, np.ndarray],
    common_pages: int = COMMON_PAGES,
) -> list[tuple[DocId, DocId]]:
    """Pairs (a < b) with a new document in them where at least ``CANDIDATE_SHARE`` of one's body
    sample is in the other's page sample: the body may lie inside that page. (The warehouse runs
    the same rule in SQL: ``winnow.storage.dedup.visible_candidates``.) Pages of one site that show
    different articles beside the same chrome are not candidates, as they would be by the
    similarity of the pages. Only the rare sampled shingles count, on both sides: a shingle that
    more than ``common_pages`` of the pages hold (a site's chrome, a sentence every page quotes) is
    no evidence of a copy, and made every body that holds it a candidate with every page that shows
    it (a join that grew with the square of the warehouse). A body without a rare one is no candidate."""
    new = set(new)
    where: dict[int, list] = {}
    for d, hs in page_samples.items():
        for h in np.asarray(hs).tolist():
            where.setdefault(h, []).append(d)
    common = {h for h, ds in where.items() if len(ds) > common_pages}
    out = set()
    for a, hs in body_samples.items():
        hs = [h for h in np.asarray(hs).tolist() if h not in common]
        if not hs:
            continue
        hits: dict = {}
        for h in hs:
            for d in where.get(h, ()):
                hits[d] = hits.get(d, 0) + 1
        for d, n in hits.items():
            if d != a and n >= CANDIDATE_SHARE * len(hs) and (a in new or d in new):
                out.add((a, d) if a < d else (d, a))  # type: ignore[operator]
    return sorted(out)


def shares(
    pairs: Iterable[tuple[DocId, DocId]],
    bodies: Callable[[DocId], str] | Mapping[DocId, str],
    visible: Callable[[DocId], str] | Mapping[DocId, str],
    settings: DedupSettings,
) -> list[VisiblePair]:
    """Both shares of every candidate pair, and of each body inside the other body (sorted by ids);
    the texts are shingled a chunk of pairs at a time."""
    body = bodies.__getitem__ if isinstance(bodies, Mapping) else bodies
    seen = visible.__getitem__ if isinstance(visible, Mapping) else visible
    uniq = sorted({(a, b) if a < b else (b, a) for a, b in pairs if a != b})  # type: ignore[operator]
    k = settings.shingle_words
    out = []
    step = 2000  # pairs at a time: the shingle sets of their documents only are held
    for i in range(0, len(uniq), step):
        chunk = uniq[i : i + step]
        need = sorted({d for p in chunk for d in p})
        cs = dict(zip(need, shingle_sets([body(d) for d in need], k)))
        vs = dict(zip(need, shingle_sets([seen(d) for d in need], k)))

        def share(x: DocId, into: np.ndarray) -> float:
            n = len(cs[x])
            return len(np.intersect1d(cs[x], into, assume_unique=True)) / n if n else 0.0

        out += [VisiblePair(a, b, share(a, vs[b]), share(b, vs[a]), share(a, cs[b]), share(b, cs[a]))
                for a, b in chunk]
    return out


def find_visible_pairs(
    new: Iterable[DocId],
    body_samples: Mapping[DocId, np.ndarray],
    page_samples: Mapping[DocId, np.ndarray],
    bodies: Callable[[DocId], str] | Mapping[DocId, str],
    visible: Callable[[DocId], str] | Mapping[DocId, str],
    settings: DedupSettings,
) -> list[VisiblePair]:
    """The visible pairs worth keeping among the candidates of the ``new`` documents against every
    document of the samples (``sample_candidates``): those where at least one body lies inside the
    other's visible text to ``min_containment`` (a copy, or a witness of a shared part). Depends
    only on the two documents of each pair: an incremental run finds what a run from scratch finds."""
    cands = sample_candidates(new, body_samples, page_samples)
    return [p for p in shares(cands, bodies, visible, settings)
            if max(p.a_in_b, p.b_in_a) >= settings.min_containment]


def _visible_fields(p: Any) -> tuple[DocId, DocId, float, float, float, float]:
    if hasattr(p, "a_in_b"):
        return p.a, p.b, float(p.a_in_b), float(p.b_in_a), float(p.a_in_b_body), float(p.b_in_a_body)
    return tuple(p[:6])  # type: ignore[return-value]


def witnessed_parts(
    vpairs: Iterable[Any], paired: set, min_containment: float, nonempty: Callable[[DocId], bool],
) -> set:
    """Documents whose cleaned body lies (``min_containment``) inside the visible texts of two
    other pages that are not verified copies of each other, each time outside that page's body
    (under ``WITNESS_OTHER`` of it inside the body) while that page's own, non-empty body lies under
    ``WITNESS_OTHER`` inside this document's page: the text is on other pages beside their articles.
    Neither page may be a verified copy of this document by the bodies (``paired``: frozensets of
    verified pairs). A story inside a digest page is inside the digest's body, so the digest is no
    witness; one page alone is not enough either: a copy of the story whose cleaner kept its site's
    chrome instead holds the story beside that chrome."""
    seen_on: dict[DocId, list] = {}  # document -> the pages its body was seen on, beside their article
    for p in vpairs:
        a, b, ab, ba, ab_body, ba_body = _visible_fields(p)
        if frozenset((a, b)) in paired:
            continue
        if ab >= min_containment and ab_body < WITNESS_OTHER and ba < WITNESS_OTHER and nonempty(b):
            seen_on.setdefault(a, []).append(b)
        if ba >= min_containment and ba_body < WITNESS_OTHER and ab < WITNESS_OTHER and nonempty(a):
            seen_on.setdefault(b, []).append(a)
    return {d for d, xs in seen_on.items()
            if any(frozenset((x, y)) not in paired for i, x in enumerate(xs) for y in xs[i + 1:])}


def _same_text(parts: set, edges: list) -> set:
    """``parts`` and every document joined to one of them by ``edges`` (transitively): a body
    near-identical to a shared part is that part too, wherever it was found."""
    adj: dict = {}
    for a, b in edges:
        adj.setdefault(a, []).append(b)
        adj.setdefault(b, []).append(a)
    out, todo = set(parts), list(parts)
    while todo:
        for y in adj.get(todo.pop(), ()):
            if y not in out:
                out.add(y)
                todo.append(y)
    return out


def _apart(f: tuple, parts: set, lengths: Mapping[DocId, int], settings: DedupSettings) -> bool:
    """A body pair left out: both bodies are shared parts, or the shorter one (characters, ties by
    doc id) is and lies inside the other (``min_containment``) without being near-identical to it:
    what the two bodies share is the part (as ``boilerplate.drop_shared_parts`` does for parts found
    by containment alone)."""
    a, b, j, c = f
    if a in parts and b in parts:
        return True
    small = a if (lengths.get(a, 0), a) <= (lengths.get(b, 0), b) else b  # type: ignore[operator]
    return small in parts and c >= settings.min_containment and j < NEAR_IDENTICAL


def with_visible(
    pairs: Sequence[Any], verified: Sequence[Any], vpairs: Sequence[Any], lengths: Mapping[DocId, int],
    settings: DedupSettings,
) -> tuple[list, int, int]:
    """The pairs clusters are made of: ``pairs`` (the verified body pairs the boilerplate filters
    kept) less those of witnessed parts (``_apart``), plus the visible pairs not between two witnessed
    parts and not already there, as ``(a, b, jaccard 0, containment = the smaller share)``: both shares
    >= ``min_containment``, or one body is a witnessed part and the other body lies inside its page to
    ``min_containment`` (containment = that share). ``verified``: every verified body pair
    (witnesses are never copies by their bodies, and a verified pair the boilerplate filters left out
    does not come back by its visible texts: what two bodies share is on both pages). ``lengths``:
    characters of every body (0: empty). Returns (pairs, visible pairs added, body pairs left out)."""
    fields = [_pair_fields(p) for p in verified]
    paired = {frozenset((a, b)) for a, b, _, _ in fields}
    parts = shared_parts(vpairs, fields, settings.min_containment, lambda d: lengths.get(d, 0) > 0)
    kept = [p for p in pairs if not _apart(_pair_fields(p), parts, lengths, settings)]
    have = set(paired)  # a verified body pair that the boilerplate filters left out stays out
    added = []
    mc = settings.min_containment
    for p in vpairs:
        a, b, ab, ba = _visible_fields(p)[:4]
        if frozenset((a, b)) in have or (a in parts and b in parts):
            continue
        # each body on the other's page; or one page's own body is a shared part (its cleaner kept
        # chrome) and the other's body, an article, is on that page: the page is a copy it missed
        if (ab >= mc and ba >= mc) or (ab >= mc and b in parts) or (ba >= mc and a in parts):
            added.append((a, b, 0.0, min(ab, ba) if ab >= mc and ba >= mc else max(ab, ba)))
            have.add(frozenset((a, b)))
    return kept + added, len(added), len(pairs) - len(kept)


def shared_parts(vpairs: Sequence[Any], fields: Sequence[tuple], min_containment: float,
                 nonempty: Callable[[DocId], bool]) -> set:
    """The witnessed parts (``witnessed_parts``) and the bodies near-identical to them, found twice:
    the second time, a page whose own body is a part found the first time is no witness (its cleaner
    kept chrome, not its article, and the text seen on it may be that very article: two copies of a
    story whose cleaners both kept their sites' chrome would otherwise make the story a part)."""
    paired = {frozenset((a, b)) for a, b, _, _ in fields}
    near_identical = [(a, b) for a, b, j, _ in fields if j >= NEAR_IDENTICAL]
    first = _same_text(witnessed_parts(vpairs, paired, min_containment, nonempty), near_identical)
    again = witnessed_parts(vpairs, paired, min_containment, lambda d: nonempty(d) and d not in first)
    return _same_text(again, near_identical)
