"""Generate a near-duplicate benchmark set with known pairs, from real article bodies.

    python benchmarks/dupset.py OUT_DIR [--shared SHARED] [--seed 0] [--copies 3]

Material (read-only, from ``shared/``): the 89 real article bodies of
``eval/aeb-dev/ground-truth.json`` with their real pages (``html/*.html.gz``) and
plain-text renderings (``text/*.txt``), the five seed dumps with their gold bodies
(``seeds/``, ``eval/seeds-gold.jsonl``) and the French/Russian dumps
(``eval/multilingual/``).

What is written to ``OUT_DIR``:

- ``docs/NNNN.txt`` and ``docs/NNNN.html``: one raw page per document;
- ``pairs.json``: the truth (below).

Each article gives one *cluster* of documents that are copies of each other:

- ``original``: the article's real page, as found (its text dump, and for AEB
  articles also its real HTML page);
- ``copy`` x ``--copies``: the body under *another* site's chrome (a real text
  dump's header/footer and in-body lines, or a real HTML page whose article
  paragraphs are replaced), 5-15% of its sentences dropped and/or sentences of
  another article added (sometimes a whole paragraph), quote/dash/case/whitespace
  noise, a different headline.
- ``dump``: half of the HTML copies (and of the HTML on-topic articles) also as a
  text dump of that very page, the way users get them: rendered by inscriptis
  (as ``eval/aeb-dev/text/`` was made) or, one time in three, flattened by lxml's
  ``text_content()`` (one line per block, no layout). The pair (HTML, its dump) and
  the dump's pairs with the rest of the cluster are cross-format pairs.

Documents that must NOT be merged with the cluster of article A:

- ``ontopic``: a distinct article on A's topic: sentences of other articles with
  their names, places, numbers and dates replaced by A's (same entities), around
  A's lede and one more of A's sentences (``ontopic-splice``), or sharing 25-40%
  of A's sentences (``ontopic-followup``);
- ``teaser``: A's headline and first one or two sentences (a short text that is
  almost entirely contained in A);
- real articles of the benchmark on the same story from different outlets
  (``ontopic-real``, e.g. three Doobie Brothers pieces, two Home Depot earnings
  pieces, the five North Korea/Russia seeds).

``pairs.json``::

    {"seed": 0, "docs": [{"id": "0001", "file": "docs/0001.txt", "kind": "text",
                          "cluster": "<article id>", "role": "copy", "source": ...,
                          "chrome": "<site id>", "title": ..., "body": "<true body>",
                          "mutation": {...}}, ...],
     "positive_pairs": [["0001", "0007"], ...],           # same cluster: must merge
     "negative_pairs": [["0003", "0042", "ontopic-splice"], ...]}   # must never merge

Every pair of documents not in ``positive_pairs`` is a non-duplicate; the
``negative_pairs`` are the hard ones, reported on their own. Deterministic for a
given ``--seed`` (and the same shared/ material).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import lxml.html

REPO = Path(__file__).resolve().parents[1]
from shared_folder import SHARED as DEFAULT_SHARED  # noqa: E402  ($WINNOW_SHARED, or beside the repo)

# Real articles of the benchmark that report the same story (different outlets): must not merge.
REAL_ONTOPIC_GROUPS = {
    "doobie-brothers": ["35b15891", "9cb8224b", "ac1bfdd4"],
    "home-depot-earnings": ["51374560", "f8ff621a"],
    "omar-threat-plea": ["6ebac05f", "7a457a4f"],
    "nasa-moon-landers": ["c50845a7", "d1c57d78"],
    "apple-macbook": ["232a43fb", "5fa5679d"],
    "milbank-product-tests": ["30b771a4", "612cd298"],
    "north-korea-russia": ["seed-000", "seed-001", "seed-002", "seed-003", "seed-004"],
}

_W = re.compile(r"\w+")
_SENT = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[^\sa-z])|(?<=[。！？])")
_ENTITY = re.compile(
    r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'\-.]*(?:\s+(?:of|de|the|and|van|von|al)?\s*[A-Z][\w’'\-]*)*"
)
_NUMBER = re.compile(r"\b\d[\d,.:]*\b")
_MONTHS = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)


@dataclass
class Article:
    id: str  # short id (AEB: first 8 hex chars; seeds: "seed-000"; multilingual: "ml-fr")
    body: str
    title: str
    english: bool
    text_path: Path | None = None  # the real dump of its page
    html_path: Path | None = None  # the real HTML page (gzip)
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class TextChrome:
    site: str
    header: list[str]
    footer: list[str]
    inline: list[str]  # non-body lines found between body lines
    indent: str


@dataclass
class HtmlTemplate:
    site: str
    path: Path
    body: str


def grams(text: str, n: int = 3) -> set:
    w = _W.findall(text.lower())
    return {tuple(w[i : i + n]) for i in range(max(0, len(w) - n + 1))}


def is_english(text: str) -> bool:
    w = _W.findall(text.lower())
    common = {"the", "and", "of", "to", "in", "a", "is", "that", "for", "was", "on", "with"}
    return len(w) > 30 and sum(x in common for x in w) / len(w) > 0.12


def sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENT.split(paragraph) if s and s.strip()]


def paragraphs_of(body: str) -> list[str]:
    return [p.strip() for p in body.split("\n") if p.strip()]


# --- material ----------------------------------------------------------------------------


def html_title(path: Path) -> str:
    doc = lxml.html.fromstring(gzip.open(path).read())
    for h in doc.iter("h1"):
        t = " ".join(h.text_content().split())
        if len(t.split()) >= 3:
            return t
    t = " ".join((doc.findtext(".//title") or "").split())
    return re.split(r"\s+[|–—-]\s+", t)[0] if t else ""


def load_articles(shared: Path, titles: bool = True) -> list[Article]:
    aeb = shared / "eval" / "aeb-dev"
    gt = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
    out = []
    for full_id in sorted(gt):
        body = gt[full_id]["articleBody"]
        html = aeb / "html" / f"{full_id}.html.gz"
        out.append(
            Article(
                id=full_id[:8],
                body=body,
                title=html_title(html) if titles else "",
                english=is_english(body),
                text_path=aeb / "text" / f"{full_id}.txt",
                html_path=html,
            )
        )
    for line in (shared / "eval" / "seeds-gold.jsonl").read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        out.append(
            Article(
                id="seed-" + g["file"][:3],
                body=g["body"],
                title=g["title"],
                english=g["language"] == "en",
                text_path=shared / "seeds" / g["file"],
            )
        )
    for line in (shared / "eval" / "multilingual" / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        out.append(
            Article(
                id="ml-" + g["language"],
                body=g["body"],
                title=g["title"],
                english=False,
                text_path=shared / "eval" / "multilingual" / g["file"],
            )
        )
    for a in out:
        a.paragraphs = paragraphs_of(a.body)
    return out


def text_chrome(a: Article) -> TextChrome | None:
    """Header, footer and in-body chrome lines of an article's real text dump."""
    lines = a.text_path.read_text(encoding="utf-8", errors="replace").splitlines()
    bg = grams(a.body)
    tg = grams(a.title)
    is_body = []
    for line in lines:
        g = grams(line)
        is_body.append(len(g) >= 3 and len(g & bg) / len(g) >= 0.5)
    idx = [i for i, b in enumerate(is_body) if b]
    if len(idx) < 2:
        return None
    first, last = idx[0], idx[-1]

    def not_title(line: str) -> bool:
        g = grams(line)
        return not (g and tg and len(g & tg) / len(g) >= 0.5)

    header = [ln for ln in lines[:first] if not_title(ln)]
    footer = lines[last + 1 :]
    inline = [
        ln for i, ln in enumerate(lines[first:last], first)
        if not is_body[i] and ln.strip() and not_title(ln) and len(ln.split()) <= 25
    ]
    body_line = lines[first]
    indent = body_line[: len(body_line) - len(body_line.lstrip())]
    return TextChrome(a.id, header, footer, inline, indent)


