"""Text-dump cleaning time per page, this checkout's cleaner against another revision's, side by side.

    python benchmarks/text_clean_time.py [--rev main] [--datasets dragnet,readability]
                                         [--renderings inscriptis,markdown] [--limit 200] [--repeat 3]

The revision's ``flows/`` is exported (``git archive``) to a temporary folder; each side then cleans
the same text dumps (``renderings.dumps``, every k-th page up to ``--limit`` per data set) with its
own shipped weights in a child process of its own, the two alternating ``--repeat`` times (A B A B
...), so that the load of a shared machine falls on both. Printed: the best seconds per page of
each and their ratio (this checkout / the revision).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import renderings as rd  # noqa: E402

# run in the child: clean every dump of the JSON list on stdin, print the seconds it took
_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from winnow.clean.text.cleaner import clean_text_dump
dumps = json.load(sys.stdin)
clean_text_dump(dumps[0])  # load the weights and the stop lists outside the timing
t0 = time.perf_counter()
for d in dumps:
    clean_text_dump(d)
print(time.perf_counter() - t0)
"""


def _dumps(eval_dir: Path, datasets: list[str], renderings: list[str], limit: int) -> list[str]:
    out = []
    for ds in datasets:
        pages = rd.load_pages(eval_dir, (ds,))
        step = max(1, -(-len(pages) // limit)) if limit else 1
        pages = pages[::step]
        for r in renderings:
            texts = rd.dumps(pages, r, eval_dir)
            out += [texts[p.key] for p in pages if texts.get(p.key)]
    return out


def _export(rev: str, into: Path) -> Path:
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "flows"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(into, filter="data")
    return into / "flows"


def _run(flows: Path, payload: bytes) -> float:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(flows)], input=payload, check=True, capture_output=True)
    return float(out.stdout.decode().strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rev", default="main", help="the revision to compare with (default: main)")
    ap.add_argument("--eval-dir", type=Path, default=rd.DEFAULT_EVAL)
    ap.add_argument("--datasets", default="dragnet,readability")
    ap.add_argument("--renderings", default="inscriptis,markdown")
    ap.add_argument("--limit", type=int, default=200, help="pages per data set (every k-th; 0: all)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    dumps = _dumps(args.eval_dir, args.datasets.split(","), args.renderings.split(","), args.limit)
    payload = json.dumps(dumps).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        sides = {"this checkout": ROOT / "flows", args.rev: _export(args.rev, Path(tmp))}
        best = {name: float("inf") for name in sides}
        for _ in range(args.repeat):
            for name, flows in sides.items():
                best[name] = min(best[name], _run(flows, payload))
    n = len(dumps)
    for name, s in best.items():
        print(f"{name:>16}: {1000 * s / n:.2f} ms per page ({n} dumps, best of {args.repeat})")
    print(f"ratio (this checkout / {args.rev}): {best['this checkout'] / best[args.rev]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
