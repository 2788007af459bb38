"""Which trafilatura settings, and is winnow's HTML path at least as good as the best of them?

Runs trafilatura 2.x under each setting on the dev pages of the article-extraction
benchmark (gzipped HTML + ``ground-truth.json`` with ``articleBody``), then winnow's
``clean_html`` with its defaults, and prints P/R/F1 (the benchmark's metric, from
``winnow.evaluate``), the mean per-page F1, CPU ms/page and the worst pages of each.
Everything is measured in the same run, single-threaded.

    python benchmarks/html_settings.py                 # SHARED/eval/aeb-dev
    python benchmarks/html_settings.py --data DIR --worst 8

Exit status 1 when winnow scores below trafilatura's best single setting (F1), or when
a dev page is flagged not-an-article (they are all articles).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
import time
import warnings
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "flows"))

import trafilatura  # noqa: E402

from winnow.clean.html import clean_html  # noqa: E402
from winnow.evaluate import score_page, summarize  # noqa: E402
from winnow.settings import CleanSettings  # noqa: E402

from shared_folder import EVAL  # noqa: E402

DEFAULT_DATA = EVAL / "aeb-dev"

# trafilatura's own keyword arguments; extract() defaults to include_comments=True.
SETTINGS: dict[str, dict] = {
    "default": {},
    "favor_precision": {"favor_precision": True},
    "favor_recall": {"favor_recall": True},
    "include_comments=False": {"include_comments": False},
    "no_fallback (fast)": {"fast": True},
    "include_tables=False": {"include_tables": False},
    "comments off + precision": {"include_comments": False, "favor_precision": True},
    "comments off + recall": {"include_comments": False, "favor_recall": True},
    "comments off + fast": {"include_comments": False, "fast": True},
    "comments off + tables off": {"include_comments": False, "include_tables": False},
}


def load(data: Path) -> tuple[dict[str, str], dict[str, str]]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages, gold = {}, {}
    for pid in sorted(truth):
        f = data / "html" / f"{pid}.html.gz"
        if f.exists():
            pages[pid] = gzip.decompress(f.read_bytes()).decode("utf-8", errors="replace")
            gold[pid] = truth[pid].get("articleBody") or ""
    return pages, gold


def measure(name: str, fn: Callable[[str], str], pages: dict, gold: dict, worst: int):
    t0 = time.process_time()  # CPU time: the machine may be shared, wall time would lie
    outputs = {pid: fn(html) or "" for pid, html in pages.items()}
    ms = 1000 * (time.process_time() - t0) / max(len(pages), 1)
    s = summarize((score_page(pid, outputs[pid], gold[pid]) for pid in pages), worst=worst)
    return name, s, ms


def cascade(html: str) -> str:
    """Precision first; balanced when precision keeps less than half of balanced (no winnow rules)."""
    prec = trafilatura.extract(html, include_comments=False, favor_precision=True) or ""
    bal = trafilatura.extract(html, include_comments=False) or ""
    return prec if len(prec) >= 0.5 * len(bal) else bal


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with html/ and ground-truth.json")
    ap.add_argument("--worst", type=int, default=5, help="worst pages to list per row")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)  # trafilatura logs every page it discards
    warnings.simplefilter("ignore")

    pages, gold = load(args.data)
    if not pages:
        print(f"no pages found in {args.data}", file=sys.stderr)
        return 2
    print(f"{len(pages)} pages from {args.data}  (trafilatura {trafilatura.__version__})\n")

    rows = []
    for name, kw in SETTINGS.items():
        rows.append(measure(f"trafilatura {name}", lambda h, kw=kw: trafilatura.extract(h, **kw), pages, gold, args.worst))
    rows.append(measure("trafilatura baseline()", lambda h: trafilatura.baseline(h)[1], pages, gold, args.worst))
    rows.append(measure("trafilatura html2txt()", trafilatura.html2txt, pages, gold, args.worst))
    rows.append(measure("cascade precision→balanced", cascade, pages, gold, args.worst))
    best_single = max((r for r in rows if r[0].startswith("trafilatura ")), key=lambda r: r[1].f1)

    flagged: list[str] = []

    def winnow(html: str, settings: CleanSettings) -> str:
        ext = clean_html(html, settings)
        if ext.not_article:
            flagged.append(ext.url or "?")
        return ext.text

    rows.append(measure("winnow clean_html, balanced only", lambda h: winnow(h, CleanSettings(html_favor_precision=False)),
                        pages, gold, args.worst))
    flagged.clear()
    rows.append(measure("winnow clean_html (default)", lambda h: winnow(h, CleanSettings()), pages, gold, args.worst))
    ours = rows[-1]

    width = max(len(r[0]) for r in rows)
    print(f"{'setting':<{width}}  {'P':>6} {'R':>6} {'F1':>6} {'meanF1':>6} {'cpu ms':>6}  worst pages (id:F1)")
    for name, s, ms in rows:
        worst = " ".join(f"{w.page[:6]}:{w.f1:.2f}" for w in s.worst)
        mark = " *" if name == best_single[0] else ""
        print(f"{name:<{width}}  {s.precision:6.4f} {s.recall:6.4f} {s.f1:6.4f} {s.mean_page_f1:6.4f} {ms:6.0f}  {worst}{mark}")
    print(f"\n* best single trafilatura setting: {best_single[0]} (F1 {best_single[1].f1:.4f})")
    print(f"winnow default: F1 {ours[1].f1:.4f} ({ours[1].f1 - best_single[1].f1:+.4f}), "
          f"mean page F1 {ours[1].mean_page_f1:.4f} ({ours[1].mean_page_f1 - best_single[1].mean_page_f1:+.4f})")
    print(f"dev pages flagged not-an-article: {len(flagged)}" + (f" {flagged}" if flagged else ""))
    ok = ours[1].f1 >= best_single[1].f1 and not flagged
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