def _article_ps(doc, body: str) -> list:
    bg = grams(body)
    out = []
    for p in doc.iter("p"):
        g = grams(p.text_content())
        if len(g) >= 3 and len(g & bg) / len(g) >= 0.6:
            out.append(p)
    return out


def html_template(a: Article) -> HtmlTemplate | None:
    """A real page usable as chrome: its article paragraphs are <p> covering >= 80% of the body."""
    if a.html_path is None:
        return None
    doc = lxml.html.fromstring(gzip.open(a.html_path).read())
    ps = _article_ps(doc, a.body)
    if not ps:
        return None
    bg = grams(a.body)
    covered = set().union(*[grams(p.text_content()) for p in ps]) & bg
    if len(covered) / max(1, len(bg)) < 0.8:
        return None
    return HtmlTemplate(a.id, a.html_path, a.body)


# --- mutation and noise ----------------------------------------------------------------


def mutate(paras: list[str], donor: list[str], rng: random.Random) -> tuple[list[str], dict]:
    """Drop and/or add 5-15% of the text, by whole sentences (sometimes a whole paragraph).

    The share is counted in characters (scripts without spaces count fairly) and capped
    at 20%: a three-sentence brief loses no sentence rather than a third of itself.
    """
    sents = [sentences(p) for p in paras]
    total = sum(len(s) for ss in sents for s in ss)
    frac = rng.uniform(0.05, 0.15)
    mode = rng.choice(["drop", "add", "both"]) if donor else "drop"
    share = {"drop": (frac, 0.0), "add": (0.0, frac), "both": (frac / 2, frac / 2)}[mode]
    want_drop, want_add = share[0] * total, share[1] * total
    cap = 0.20 * total
    info = {"mode": mode, "chars": total, "dropped_chars": 0, "added_chars": 0, "paragraph_dropped": False}
    drop: set = set()
    dropped = 0
    if want_drop:
        whole = [pi for pi, ss in enumerate(sents)
                 if pi > 0 and len(sents) > 3 and sum(len(s) for s in ss) <= min(cap, 1.5 * want_drop)]
        if whole and rng.random() < 0.5:
            pi = rng.choice(whole)
            drop |= {(pi, si) for si in range(len(sents[pi]))}
            dropped = sum(len(s) for s in sents[pi])
            info["paragraph_dropped"] = True
        rest = [(pi, si) for pi, ss in enumerate(sents) for si in range(len(ss)) if (pi, si) != (0, 0)]
        rng.shuffle(rest)
        for pi, si in rest:
            if dropped >= want_drop:
                break
            w = len(sents[pi][si])
            if (pi, si) not in drop and dropped + w <= cap:
                drop.add((pi, si))
                dropped += w
    info["dropped_chars"] = dropped
    out = [[s for si, s in enumerate(ss) if (pi, si) not in drop] for pi, ss in enumerate(sents)]
    added: list[str] = []
    n_added = 0
    if want_add and donor:
        pool = list(donor)
        rng.shuffle(pool)
        for s in pool:
            if n_added >= want_add:
                break
            w = len(s)
            if n_added + w <= cap:
                added.append(s)
                n_added += w
    info["added_chars"] = n_added
    if added:
        if rng.random() < 0.5 or len(out) < 2:  # a paragraph of its own
            out.insert(rng.randint(1, max(1, len(out))), added)
        else:  # spread into paragraphs
            for s in added:
                p = out[rng.randrange(len(out))]
                p.insert(rng.randint(0, len(p)), s)
    return [" ".join(p) for p in out if p], info


