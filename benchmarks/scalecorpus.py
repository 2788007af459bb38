"""A large corpus of mostly distinct documents from real page material, with planted copies.

    python benchmarks/scalecorpus.py OUT_DIR --docs 100000 [--dup-share 0.07] [--seed 7]

``corpus.py`` makes files unique with a marker line, so its 2,400 files fold into ~100
documents: at 100,000 files that is a dedup worst case, not a crawl. Here every document
has a body of its own, and a known share of them are true near-duplicates:

- **Chrome** (what cleaning must remove): the real pages of ``eval/aeb-dev`` whose article
  paragraphs can be swapped (``dupset.html_template``), and the header/footer/in-body lines
  of the real text dumps of aeb-dev, the seeds and the multilingual dumps
  (``dupset.text_chrome``). Each template is rendered once with placeholders, so a document
  costs a string join, not a parse.
- **Bodies**: 4-12 paragraphs of 1-4 sentences drawn from a pool of real English sentences
  (the gold bodies of aeb-dev, the seeds and the wceb-dev pages); the title is the start of
  one of them. Two documents share a sentence now and then, as real articles quote the same
  wire copy, but not enough to be near duplicates.
- **Copies** (``--dup-share`` of the files): an earlier original's body, 5-15% of its
  sentences dropped and/or added (``dupset.mutate``), quote/case/whitespace noise
  (``dupset.noise``), another headline, under other chrome and often in another format.
- **Formats**: 45% HTML, 15% gzipped HTML, 40% text dumps, 1,000 files per folder.

``truth.jsonl`` lists each file with the original it copies (``null`` for originals).
Deterministic for a given seed, size and material; document i does not depend on the size.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import dupset
from corpus import DEFAULT_EVAL

TITLE, BODY = "QQSCALETITLEQQ", "QQSCALEBODYQQ"
_GOOD = re.compile(r"^[\"“‘(]?[A-Z].{38,298}[.!?][\"”’)]?$")


@dataclass
class Material:
    sentences: list[str]
    html: list[tuple[str, ...]]  # template split at the placeholders: pre-title parts and body slot
    text: list[dupset.TextChrome]


def sentence_pool(eval_dir: Path, articles: list[dupset.Article]) -> list[str]:
    """Real English sentences (one per line of prose, 40-300 characters), deduplicated, in a fixed order."""
    bodies = [a.body for a in articles if a.english]
    gold = eval_dir / "wceb-dev" / "gold.jsonl"
    if gold.is_file():
        for line in gold.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            body = json.loads(line)["body"]
            if dupset.is_english(body):
                bodies.append(body)
    seen: set[str] = set()
    out = []
    for body in bodies:
        for para in dupset.paragraphs_of(body):
            for s in dupset.sentences(para):
                s = " ".join(s.split())
                if _GOOD.match(s) and len(s.split()) >= 7 and s not in seen:
                    seen.add(s)
                    out.append(s)
    return out


def _html_template(t: dupset.HtmlTemplate) -> str:
    page = dupset.render_html(t, TITLE, [BODY])
    page = re.sub(r"<meta[^>]+charset[^>]*>", "", page, flags=re.I)
    return page.replace("<head>", '<head><meta charset="utf-8">', 1)


def load_material(eval_dir: Path = DEFAULT_EVAL) -> Material:
    shared = eval_dir.parent
    articles = dupset.load_articles(shared)
    html_pages = [_html_template(t) for t in (dupset.html_template(a) for a in articles) if t]
    chromes = [c for c in (dupset.text_chrome(a) for a in articles) if c and (c.header or c.footer)]
    return Material(sentence_pool(eval_dir, articles), [p for p in html_pages if f"<p>{BODY}</p>" in p], chromes)


def body_of(i: int, m: Material, seed: int) -> tuple[str, list[str]]:
    """Title and paragraphs of original document ``i`` (a function of ``i`` alone)."""
    rng = random.Random(f"{seed}:body:{i}")
    paras = [" ".join(rng.sample(m.sentences, rng.randint(1, 4))) for _ in range(rng.randint(4, 12))]
    words = rng.choice(m.sentences).split()[: rng.randint(6, 11)]
    return " ".join(words).rstrip(",;:"), paras


def plan(n: int, dup_share: float, seed: int) -> list[int | None]:
    """For each document, the original it copies (an earlier original) or None."""
    rng = random.Random(f"{seed}:plan")
    origin: list[int | None] = []
    originals: list[int] = []
    for i in range(n):
        if originals and rng.random() < dup_share:
            origin.append(rng.choice(originals))
        else:
            origin.append(None)
            originals.append(i)
    return origin


def content(i: int, origin: int | None, m: Material, seed: int, rng: random.Random) -> tuple[str, list[str]]:
    """Title and paragraphs of document ``i``: its own, or a mutated copy of ``origin``'s."""
    if origin is None:
        return body_of(i, m, seed)
    title, paras = body_of(origin, m, seed)
    paras, _ = dupset.mutate(paras, rng.sample(m.sentences, 12), rng)
    paras, _ = dupset.noise(paras, rng)
    title, _ = dupset.headline(title, paras, rng)
    return title, paras


def document(i: int, origin: int | None, m: Material, seed: int) -> tuple[str, bytes]:
    """(file suffix, bytes) of document ``i``."""
    rng = random.Random(f"{seed}:doc:{i}")
    title, paras = content(i, origin, m, seed, rng)
    r = rng.random()
    if r < 0.6:
        page = rng.choice(m.html)
        body = "".join(f"<p>{html.escape(p, quote=False)}</p>\n" for p in paras)
        page = page.replace(f"<p>{BODY}</p>", body, 1).replace(BODY, html.escape(paras[0][:150]))
        data = page.replace(TITLE, html.escape(title)).encode("utf-8")
        return (".html.gz", gzip.compress(data, compresslevel=5, mtime=0)) if r < 0.15 else (".html", data)
    text = dupset.render_text(rng.choice(m.text), title, paras, rng)
    return ".txt", text.encode("utf-8")


def generate(out: Path, n: int, eval_dir: Path = DEFAULT_EVAL, dup_share: float = 0.07, seed: int = 7,
             material: Material | None = None) -> dict:
    """Write ``n`` documents under ``out`` (folders of 1,000) and ``out/../truth.jsonl``; return counts."""
    m = material or load_material(eval_dir)
    origin = plan(n, dup_share, seed)
    out.mkdir(parents=True, exist_ok=True)
    counts = {"documents": n, "copies": 0, ".html": 0, ".html.gz": 0, ".txt": 0,
              "sentences": len(m.sentences), "html_templates": len(m.html), "text_templates": len(m.text)}
    with open(out.parent / "truth.jsonl", "w", encoding="utf-8") as truth:
        for i, o in enumerate(origin):
            suffix, data = document(i, o, m, seed)
            folder = out / f"{i // 1000:04d}"
            if i % 1000 == 0:
                folder.mkdir(exist_ok=True)
            path = folder / f"doc-{i:07d}{suffix}"
            path.write_bytes(data)
            truth.write(json.dumps({"path": str(path.resolve()), "doc": i, "copy_of": o}) + "\n")
            counts[suffix] += 1
            counts["copies"] += o is not None
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--dup-share", type=float, default=0.07)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    args = ap.parse_args()
    print(json.dumps(generate(args.out / "corpus", args.docs, args.eval, args.dup_share, args.seed)))


if __name__ == "__main__":
    main()
