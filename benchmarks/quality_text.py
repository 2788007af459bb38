"""The text-dump path against gold, per data set and per rendering, leave-one-data-set-out.

    python benchmarks/quality_text.py [--eval-dir SHARED/eval] [--datasets aeb-dev,dragnet]
                                      [--renderings inscriptis,wrapped] [--limit N] [--shipped]

For every dev data set (``renderings.DATASETS``) and every rendering of its pages
(``renderings.RENDERINGS``: inscriptis, flat, hard-wrapped, Markdown-like), each
dump is cleaned by ``winnow.clean.text`` with the line model trained *without that
data set* (``train_text_cleaner.lodo_models``; trained and cached under
``benchmarks/out/models/`` when missing), and scored with the project's metric
(``winnow.evaluate``). ``--shipped`` uses the shipped weights instead (they saw
every data set: optimistic).

In the same run, on the HTML of the same pages: trafilatura with default settings
and readability-lxml (its summary rendered by inscriptis), cached under
``benchmarks/out/html_ref.json.gz``; "HTML ref" is the better of the two on each
data set, the target the text path must come within 0.04 F1 of.

"Empty" counts real articles given back empty: pages whose gold has at least
``READABLE_WORDS`` words (readable article pages) for which the cleaner returned
no text (``not_article`` or nothing kept); the worst-pages list also names the dumps
that hold less than ``LOST_RECALL`` of the gold at all (html2text's parser stops at some
malformed scripts, so the Markdown dump ends before the article: no cleaner can score
there). The seeds are scored with the shipped
weights (they were never trained on). Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "flows"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import renderings as rd  # noqa: E402
import train_text_cleaner as tt  # noqa: E402
from winnow.clean.text.cleaner import clean_with  # noqa: E402
from winnow.clean.text.model import LineModel  # noqa: E402
from winnow.evaluate import score_page, summarize  # noqa: E402

HTML_REF = ROOT / "benchmarks" / "out" / "html_ref.json.gz"
READABLE_WORDS = 50
TARGET_GAP = 0.04
LOST_RECALL = 0.3  # a dump holding less of the gold than this lost the article in rendering (html2text's parser)


# ---------------------------------------------------------------- HTML reference

def _trafilatura(html: str) -> str:
    import trafilatura

    try:
        return trafilatura.extract(html) or ""
    except Exception:
        return ""


def _readability(html: str) -> str:
    from readability import Document

    try:
        return rd.render_inscriptis(Document(html).summary())
    except Exception:
        return ""


def html_reference(pages: list[rd.Page]) -> dict[str, dict[str, str]]:
    """{page key: {"trafilatura": text, "readability": text}}, cached on disk (computed when missing)."""
    cache = json.loads(gzip.decompress(HTML_REF.read_bytes())) if HTML_REF.exists() else {}
    missing = [p for p in pages if p.key not in cache]
    for p in missing:
        cache[p.key] = {"trafilatura": _trafilatura(p.html), "readability": _readability(p.html)}
    if missing:
        HTML_REF.parent.mkdir(parents=True, exist_ok=True)
        HTML_REF.write_bytes(gzip.compress(json.dumps(cache, ensure_ascii=False).encode("utf-8")))
    return {p.key: cache[p.key] for p in pages}


# ---------------------------------------------------------------- text path

def _models(args, datasets) -> dict[str, LineModel]:
    if args.shipped:
        m = LineModel.load()
        return {ds: m for ds in datasets}
    pages = tt.load_training(args.eval_dir, args.max_pages)
    return tt.lodo_models(pages, datasets=datasets)


def _seeds(eval_dir: Path) -> str:
    gold = [json.loads(x) for x in (eval_dir / "seeds-gold.jsonl").read_text(encoding="utf-8").split("\n") if x.strip()]
    model = LineModel.load()
    cells = []
    for g in gold:
        text = (ROOT / "seeds" / g["file"]).read_text(encoding="utf-8")
        f1s = [score_page(g["file"], clean_with(rd.render_style(text, r, g["file"]), model=model).text, g["body"]).f1
               for r in ("given", "flat", "wrapped")]
        cells.append(f"`{g['file'][:3]}` {' / '.join(f'{x:.3f}' for x in f1s)}")
    return "Seeds (shipped weights, never trained on), F1 as given / flat / hard-wrapped: " + ", ".join(cells)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=rd.DEFAULT_EVAL)
    ap.add_argument("--datasets", default=",".join(rd.DATASETS))
    ap.add_argument("--renderings", default=",".join(rd.RENDERINGS))
    ap.add_argument("--limit", type=int, default=0, help="at most N pages per data set (every k-th page; 0: all)")
    ap.add_argument("--max-pages", type=int, default=0, help="training pages per data set (train_text_cleaner; 0: all)")
    ap.add_argument("--shipped", action="store_true", help="shipped weights instead of leave-one-data-set-out models")
    ap.add_argument("--worst", type=int, default=3)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "out" / "quality_text.json")
    args = ap.parse_args(argv)
    datasets = [d for d in args.datasets.split(",") if d]
    renderings = [r for r in args.renderings.split(",") if r]
    t0 = time.time()
    models = _models(args, datasets)
    print(report(args.eval_dir, datasets, renderings, models, args.limit, args.worst, args.json,
                 "shipped weights (in-sample)" if args.shipped else "leave-one-data-set-out"))
    print(f"\n({time.time() - t0:.0f}s)", file=sys.stderr)
    return 0


def report(eval_dir, datasets, renderings, models, limit=0, worst=3, json_out=None, protocol="") -> str:
    out = [f"Text dumps, per data set and rendering ({protocol}); metric: shared/eval/README.md", "",
           "| data set | pages | rendering | P | R | F1 | mean page F1 | HTML ref F1 | gap | empty (readable) | keep all F1 |",
           "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    worst_lines, ref_rows, record = [], [], {}
    for ds in datasets:
        pages = rd.load_pages(eval_dir, (ds,))
        if limit:
            pages = pages[:: max(1, -(-len(pages) // limit))]
        ref = html_reference(pages)
        refs = {}
        for name in ("trafilatura", "readability"):
            refs[name] = summarize(score_page(p.key, ref[p.key][name], p.gold) for p in pages)
        best = max(refs.values(), key=lambda s: s.f1)
        ref_rows.append(f"| {ds} | {len(pages)} | {refs['trafilatura'].f1:.3f} | {refs['readability'].f1:.3f} |")
        readable = {p.key for p in pages if len(p.gold.split()) >= READABLE_WORDS}
        for r in renderings:
            d = rd.dumps(pages, r, eval_dir)
            scores, keep, empty, lost = [], [], [], []
            for p in pages:
                ext = clean_with(d[p.key], model=models[ds])
                scores.append(score_page(p.key, ext.text, p.gold))
                keep.append(score_page(p.key, tt.compact_style(d[p.key]), p.gold))
                if keep[-1].recall < LOST_RECALL:
                    lost.append(p.key)
                if p.key in readable and not ext.text.strip():
                    why = ext.not_article_reason or "nothing kept"
                    if why == "empty":
                        why = "the renderer gave no text"
                    elif keep[-1].recall < LOST_RECALL:
                        why += "; the dump lacks the article"
                    empty.append((p.key, why))
            s, k = summarize(scores, worst), summarize(keep)
            gap = s.f1 - best.f1
            flag = "" if gap >= -TARGET_GAP else " ✗"
            out.append(f"| {ds} | {len(pages)} | {r} | {s.precision:.3f} | {s.recall:.3f} | **{s.f1:.3f}** | "
                       f"{s.mean_page_f1:.3f} | {best.f1:.3f} | {gap:+.3f}{flag} | {len(empty)}/{len(readable)} | {k.f1:.3f} |")
            worst_lines.append(f"- {ds}, {r}: " + ", ".join(
                f"`{w.page.split('/')[-1][:12]}` {w.f1:.2f} (P {w.precision:.2f}, R {w.recall:.2f})" for w in s.worst)
                + ("; empty: " + ", ".join(f"`{k.split('/')[-1][:12]}` ({why})" for k, why in empty[:5]) if empty else "")
                + (f"; {len(lost)} dumps hold less than {LOST_RECALL:.0%} of the gold (the renderer lost the article): "
                   + ", ".join(f"`{k.split('/')[-1][:12]}`" for k in lost[:10]) if lost else ""))
            record[f"{ds}/{r}"] = {"pages": len(pages), "p": s.precision, "r": s.recall, "f1": s.f1,
                                   "mean_page_f1": s.mean_page_f1, "html_ref_f1": best.f1, "empty": len(empty),
                                   "readable": len(readable), "keep_all_f1": k.f1, "article_lost": len(lost),
                                   "per_page": {x.page: round(x.f1, 4) for x in scores}}
    out += ["", "HTML reference on the same pages (same run): trafilatura default; readability-lxml summary "
            "rendered by inscriptis", "", "| data set | pages | trafilatura | readability-lxml |", "|---|---:|---:|---:|"]
    out += ref_rows
    out += ["", f"Worst pages and readable pages given back empty (gold ≥ {READABLE_WORDS} words):", ""] + worst_lines
    try:
        out += ["", _seeds(Path(eval_dir))]
    except OSError:
        pass
    if json_out:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(json.dumps(record, indent=1), encoding="utf-8")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
