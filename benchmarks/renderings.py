"""The dev pages with gold text, and plain-text dumps of them in several renderings.

    python benchmarks/renderings.py [--eval-dir SHARED/eval]   # builds the cache, prints counts

Data sets (each scored on its own; ``shared/eval/wceb-dev/README.md`` says how
each marks its content):

- ``aeb-dev``: 89 news pages (``aeb-dev/html``, gold ``articleBody``);
- ``dragnet``, ``readability``, ``cleanportaleval``, ``cleaneval-dev``: the four
  ``wceb-dev`` subsets. Dragnet's gold is cut at its comments marker, since winnow
  drops reader comments.

Renderings of a page's HTML (a text dump is whatever some tool made of a page):

- ``inscriptis``: ``inscriptis.get_text`` with default settings (layout kept as
  indentation and list bullets); aeb-dev uses the shared ``aeb-dev/text`` files,
  which are exactly that;
- ``flat``: the same with indentation and list bullets removed and runs of blank
  lines folded to one (what copy-pasting from a browser gives);
- ``wrapped``: ``flat`` hard-wrapped at 72-80 columns (the width varies by page), as
  ``lynx -dump``, ``w3m -dump`` and e-mail produce: a paragraph becomes several lines;
- ``markdown``: html2text (Markdown-like: ``#`` headings, ``*`` bullets, ``**bold**``,
  ``[link](url)``), lines not wrapped. A stray end tag of ``script``, ``style`` or
  ``head`` is ignored (see ``_Markdown``): unpatched, html2text goes silent for the
  rest of the page after one, and the dump loses the article.

Renderings are cached under ``benchmarks/out/renderings/`` (git-ignored), one
gzipped JSON file per data set and rendering, named with a hash of this file
(``SOURCE_KEY``), rebuilt when missing. A page a
renderer cannot render counts as an empty text.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
from shared_folder import EVAL as DEFAULT_EVAL  # noqa: E402
CACHE = ROOT / "benchmarks" / "out" / "renderings"
DATASETS = ("aeb-dev", "dragnet", "readability", "cleanportaleval", "cleaneval-dev")
RENDERINGS = ("inscriptis", "flat", "wrapped", "markdown")
_COMMENTS = re.compile(r"^[!@#$%^&*() \t]{6,}COMMENTS\s*$", re.M)
_WRAPPER = re.compile(r"(?:^<text [^>]+>\s*|\s*</text>$)", re.M)
_MARKER = re.compile(r"^\s*(?:[*+o•·-]|\d{1,2}[.)])\s+")
_BLANKS = re.compile(r"\n\s*\n(?:\s*\n)+")
# the renderers' code is part of what a cached rendering (and the rows and models trained on it) depends on
SOURCE_KEY = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]


@dataclass
class Page:
    dataset: str
    id: str
    html: str
    gold: str

    @property
    def key(self) -> str:
        return f"{self.dataset}/{self.id}"


def load_pages(eval_dir: Path = DEFAULT_EVAL, datasets=DATASETS) -> list[Page]:
    """Every page of the chosen data sets, in a fixed order, with its gold."""
    eval_dir = Path(eval_dir)
    pages: list[Page] = []
    if "aeb-dev" in datasets:
        d = eval_dir / "aeb-dev"
        gold = json.loads((d / "ground-truth.json").read_text(encoding="utf-8"))
        for f in sorted((d / "html").glob("*.html.gz")):
            pid = f.name.split(".")[0]
            html = gzip.decompress(f.read_bytes()).decode("utf-8", "replace")
            pages.append(Page("aeb-dev", pid, html, gold[pid]["articleBody"]))
    w = eval_dir / "wceb-dev"
    recs = [json.loads(x) for x in (w / "gold.jsonl").read_text(encoding="utf-8").split("\n") if x.strip()]
    for r in sorted(recs, key=lambda r: (DATASETS.index(r["subset"]), r["id"])):
        if r["subset"] not in datasets:
            continue
        raw = gzip.decompress((w / "html" / r["subset"] / f"{r['id']}.html.gz").read_bytes())
        html = raw.decode(r["encoding"], errors="ignore")
        if r["subset"] in ("cleaneval-dev", "cleanportaleval"):
            html = _WRAPPER.sub("", html)
        gold = r["body"]
        if r["subset"] == "dragnet":
            m = _COMMENTS.search(gold)
            gold = gold[: m.start()] if m else gold
        pages.append(Page(r["subset"], r["id"], html, gold))
    return pages


# ---------------------------------------------------------------- renderers

def render_inscriptis(html: str) -> str:
    import inscriptis

    try:
        return inscriptis.get_text(html) or ""
    except Exception:  # a page the renderer cannot render is an empty dump
        return ""


def flatten(text: str) -> str:
    """No indentation, no list bullets, at most one blank line in a row."""
    lines = [_MARKER.sub("", ln).strip() for ln in text.splitlines()]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip() + "\n"


def wrap_width(key: str) -> int:
    """72-80 columns, fixed per page (so every width is represented, deterministically)."""
    return 72 + int(hashlib.sha1(key.encode()).hexdigest(), 16) % 9


def hard_wrap(text: str, width: int) -> str:
    out = []
    for ln in text.splitlines():
        out.append(textwrap.fill(ln, width=width, break_long_words=False, break_on_hyphens=False) if ln.strip() else "")
    return "\n".join(out)


def _markdown_converter():
    import html2text

    class _Markdown(html2text.HTML2Text):
        """html2text, except that an end tag without its start tag does not silence the rest of the page.

        html2text counts ``<head>``, ``<script>`` and ``<style>`` up and their end tags down, and
        writes text only while the count is 0. Python's ``html.parser`` ends a script at the first
        ``</script>``, even one inside a JavaScript string in an HTML comment
        (``<script><!-- document.write('<script src=x></script>'); //--></script>``), where a browser
        reads on to the real end tag (the HTML5 "script data double escaped" state). The real end tag
        then arrives unpaired, the count goes to -1, and html2text writes nothing more: 9 of Dragnet's
        dumps and one of Readability's ended before their article. A browser ignores an unpaired end
        tag, and so does this: the count never goes below 0. What the early end leaves behind (the
        rest of the script, ``'); //-->``) is written out as text, as html2text does.
        """

        def handle_tag(self, tag, attrs, start):
            super().handle_tag(tag, attrs, start)
            self.quiet = max(self.quiet, 0)
            self.style = max(self.style, 0)

    return _Markdown()


def render_markdown(html: str) -> str:
    h = _markdown_converter()
    h.body_width = 0  # no wrapping: the wrapped rendering tests that on its own
    try:
        return h.handle(html) or ""
    except Exception:
        return ""


def render(page: Page, rendering: str, inscriptis_text: str | None = None) -> str:
    if rendering == "markdown":
        return render_markdown(page.html)
    base = inscriptis_text if inscriptis_text is not None else render_inscriptis(page.html)
    if rendering == "inscriptis":
        return base
    if rendering == "flat":
        return flatten(base)
    if rendering == "wrapped":
        return hard_wrap(flatten(base), wrap_width(page.key))
    raise ValueError(f"unknown rendering {rendering!r}")


def render_style(text: str, style: str, key: str = "") -> str:
    """An existing text dump re-rendered: ``given`` (as is), ``flat`` or ``wrapped`` (the seeds have no HTML)."""
    if style == "given":
        return text
    if style == "flat":
        return flatten(text)
    if style == "wrapped":
        return hard_wrap(flatten(text), wrap_width(key))
    raise ValueError(f"unknown style {style!r}")


# ---------------------------------------------------------------- cache

def _cache_file(dataset: str, rendering: str) -> Path:
    return CACHE / f"{dataset}.{rendering}.{SOURCE_KEY}.json.gz"


def dumps(pages: list[Page], rendering: str, eval_dir: Path = DEFAULT_EVAL) -> dict[str, str]:
    """{page key: text dump} for ``pages`` in ``rendering``, from the cache (built when missing)."""
    out: dict[str, str] = {}
    for ds in dict.fromkeys(p.dataset for p in pages):
        f = _cache_file(ds, rendering)
        if not f.exists():
            _build(ds, Path(eval_dir))
        out.update(json.loads(gzip.decompress(f.read_bytes())))
    return {p.key: out.get(p.key, "") for p in pages}


def _build(dataset: str, eval_dir: Path) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    pages = load_pages(eval_dir, (dataset,))
    base: dict[str, str] = {}
    for p in pages:
        if dataset == "aeb-dev":
            base[p.key] = (eval_dir / "aeb-dev" / "text" / f"{p.id}.txt").read_text(encoding="utf-8")
        else:
            base[p.key] = render_inscriptis(p.html)
    for rendering in RENDERINGS:
        texts = {p.key: render(p, rendering, base[p.key]) for p in pages}
        tmp = _cache_file(dataset, rendering).with_suffix(".tmp")
        tmp.write_bytes(gzip.compress(json.dumps(texts, ensure_ascii=False).encode("utf-8")))
        tmp.replace(_cache_file(dataset, rendering))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    args = ap.parse_args(argv)
    pages = load_pages(args.eval_dir)
    for r in RENDERINGS:
        d = dumps(pages, r, args.eval_dir)
        for ds in DATASETS:
            texts = [d[p.key] for p in pages if p.dataset == ds]
            empty = sum(1 for t in texts if not t.strip())
            print(f"{ds:16s} {r:10s} {len(texts):5d} pages, {empty} empty, "
                  f"{sum(t.count(chr(10)) for t in texts) / max(len(texts), 1):.0f} lines/page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
