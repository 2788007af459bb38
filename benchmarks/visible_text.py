"""The visible text of an HTML page: a parse of its own (``visible_text``) against a walk over the
tree the HTML cleaner parsed already (``visible_text_of_tree``, what the workers do), on the
benchmark corpus's real HTML pages (``corpus.material``), CPU per page in one process, side by side
in one run, and how many pages give the same text, the same characters and the same samples.

    python benchmarks/visible_text.py [--rounds 3] [--eval SHARED/eval]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from corpus import DEFAULT_EVAL, material
from winnow.clean.html.extract import parse
from winnow.dedup.visible import samples, visible_text, visible_text_of_tree
from winnow.settings import DedupSettings


def cpu_ms(fn, items, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t = time.process_time()
        for x in items:
            fn(x)
        best = min(best, time.process_time() - t)
    return best / len(items) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3, help="best of this many rounds")
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    args = ap.parse_args()
    pages = [raw.decode("utf-8", errors="replace") for kind, raw in material(args.eval) if kind == "html"]
    trees = [parse(p) for p in pages]
    fresh = [visible_text(p, "html") for p in pages]
    shared = [visible_text_of_tree(t) if t is not None else "" for t in trees]
    s = DedupSettings()
    same_samples = sum(len(a) == len(b) and bool((a == b).all())
                       for a, b in zip(samples(fresh, s), samples(shared, s)))
    print(f"{len(pages)} HTML pages; the same text {sum(a == b for a, b in zip(fresh, shared))}, the same "
          f"characters (whitespace aside) {sum(''.join(a.split()) == ''.join(b.split()) for a, b in zip(fresh, shared))}, "
          f"the same samples {same_samples}")
    own = cpu_ms(lambda p: visible_text(p, "html"), pages, args.rounds)
    walk = cpu_ms(visible_text_of_tree, [t for t in trees if t is not None], args.rounds)
    print(f"CPU ms per page (best of {args.rounds}): a parse of its own {own:.2f}, "
          f"a walk over the cleaner's tree {walk:.2f} ({own - walk:.2f} ms less)")


if __name__ == "__main__":
    main()
