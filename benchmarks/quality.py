"""Extraction quality of winnow's cleaners against gold, with baselines measured in the same run.

    python benchmarks/quality.py [--eval-dir SHARED/eval] [--seeds seeds] [--folds 5 | --no-cv]

Metric: ``winnow.evaluate`` (4-token shingles, P and R averaged over pages, F1 of
those averages, plus the mean of per-page F1). Inputs:

- seeds: the five text dumps in ``seeds/`` against ``seeds-gold.jsonl``;
- dev text: ``aeb-dev/text/*.txt`` (inscriptis renderings of whole pages) against
  ``ground-truth.json``, as given, with leading whitespace and list markers
  stripped, and with one line per paragraph and no blank lines;
- multilingual: the French and Russian dumps of ``multilingual/``;
- HTML: ``benchmarks/quality_html.py`` (every dev data set on its own, leave-one-data-set-out,
  against trafilatura and readability-lxml in the same run; empties; time per page);
- text dumps per data set and rendering: ``benchmarks/quality_text.py``.

The text cleaner's model is trained on the dev pages, so its dev-text rows use
out-of-fold predictions: K models, each trained (``train_text_cleaner.train``)
without the fold that holds the page it scores. ``--no-cv`` uses the shipped
weights instead (in-sample: optimistic). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import gzip
import html as _html
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "flows"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import train_text_cleaner as tt  # noqa: E402
from winnow.clean.text.cleaner import clean_with  # noqa: E402
from winnow.clean.text.model import LineModel  # noqa: E402
from winnow.evaluate import score_page, summarize  # noqa: E402

DEFAULT_EVAL = tt.DEFAULT_EVAL


# ---------------------------------------------------------------- baselines

def keep_everything(text: str) -> str:
    return "\n".join(ln.strip() for ln in text.splitlines() if ln.strip())


def _wrap_p(text: str) -> str:
    body = "".join(f"<p>{_html.escape(ln.strip())}</p>\n" for ln in text.splitlines() if ln.strip())
    return f"<html><body>{body}</body></html>"


def trafilatura_on_text(text: str) -> str:
    import trafilatura

    return trafilatura.extract(_wrap_p(text)) or ""


def _wrap_structured(text: str) -> str:
    """A structured HTML rendering: runs of short unpunctuated lines as link lists, the rest as <p>."""
    parts, in_list = [], False
    for ln in (x.strip() for x in text.splitlines()):
        if not ln:
            continue
        linky = len(ln.split()) <= 8 and not ln.rstrip("\"'”’)").endswith((".", "!", "?"))
        if linky != in_list:
            parts.append("<ul>" if linky else "</ul>")
            in_list = linky
        esc = _html.escape(ln)
        parts.append(f'<li><a href="/x">{esc}</a></li>' if linky else f"<p>{esc}</p>")
    if in_list:
        parts.append("</ul>")
    return "<html><body><article>" + "".join(parts) + "</article></body></html>"


def trafilatura_on_structured_text(text: str) -> str:
    import trafilatura

    return trafilatura.extract(_wrap_structured(text)) or ""


def justext_on_text(text: str) -> str:
    import re
    from collections import Counter

    import justext

    from winnow.clean.text import lang

    words = Counter(w.lower() for w in re.findall(r"\w+", text))
    name, _ = lang.stoplist_for(words)
    stop = justext.get_stoplist(name or "English")
    paras = justext.justext(_wrap_p(text).encode("utf-8"), stop)
    return "\n".join(p.text for p in paras if not p.is_boilerplate)


# ---------------------------------------------------------------- inputs

_BLOCK = {
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "section", "article", "header",
    "footer", "nav", "aside", "ul", "ol", "table", "blockquote", "figure", "figcaption", "dt", "dd", "br",
    "form", "main", "pre", "title", "option", "button",
}


def render_blocks(html: str) -> str:
    """A second, plain HTML-to-text renderer (lxml): one line per block element, no indentation,
    no list markers, blank-line separated. Used to check that the cleaner is not tied to
    inscriptis; the model never trains on it."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:
        return ""
    for bad in root.xpath("//script|//style|//noscript|//template|//svg|//iframe"):
        bad.drop_tree()
    out: list[str] = []
    buf: list[str] = []

    def flush():
        t = " ".join("".join(buf).split())
        if t:
            out.append(t)
        buf.clear()

    def walk(el):
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag:  # comments, processing instructions
            return
        if tag in _BLOCK:
            flush()
        if el.text:
            buf.append(el.text)
        for c in el:
            walk(c)
            if c.tail:
                buf.append(c.tail)
        if tag in _BLOCK:
            flush()

    walk(root)
    flush()
    return "\n\n".join(out)


