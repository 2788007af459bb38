"""Where the text-dump cleaner loses recall and precision, page by page (a development aid).

    python benchmarks/text_losses.py [--datasets dragnet,readability] [--renderings markdown]
                                     [--limit N] [--top 15] [--lines 6] [--reasons]

For every data set and rendering, each dump is cleaned with the leave-one-data-set-out
model (as ``quality_text.py`` does, from its cache) and scored. Printed: the pages
with the largest recall losses (1 - R) and precision losses (1 - P), each with the
gold lines the cleaner removed (and why) or the lines it kept that are not gold;
``--reasons`` adds, per rendering, the removal reasons of lost gold words and the
kinds of kept non-gold lines summed over all pages. Lines are labelled gold or not
by the training's shingle alignment (``train_text_cleaner.align_labels``).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "flows"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import renderings as rd  # noqa: E402
import train_text_cleaner as tt  # noqa: E402
from winnow.clean.text.cleaner import clean_with  # noqa: E402
from winnow.clean.text.lines import split_lines  # noqa: E402
from winnow.evaluate import score_page  # noqa: E402


def _short(text: str, n: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def page_losses(dump: str, gold: str, model):
    """(score, extraction, lost gold lines [(line no, reason, text)], kept non-gold lines [(line no, text)])."""
    ext = clean_with(dump, model=model)
    lines = split_lines(dump)
    labels = tt.align_labels(lines, gold)
    by_no = {ln.no: (ln, bool(y)) for ln, y in zip(lines, labels)}
    lost = [(r.line_no, r.reason, r.text) for r in ext.removed if r.line_no in by_no and by_no[r.line_no][1]]
    kept_text = set(ext.paragraphs)
    removed_nos = {r.line_no for r in ext.removed}
    wrong = [(ln.no, ln.text) for ln, y in zip(lines, labels)
             if not y and ln.no not in removed_nos and ln.text in kept_text]
    return ext, lost, wrong


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=rd.DEFAULT_EVAL)
    ap.add_argument("--datasets", default="dragnet,readability")
    ap.add_argument("--renderings", default=",".join(rd.RENDERINGS))
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--lines", type=int, default=6)
    ap.add_argument("--pages", default="", help="only these page ids (comma-separated)")
    ap.add_argument("--reasons", action="store_true")
    args = ap.parse_args(argv)
    datasets = [d for d in args.datasets.split(",") if d]
    models = tt.lodo_models(tt.load_training(args.eval_dir), datasets=datasets)
    only = {x for x in args.pages.split(",") if x}
    matched = 0
    for ds in datasets:
        pages = rd.load_pages(args.eval_dir, (ds,))
        if args.limit:
            pages = pages[:: max(1, -(-len(pages) // args.limit))]
        if only:  # a page id, or its start (aeb-dev's ids are long hashes, shown shortened)
            pages = [p for p in pages if any(p.id.startswith(x) for x in only)]
        if not pages:
            continue
        matched += len(pages)
        for r in [x for x in args.renderings.split(",") if x]:
            d = rd.dumps(pages, r, args.eval_dir)
            rows = []
            lost_reasons, wrong_kinds = Counter(), Counter()
            for p in pages:
                ext, lost, wrong = page_losses(d[p.key], p.gold, models[ds])
                s = score_page(p.key, ext.text, p.gold)
                rows.append((p, s, ext, lost, wrong))
                for _, why, t in lost:
                    lost_reasons[why] += len(t.split())
                for _, t in wrong:
                    wrong_kinds["long" if len(t.split()) >= 20 else "short"] += len(t.split())
            n = len(rows)
            mp = sum(x[1].precision for x in rows) / n
            mr = sum(x[1].recall for x in rows) / n
            print(f"\n=== {ds} / {r}: {n} pages, P {mp:.3f} R {mr:.3f}")
            if args.reasons:
                print("  lost gold words by reason:", ", ".join(f"{k} {v}" for k, v in lost_reasons.most_common(12)))
                print("  kept non-gold words:", dict(wrong_kinds))
            for what, key in (("recall", lambda x: x[1].recall), ("precision", lambda x: x[1].precision)):
                print(f"-- largest {what} losses (sum over these: "
                      f"{sum(1 - key(x) for x in sorted(rows, key=key)[: args.top]) / n:.3f} of mean {what})")
                for p, s, ext, lost, wrong in sorted(rows, key=key)[: args.top]:
                    print(f"  {p.id} P {s.precision:.2f} R {s.recall:.2f} gold {len(p.gold.split())} w"
                          + (f" [{ext.not_article_reason}]" if ext.not_article else ""))
                    items = ([f"    - L{no} [{why}] {_short(t)}" for no, why, t in lost] if what == "recall"
                             else [f"    + L{no} {_short(t)}" for no, t in wrong])
                    for line in items[: args.lines]:
                        print(line)
                    if len(items) > args.lines:
                        print(f"    ... {len(items) - args.lines} more")
    if only and not matched:
        print(f"text_losses: no page of {', '.join(datasets)} has an id starting with {args.pages}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
