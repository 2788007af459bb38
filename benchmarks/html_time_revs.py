"""HTML cleaning time against trafilatura default, for several checkouts side by side.

    python benchmarks/html_time_revs.py CHECKOUT [CHECKOUT ...] [--rounds 2]

Each checkout (a directory holding a ``flows/winnow``, e.g. a ``git worktree`` of an older revision) is
timed in its own process by ``quality_html.time_per_page`` on the same 200 decoded pages (40 per data
set), the checkouts alternating round by round, so a noisy neighbour hits them alike. Prints one line per
run: the checkout, the mean CPU ms per page of each system, and winnow's ratio to trafilatura default.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _one(checkout: str) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import quality_html as qh

    sample = qh.timing_sample(qh.load_pages(qh.DEFAULT_EVAL), 40)
    from checkout import use_winnow_of

    winnow = use_winnow_of(checkout)  # time the checkout's winnow, not this one's

    ms = qh.time_per_page(sample, 3)
    ratio = ms["winnow"]["mean"] / ms["trafilatura default"]["mean"]
    print(checkout, Path(winnow.__file__).parent, {k: round(v["mean"], 1) for k, v in ms.items()}, f"{ratio:.3f}",
          flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkouts", nargs="+")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a child process: one checkout
    args = ap.parse_args(argv)
    if args.one:
        _one(args.checkouts[0])
        return 0
    for _ in range(args.rounds):
        for c in args.checkouts:
            subprocess.run([sys.executable, __file__, "--one", c], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