_QUOTES_STRAIGHT = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "--", "–": "-"})


def _curly(text: str) -> str:
    text = re.sub(r'"(?=\w)', "“", text)
    text = text.replace('"', "”")
    return re.sub(r"(?<=\w)'(?=\w)", "’", text)


def noise(paras: list[str], rng: random.Random) -> tuple[list[str], list[str]]:
    """Quote, dash, case and whitespace noise of the kind copies pick up between sites."""
    kinds = []
    if rng.random() < 0.5:
        paras = [p.translate(_QUOTES_STRAIGHT) for p in paras]
        kinds.append("straight-quotes")
    elif rng.random() < 0.5:
        paras = [_curly(p) for p in paras]
        kinds.append("curly-quotes")
    if rng.random() < 0.4:  # a dateline or a lead-in shouted, or a sentence in lower case
        i = rng.randrange(len(paras))
        w = paras[i].split(" ")
        cut = min(len(w), rng.randint(2, 6))
        paras[i] = " ".join([x.upper() for x in w[:cut]] + w[cut:])
        kinds.append("upper-lead")
    if rng.random() < 0.3:
        i = rng.randrange(len(paras))
        paras[i] = paras[i].lower()
        kinds.append("lower-paragraph")
    if rng.random() < 0.6:
        ws = rng.choice(["  ", "\u00a0", " \t", "   "])
        paras = [re.sub(r"(?<=[.,;:]) ", ws, p) if rng.random() < 0.5 else p for p in paras]
        kinds.append("whitespace")
    return paras, kinds


