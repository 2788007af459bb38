"""The corpus filters at their defaults on every seed and every dev article: none may be rejected.

    python benchmarks/filters.py [--eval SHARED/eval]

Runs the real pipeline (read, clean, filter, language, corpus filter) with ``[filter] quality``
switched on at its default thresholds over the seeds, the dev split's HTML pages and plain-text
dumps, the multilingual dumps and the test pages, and prints, per rule, the range of what it
measured and how many pages it rejects. ``benchmarks/quality.py`` prints the same table.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from shared_folder import EVAL as DEFAULT_EVAL  # noqa: E402


def page_sets(eval_dir: Path) -> dict[str, list[str]]:
    sets = {"seeds": sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))}
    sets["dev HTML"] = sorted(str(p) for p in (eval_dir / "aeb-dev" / "html").glob("*.html.gz"))
    sets["dev text"] = sorted(str(p) for p in (eval_dir / "aeb-dev" / "text").glob("*.txt"))
    sets["multilingual"] = sorted(str(p) for p in (eval_dir / "multilingual").glob("*.txt"))
    sets["test pages"] = sorted(str(p) for p in (ROOT / "tests" / "data" / "pages").glob("*.html.gz"))
    return {k: v for k, v in sets.items() if v}


def filter_table(eval_dir: Path = DEFAULT_EVAL) -> str:
    from winnow.discover import discover
    from winnow.filters import measure, verdicts
    from winnow.pipeline import Pipeline
    from winnow.records import Rejection
    from winnow.settings import Settings

    s = Settings()
    s = dataclasses.replace(s, filter=dataclasses.replace(s.filter, quality=True))
    pipeline = Pipeline(s, documents=False)
    out = ["Corpus filters, quality rules on at their defaults (`[filter] quality = true`):", "",
           "| pages | files | kept | rejected by a filter | mean word length | '#'/ellipses per word | "
           "lines ending in punctuation | bullet lines | top 2-4-gram | repeated 5-10-grams |",
           "|---|---:|---:|---|---|---|---|---|---|---|"]
    gopher = dataclasses.replace(s.filter, min_mean_word_length=3.0, max_duplicate_ngram_share=0.15)
    total_rejected, total_gopher = 0, 0
    out[2] = out[2].replace("| mean word length", "| rejected at Gopher's 3-character words and 0.15 repeats | mean word length")
    out[3] += "---|"
    for name, paths in page_sets(eval_dir).items():
        kept, rejected, ms = 0, [], []
        for item in pipeline.stream(discover(paths).candidates):
            if isinstance(item, Rejection):
                if item.reason.startswith(("quality_", "language_not_allowed")):
                    rejected.append(f"{Path(item.path).name[:12]} {item.reason}")
                continue
            kept += 1
            ms.append(measure(item.text))
        total_rejected += len(rejected)
        strict = sum(1 for m in ms if not all(ok for _, _, ok in verdicts(m, gopher)))
        total_gopher += strict

        def rng(key: str, fmt: str = "{:.2f}") -> str:
            vals = [m[key] for m in ms if m[key] is not None]
            return f"{fmt.format(min(vals))} to {fmt.format(max(vals))}" if vals else "-"

        out.append(f"| {name} | {len(paths)} | {kept} | {', '.join(rejected) or 'none'} | {strict} | "
                   f"{rng('mean_word_length')} | "
                   f"{rng('symbol_ratio', '{:.3f}')} | {rng('terminal_punctuation_share')} | "
                   f"{rng('bullet_line_share')} | {rng('top_ngram_share', '{:.3f}')} | "
                   f"{rng('duplicate_ngram_share', '{:.3f}')} |")
    f = s.filter
    out += ["", f"thresholds: mean word length {f.min_mean_word_length:g} to {f.max_mean_word_length:g}, "
                f"'#'/ellipses per word <= {f.max_symbol_ratio:g}, lines ending in punctuation >= "
                f"{f.min_terminal_punctuation_share:g}, bullet lines <= {f.max_bullet_line_share:g}, top 2-4-gram <= "
                f"{f.max_top_ngram_share:g}, repeated 5-10-grams <= {f.max_duplicate_ngram_share:g}",
            f"pages rejected by a corpus filter: {total_rejected} (want 0); "
            f"at Gopher's minimum word length and repeat share: {total_gopher}"]
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    args = ap.parse_args(argv)
    print(filter_table(args.eval))
    return 0


if __name__ == "__main__":
    sys.exit(main())