def _decode(raw: bytes) -> str:
    from charset_normalizer import from_bytes

    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("latin-1")


def load_seeds(eval_dir: Path, seeds_dir: Path) -> list[tuple[str, str, str]]:
    out = []
    for line in (eval_dir / "seeds-gold.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        out.append((d["file"], (seeds_dir / d["file"]).read_text(encoding="utf-8"), d["body"]))
    return out


def load_multilingual(eval_dir: Path) -> list[tuple[str, str, str]]:
    d = eval_dir / "multilingual"
    out = []
    for line in (d / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        out.append((g["file"], (d / g["file"]).read_text(encoding="utf-8"), g["body"]))
    return out


# ---------------------------------------------------------------- scoring

def run_system(name, fn, pages, errors: dict) -> tuple:
    scores, t0 = [], time.perf_counter()
    for pid, text, gold in pages:
        try:
            pred = fn(pid, text)
        except Exception as exc:  # a baseline that fails on a page scores it as empty
            errors[name] = errors.get(name, 0) + 1
            pred = ""
            last = f"{type(exc).__name__}: {exc}"[:120]
            errors[name + ":last"] = last
        scores.append(score_page(pid, pred, gold))
    return summarize(scores), (time.perf_counter() - t0) / max(len(pages), 1)


def not_article_check(dev, models) -> str:
    """How often pages are called not-an-article: real dev pages (should be never) and the same
    pages with their article lines taken out, leaving only the site's chrome (should be always)."""
    from winnow.clean.text.lines import split_lines

    real = sum(clean_with(p.text, model=models[p.id]).not_article for p in dev)
    chrome = 0
    for p in dev:
        lines = split_lines(p.text)
        labels = tt.align_labels(lines, p.gold)
        rest = "\n".join(ln.text for ln, y in zip(lines, labels) if not y)
        chrome += clean_with(rest, model=models[p.id]).not_article
    return (f"not-an-article: {real}/{len(dev)} real dev pages flagged (want 0); "
            f"{chrome}/{len(dev)} dev pages with their article lines removed flagged (want all)")


def timing(pages, repeat: int = 3) -> str:
    """CPU time of ``clean_text_dump`` (shipped weights) per page, best of ``repeat`` runs."""
    import statistics

    from winnow.clean.text import clean_text_dump

    clean_text_dump(pages[0][1])  # load weights and stop lists once
    per_page = []
    for _, text, _ in pages:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.process_time()
            clean_text_dump(text)
            best = min(best, time.process_time() - t0)
        per_page.append(best * 1000)
    per_page.sort()
    p95 = per_page[int(0.95 * (len(per_page) - 1))]
    return (f"winnow-text CPU time per page (dev dumps, shipped weights, {len(per_page)} runs): "
            f"median {statistics.median(per_page):.1f} ms, mean {statistics.mean(per_page):.1f} ms, "
            f"p95 {p95:.1f} ms, max {per_page[-1]:.1f} ms")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL, help="the shared eval folder (default %(default)s)")
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="folder of the seed dumps")
    ap.add_argument("--folds", type=int, default=5, help="K for the out-of-fold dev-text predictions")
    ap.add_argument("--no-cv", action="store_true", help="score dev text with the shipped weights (in-sample)")
    ap.add_argument("--no-html", action="store_true", help="skip the HTML part (benchmarks/quality_html.py)")
    ap.add_argument("--quick", action="store_true", help="HTML part on a subset (every 8th Dragnet page...)")
    ap.add_argument("--no-text-dumps", action="store_true",
                    help="skip the text path on the five dev data sets (benchmarks/quality_text.py)")
    args = ap.parse_args(argv)
    t_start = time.time()

    dev = tt.load_dev(args.eval_dir)
    shipped = LineModel.load()
    if args.no_cv:
        models = {p.id: shipped for p in dev}
        dev_note = "shipped weights, in-sample (optimistic)"
    else:
        models = tt.crossval_models(dev, args.folds)
        dev_note = f"{args.folds}-fold cross-validated by page (out-of-fold models)"

    def winnow_text(model_for):
        return lambda pid, text: clean_with(text, model=model_for(pid)).text

    text_baselines = [
        ("keep everything", lambda pid, t: keep_everything(t)),
        ("trafilatura on text, lines as <p>", lambda pid, t: trafilatura_on_text(t)),
        ("trafilatura on text, short lines as link lists", lambda pid, t: trafilatura_on_structured_text(t)),
        ("jusText on text (stoplist by coverage)", lambda pid, t: justext_on_text(t)),
    ]
    dev_pages = {st: [(p.id, tt.STYLES[st](p.text), p.gold) for p in dev] for st in ("given", "stripped", "compact")}
    d = args.eval_dir / "aeb-dev"
    html_pages = [(p.id, _decode(gzip.decompress((d / "html" / f"{p.id}.html.gz").read_bytes())), p.gold) for p in dev]
    dev_pages["blocks"] = [(pid, render_blocks(h), gold) for pid, h, gold in html_pages]
    inputs = [
        ("seeds (5)", load_seeds(args.eval_dir, args.seeds), lambda pid: shipped),
        ("dev text, as given (inscriptis)", dev_pages["given"], models.__getitem__),
        ("dev text, stripped of indentation and list markers", dev_pages["stripped"], models.__getitem__),
        ("dev text, one line per paragraph, no blank lines", dev_pages["compact"], models.__getitem__),
        ("dev HTML rendered by a second renderer (lxml blocks, never trained on)", dev_pages["blocks"],
         models.__getitem__),
        ("multilingual (fr, ru)", load_multilingual(args.eval_dir), lambda pid: shipped),
    ]
    rows, worst, errors, ms = [], [], {}, {}
    for label, pages, model_for in inputs:
        s, dt = run_system("winnow-text", winnow_text(model_for), pages, errors)
        rows.append((label, "**winnow-text**", s))
        worst.append((label, s))
        ms[label] = dt * 1000
        for name, fn in text_baselines:
            rows.append((label, name, run_system(name, fn, pages, errors)[0]))
    print(f"Extraction quality (metric: shared/eval/README.md; dev text rows for winnow-text: {dev_note}; "
          f"seeds and multilingual: shipped weights, never trained on)\n")
    print("| input | system | pages | P | R | F1 | mean page F1 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, name, s in rows:
        print(f"| {label} | {name} | {s.n} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.mean_page_f1:.3f} |")
    print("\nFive worst pages (winnow):\n")
    for label, s in worst:
        print(f"- {label}: " + ", ".join(f"`{w.page[:12]}` {w.f1:.2f} (P {w.precision:.2f}, R {w.recall:.2f})" for w in s.worst))
    print("\n" + not_article_check(dev, models))
    print("\n" + timing(dev_pages["given"] + dev_pages["compact"]))
    from filters import filter_table  # benchmarks/filters.py: the corpus filters reject no dev article

    print("\n" + filter_table(args.eval_dir))
    errs = {k: v for k, v in errors.items() if not k.endswith(":last")}
    if errs:
        print("\nfailures (scored as empty): " + ", ".join(f"{k}: {v} ({errors[k + ':last']})" for k, v in errs.items()))
    if not args.no_html:  # the HTML path per data set, leave-one-data-set-out (benchmarks/quality_html.py)
        import quality_html

        print()
        quality_html.report(args.eval_dir, args.quick, time_pages=10 if args.quick else 40)
    if not args.no_text_dumps:  # the text path per data set and rendering, leave-one-data-set-out
        import quality_text

        print()
        quality_text.main(["--eval-dir", str(args.eval_dir)])
    print(f"\n(run took {time.time() - t_start:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