def headline(title: str, paras: list[str], rng: random.Random) -> tuple[str, str]:
    words = title.split()
    r = rng.random()
    if not words or r < 0.25:  # a headline made from the lede
        lede = sentences(paras[0])[0] if paras else title
        w = lede.split()[: rng.randint(7, 12)]
        return " ".join(w).rstrip(",;:"), "from-lede"
    if r < 0.45:
        return title.upper(), "upper"
    if r < 0.65:
        return rng.choice(["UPDATE: ", "WATCH: ", "Report: ", "Breaking: ", ""]) + title, "prefixed"
    if r < 0.85 and len(words) > 5:
        cut = rng.randint(1, len(words) - 4)
        return " ".join(words[cut:] + ["—"] + words[:cut]), "reordered"
    return title + rng.choice([" | Wire", " - Agency report", ": what we know", ""]), "suffixed"


# --- distinct articles on the same topic -----------------------------------------------------


def entities(text: str) -> dict[str, list[str]]:
    """Names, numbers and dates of a text, each kind by decreasing frequency."""
    stop = {"the", "a", "an", "it", "he", "she", "they", "we", "i", "but", "and", "in", "on", "this", "that"}
    out = {}
    for kind, rx in (("date", _MONTHS), ("name", _ENTITY), ("number", _NUMBER)):
        counts: dict[str, int] = {}
        for m in rx.finditer(text):
            e = m.group(0).strip(" .,")
            if len(e) > 1 and e.lower() not in stop and not _MONTHS.fullmatch(e) or kind == "date":
                counts[e] = counts.get(e, 0) + 1
        out[kind] = [e for e, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    return out


def transplant(sents: list[str], donor_text: str, target_text: str) -> list[str]:
    """Replace the donor's names, numbers and dates by the target's (by frequency rank, kind by kind)."""
    src, dst = entities(donor_text), entities(target_text)
    mapping = {}
    for kind in ("number", "name", "date"):
        for i, e in enumerate(src[kind][:60]):
            if dst[kind]:
                mapping[e] = dst[kind][i % len(dst[kind])]
    if not mapping:
        return sents
    rx = re.compile(r"\b(" + "|".join(re.escape(s) for s in sorted(mapping, key=len, reverse=True)) + r")\b")
    return [rx.sub(lambda m: mapping[m.group(1)], s) for s in sents]


def ontopic(a: Article, donors: list[Article], rng: random.Random, followup: bool,
            used: set) -> tuple[list[str], dict] | None:
    a_sents = [s for p in a.paragraphs for s in sentences(p)]
    target_words = int(len(a.body.split()) * rng.uniform(0.7, 1.3))
    if followup:
        share = rng.uniform(0.25, 0.40)
        keep = sorted(rng.sample(range(len(a_sents)), max(1, int(share * len(a_sents)))))
        own = [a_sents[i] for i in keep]
    else:
        quotes = [s for s in a_sents[1:] if "“" in s or '"' in s] or a_sents[1:2]
        own = [a_sents[0]] + ([rng.choice(quotes)] if quotes else [])
    new: list[str] = []
    words = sum(len(x.split()) for x in own)
    took: dict[str, None] = {}
    for d in donors:
        # Each donor sentence serves one on-topic article only; one donor gives at most a
        # fifth of its sentences and a quarter of the article, so that the article is no
        # near-copy of any donor either.
        if words >= target_words:
            break
        d_sents = [s for p in d.paragraphs for s in sentences(p)]
        fresh = [i for i in range(len(d_sents)) if (d.id, i) not in used]
        fresh = sorted(rng.sample(fresh, min(len(fresh), len(d_sents) // 5)))
        mapped = transplant([d_sents[i] for i in fresh], d.body, a.body)
        budget = words + target_words // 4
        for i, s in zip(fresh, mapped):
            if words >= min(target_words, budget):
                break
            used.add((d.id, i))
            took.setdefault(d.id, None)
            new.append(s)
            words += len(s.split())
    if words < 0.6 * target_words:
        return None
    # A's sentences at their relative places among the new ones.
    out = list(new)
    for i, s in enumerate(own):
        out.insert(min(len(out), round(i * len(out) / max(1, len(own)))), s)
    paras, cur = [], []
    for s in out:
        cur.append(s)
        if len(cur) >= rng.randint(2, 4):
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    info = {"shared_sentences": len(own), "sentences": len(out), "donors": list(took)}
    return paras, info


# --- rendering -------------------------------------------------------------------------------


def render_text(ch: TextChrome, title: str, paras: list[str], rng: random.Random) -> str:
    indent = ch.indent if rng.random() < 0.5 else ""
    blank = rng.random() < 0.7
    body: list[str] = []
    inline = list(ch.inline)
    rng.shuffle(inline)
    n_inline = min(len(inline), rng.randint(0, 2))
    slots = set(rng.sample(range(1, max(2, len(paras))), min(n_inline, max(0, len(paras) - 1))))
    for i, p in enumerate(paras):
        if i in slots and inline:
            body.append(inline.pop().strip())
            if blank:
                body.append("")
        body.append(indent + p)
        if blank:
            body.append("")
    lines = ch.header + ["", indent + title, ""] + body + ch.footer
    text = "\n".join(lines) + "\n"
    if rng.random() < 0.15:
        text = text.replace("\n", "\r\n")
    return text


_BLOCK_TAGS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "br", "section", "article",
               "header", "footer", "nav", "aside", "blockquote", "figcaption", "ul", "ol", "table", "title")


def render_dump(html: str, how: str) -> str:
    """A text dump of an HTML page: ``inscriptis`` (its layout: indentation, bullets) or
    ``flat`` (lxml ``text_content()`` with a line break after every block element)."""
    if how == "inscriptis":
        import inscriptis

        return inscriptis.get_text(html)
    doc = lxml.html.fromstring(html)
    for bad in doc.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    for el in doc.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
    lines = (" ".join(x.split()) for x in doc.text_content().split("\n"))
    return "\n".join(x for x in lines if x) + "\n"


def render_html(t: HtmlTemplate, title: str, paras: list[str]) -> str:
    doc = lxml.html.fromstring(gzip.open(t.path).read())
    ps = _article_ps(doc, t.body)
    first = ps[0]
    parent = first.getparent()
    at = parent.index(first)
    inserted = []
    for i, para in enumerate(paras):
        p = lxml.html.Element("p")
        p.text = para
        parent.insert(at + i, p)
        inserted.append(p)
    for p in ps:
        p.getparent().remove(p)
    protected = set()  # the new paragraphs and everything around them
    for p in inserted:
        x = p
        while x is not None:
            protected.add(x)
            x = x.getparent()
    # Leftovers of the template's own article (captions, subheads, lists, quotes, metadata).
    bg = grams(t.body)
    for el in list(doc.iter()):
        if el.getparent() is None or not isinstance(el.tag, str) or el in protected:
            continue
        if el.tag == "script" and "ld+json" in (el.get("type") or ""):
            el.getparent().remove(el)
            continue
        if el.tag in ("p", "h2", "h3", "h4", "li", "blockquote", "figcaption", "span", "div", "td", "em", "strong"):
            g = grams(el.text_content())
            if len(g) >= 3 and len(g & bg) / len(g) >= 0.5:
                el.getparent().remove(el)
    for m in doc.iter("meta"):
        key = (m.get("property") or m.get("name") or "").lower()
        if key in ("og:title", "twitter:title", "title"):
            m.set("content", title)
        elif "description" in key:
            m.set("content", paras[0][:150] if paras else "")
    for el in doc.iter("title"):
        el.text = title
    for h in doc.iter("h1"):
        for c in list(h):
            h.remove(c)
        h.text = title
        break
    else:
        body = doc.find(".//body")
        if body is not None:
            h = lxml.html.Element("h1")
            h.text = title
            parent.insert(at, h)
    return lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")


# --- the set -----------------------------------------------------------------------------------


def build(out: Path, shared: Path = DEFAULT_SHARED, seed: int = 0, copies: int = 3) -> dict:
    rng = random.Random(seed)
    arts = load_articles(shared)
    by_id = {a.id: a for a in arts}
    text_chromes = [c for c in (text_chrome(a) for a in arts) if c and (c.header or c.footer)]
    html_templates = [t for t in (html_template(a) for a in arts) if t]
    english = [a for a in arts if a.english]
    docs: list[dict] = []

    def add(cluster: str, role: str, kind: str, content: str, **meta) -> None:
        docs.append({"cluster": cluster, "role": role, "kind": kind, "content": content, **meta})

    # Text dumps of HTML copies draw from their own generator: the rest of the set is the
    # same as without them.
    dump_rng = random.Random(f"dump-{seed}")

    def add_dump_of_last() -> None:
        d = docs[-1]
        if dump_rng.random() >= 0.5:
            return
        how = "inscriptis" if dump_rng.random() < 2 / 3 else "flat"
        meta = {k: v for k, v in d.items() if k not in ("cluster", "role", "kind", "content")}
        add(d["cluster"], d["role"], "text", render_dump(d["content"], how), **meta, dump_of=len(docs) - 1,
            renderer=how)

    for a in arts:
        # The real page(s), as found.
        add(a.id, "original", "text", a.text_path.read_text(encoding="utf-8", errors="replace"),
            source=str(a.text_path.relative_to(shared)), chrome=a.id, title=a.title, body=a.body)
        if a.html_path is not None:
            add(a.id, "original", "html", gzip.open(a.html_path).read().decode("utf-8", errors="replace"),
                source=str(a.html_path.relative_to(shared)), chrome=a.id, title=a.title, body=a.body)
        # Added sentences come from another article in the same language (English only:
        # the other languages have one article each, so their copies only lose sentences).
        others = [d for d in english if d.id != a.id] if a.english else []
        for c in range(copies):
            donor = rng.choice(others) if others else None
            pool = [s for p in donor.paragraphs for s in sentences(p)] if donor else []
            paras, mut = mutate(a.paragraphs, pool, rng)
            paras, noise_kinds = noise(paras, rng)
            title, how = headline(a.title, a.paragraphs, rng)
            mut.update(noise=noise_kinds, headline=how, donor=donor.id if donor else None)
            if rng.random() < 0.5:
                ch = rng.choice([x for x in text_chromes if x.site != a.id])
                add(a.id, "copy", "text", render_text(ch, title, paras, rng), chrome=ch.site,
                    title=title, body="\n".join(paras), mutation=mut)
            else:
                t = rng.choice([x for x in html_templates if x.site != a.id])
                add(a.id, "copy", "html", render_html(t, title, paras), chrome=t.site,
                    title=title, body="\n".join(paras), mutation=mut)
                add_dump_of_last()

    # Distinct articles on the same topics (English articles with enough sentences).
    used: set = set()
    for a in english:
        n_sents = sum(len(sentences(p)) for p in a.paragraphs)
        if n_sents < 6:
            continue
        followup = rng.random() < 0.4
        donors = [d for d in english if d.id != a.id]
        rng.shuffle(donors)
        made = ontopic(a, donors, rng, followup, used)
        if made is None:  # other articles' sentences ran out: no on-topic article for this one
            continue
        paras, info = made
        paras, _ = noise(paras, rng)
        title, _ = headline(a.title, paras, rng)
        role = "ontopic-followup" if followup else "ontopic-splice"
        if rng.random() < 0.5:
            ch = rng.choice([x for x in text_chromes if x.site != a.id])
            add(a.id + "~" + role, role, "text", render_text(ch, title, paras, rng), chrome=ch.site,
                title=title, body="\n".join(paras), against=a.id, mutation=info)
        else:
            t = rng.choice([x for x in html_templates if x.site != a.id])
            add(a.id + "~" + role, role, "html", render_html(t, title, paras), chrome=t.site,
                title=title, body="\n".join(paras), against=a.id, mutation=info)
            add_dump_of_last()
        if rng.random() < 0.4:  # a teaser of A
            lede = sentences(a.paragraphs[0])
            paras = [" ".join(lede[: rng.randint(1, 2)])]
            if len(paras[0].split()) < 25 and len(a.paragraphs) > 1:
                paras.append(sentences(a.paragraphs[1])[0])
            ch = rng.choice([x for x in text_chromes if x.site != a.id])
            add(a.id + "~teaser", "teaser", "text", render_text(ch, a.title, paras + ["Read more »"], rng),
                chrome=ch.site, title=a.title, body="\n".join(paras), against=a.id)

    order = list(range(len(docs)))
    rng.shuffle(order)
    new_index = {old: new for new, old in enumerate(order)}
    docs = [docs[i] for i in order]
    out.mkdir(parents=True, exist_ok=True)
    (out / "docs").mkdir(exist_ok=True)
    for f in (out / "docs").iterdir():
        f.unlink()
    for i, d in enumerate(docs, 1):
        d["id"] = f"{i:04d}"
    for d in docs:
        if "dump_of" in d:
            d["dump_of"] = docs[new_index[d["dump_of"]]]["id"]
    for d in docs:
        d["file"] = f"docs/{d['id']}.{'html' if d['kind'] == 'html' else 'txt'}"
        (out / d["file"]).write_text(d.pop("content"), encoding="utf-8", newline="")

    by_cluster: dict[str, list[str]] = {}
    for d in docs:
        by_cluster.setdefault(d["cluster"], []).append(d["id"])
    positive = sorted(tuple(sorted(p)) for ids in by_cluster.values() for p in combinations(ids, 2))
    negative = set()
    for d in docs:
        if "against" in d:
            for other in by_cluster[d["against"]]:
                negative.add((*sorted((d["id"], other)), d["role"]))
    for name, group in REAL_ONTOPIC_GROUPS.items():
        for x, y in combinations([g for g in group if g in by_id], 2):
            for i in by_cluster[x]:
                for j in by_cluster[y]:
                    negative.add((*sorted((i, j)), "ontopic-real"))
    truth = {
        "seed": seed,
        "copies": copies,
        "docs": docs,
        "positive_pairs": [list(p) for p in positive],
        "negative_pairs": [list(p) for p in sorted(negative)],
    }
    (out / "pairs.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="output folder (docs/ and pairs.json are written there)")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ material folder")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--copies", type=int, default=3, help="mutated copies per article")
    args = ap.parse_args(argv)
    if not (args.shared / "eval" / "aeb-dev" / "ground-truth.json").exists():
        print(f"error: no benchmark material under {args.shared} (use --shared)", file=sys.stderr)
        return 2
    t = build(args.out, args.shared, args.seed, args.copies)
    roles: dict[str, int] = {}
    for d in t["docs"]:
        roles[d["role"]] = roles.get(d["role"], 0) + 1
    print(f"{len(t['docs'])} documents ({', '.join(f'{k} {v}' for k, v in sorted(roles.items()))}), "
          f"{len(t['positive_pairs'])} duplicate pairs, {len(t['negative_pairs'])} must-not-merge pairs -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
