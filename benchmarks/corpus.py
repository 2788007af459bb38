"""A benchmark corpus generated from real page material (shared by the benchmark scripts).

Sources: the dev split's HTML pages and plain-text dumps, the multilingual dumps
(from the shared eval folder when present), the seeds and the test pages in the repo.
Every generated file is unique (a marker comment or line), so nothing is skipped as
already seen; the bodies repeat, so dedup folds the copies as a real crawl would.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from shared_folder import EVAL as DEFAULT_EVAL  # noqa: E402  ($WINNOW_SHARED/eval, or beside the repo)


def material(eval_dir: Path) -> list[tuple[str, bytes]]:
    """(kind, raw bytes) of real pages: HTML from the dev split, text dumps, seeds."""
    items: list[tuple[str, bytes]] = []
    html_dir, text_dir = eval_dir / "aeb-dev" / "html", eval_dir / "aeb-dev" / "text"
    if html_dir.is_dir():
        items += [("html", gzip.decompress(p.read_bytes())) for p in sorted(html_dir.glob("*.html.gz"))]
    if text_dir.is_dir():
        items += [("text", p.read_bytes()) for p in sorted(text_dir.glob("*.txt"))]
    ml = eval_dir / "multilingual"
    if ml.is_dir():
        items += [("text", p.read_bytes()) for p in sorted(ml.glob("*.txt"))]
    items += [("text", p.read_bytes()) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    pages = ROOT / "tests" / "data" / "pages"
    items += [("html", gzip.decompress(p.read_bytes())) for p in sorted(pages.glob("*.html.gz"))]
    return items


def generate(out: Path, n: int, eval_dir: Path, seed: int = 7) -> int:
    rng = random.Random(seed)
    items = material(eval_dir)
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        kind, raw = items[i % len(items)]
        if kind == "html":
            data = raw.replace(b"</body>", f"<!-- copy {i} -->\n</body>".encode(), 1)
            if rng.random() < 0.3:
                (out / f"page-{i:05d}.html.gz").write_bytes(gzip.compress(data, compresslevel=5))
            else:
                (out / f"page-{i:05d}.html").write_bytes(data)
        else:
            (out / f"dump-{i:05d}.txt").write_bytes(raw + f"\nref {i}\n".encode())
    return len(items)


