"""Do two checkouts clean every dev page the same? For changes meant to be faster, not different.

    python benchmarks/html_same_output.py CHECKOUT_A CHECKOUT_B [--eval-dir SHARED/eval]

Each checkout (a directory holding a ``flows/winnow``, e.g. a ``git worktree`` of another revision) runs
``clean_html`` with its default settings on every dev page (``quality_html.load_pages``: aeb-dev and the
four wceb-dev data sets, 1,575 pages) in its own process, and writes every ``Extraction`` as JSON. Prints
each checkout's CPU seconds for the whole set (one run: noisy on a shared machine) and the pages whose
extraction differs in any field, with the first fields that differ. Exit status 1 when any page differs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _one(checkout: str, out: str, eval_dir: str | None) -> None:
    """In a child process: clean every page with ``checkout``'s winnow, write the extractions."""
    import logging
    import warnings

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import quality_html as qh

    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    pages = qh.load_pages(Path(eval_dir) if eval_dir else qh.DEFAULT_EVAL)
    from checkout import use_winnow_of

    use_winnow_of(checkout)  # clean with the checkout's winnow, not this one's
    from winnow.clean.html import clean_html

    result = {}
    start = time.process_time()
    for dataset, ps in pages.items():
        for p in ps:
            result[f"{dataset}/{p.id}"] = dataclasses.asdict(clean_html(p.html))
    cpu = time.process_time() - start
    Path(out).write_text(json.dumps({"cpu": cpu, "pages": result}, default=str, sort_keys=True))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkouts", nargs=2)
    ap.add_argument("--eval-dir", default=None)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # a child process: checkout, output file
    args = ap.parse_args(argv)
    if args.one:
        _one(*args.one, args.eval_dir)
        return 0
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, checkout in enumerate(args.checkouts):
            out = Path(tmp) / f"{i}.json"
            extra = ["--eval-dir", args.eval_dir] if args.eval_dir else []
            subprocess.run([sys.executable, __file__, *args.checkouts, "--one", checkout, str(out), *extra], check=True)
            runs.append(json.loads(out.read_text()))
    a, b = (r["pages"] for r in runs)
    for checkout, run in zip(args.checkouts, runs):
        print(f"{checkout}: {len(run['pages'])} pages, clean_html CPU {run['cpu']:.1f} s")
    differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    for key in differ:
        fields = [f for f in (a.get(key) or {}).keys() | (b.get(key) or {}).keys()
                  if (a.get(key) or {}).get(f) != (b.get(key) or {}).get(f)]
        print(f"differs: {key} ({', '.join(sorted(fields)[:4])})")
    print(f"{len(differ)} of {len(a.keys() | b.keys())} pages differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
