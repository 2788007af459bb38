"""WARC ingest beside the same pages as HTML files, and warcio beside fastwarc.

    python benchmarks/warc.py [--pages 445] [--rounds 2] [--eval SHARED/eval]

1. Takes ``--pages`` real HTML pages (the dev split's, cycled; each made unique by a marker
   comment) and writes them three ways: one .html file per page, one WARC.gz (a request and
   a response record per page, as crawlers write them) and the same WARC uncompressed.
2. Runs winnow's pipeline (read, clean, filter, language, document: everything but the
   warehouse) over each, in fresh processes pinned to one core, alternating, ``--rounds``
   times; prints documents/s (best round) and the ratio WARC / HTML files, and checks that
   both give the same documents.
3. Times parsing alone (every record, payloads read) with warcio, which winnow uses, and with
   fastwarc (``pip install fastwarc`` to include it), and prints parsing's share of the
   pipeline's time on the WARC.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from corpus import DEFAULT_EVAL, ROOT

PIPELINE = r"""
import json, sys, time, hashlib
from winnow.discover import discover
from winnow.pipeline import Pipeline
from winnow.settings import Settings
t = time.perf_counter()
result = Pipeline(Settings()).run(discover([sys.argv[1]]).candidates)
seconds = time.perf_counter() - t
texts = sorted(hashlib.sha256(d.text.encode()).hexdigest() for d in result.documents)
print(json.dumps({"seconds": seconds, "documents": len(result.documents), "rejected": len(result.rejections),
                  "texts": hashlib.sha256("".join(texts).encode()).hexdigest()}))
"""

PARSE = r"""
import sys, time, json
path, lib = sys.argv[1], sys.argv[2]
if lib == "warcio":
    from warcio.archiveiterator import ArchiveIterator
else:
    from fastwarc.warc import ArchiveIterator
t = time.perf_counter()
n = size = 0
with open(path, "rb") as fh:
    if lib == "warcio":
        for rec in ArchiveIterator(fh):
            data = rec.content_stream().read()
            n += 1; size += len(data)
    else:
        for rec in ArchiveIterator(fh, parse_http=True):
            data = rec.reader.read()
            n += 1; size += len(data)
print(json.dumps({"seconds": time.perf_counter() - t, "records": n, "bytes": size}))
"""


def pages(eval_dir: Path, n: int) -> list[bytes]:
    src = sorted((eval_dir / "aeb-dev" / "html").glob("*.html.gz"))
    if not src:
        src = sorted((ROOT / "tests" / "data" / "html" / "pages").glob("*.html.gz"))
    raw = [gzip.decompress(p.read_bytes()) for p in src]
    return [raw[i % len(raw)].replace(b"</body>", f"<!-- copy {i} -->\n</body>".encode(), 1) for i in range(n)]


def write_warc(path: Path, bodies: list[bytes], gz: bool) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=gz)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "benchmarks/warc.py"}))
        for i, body in enumerate(bodies):
            uri = f"https://bench.example/{i}.html"
            w.write_record(w.create_warc_record(uri, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                  ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers))


def pinned(code: str, *args: str) -> dict:
    cmd = [sys.executable, "-c", code, *args]
    if sys.platform.startswith("linux"):
        cmd = ["taskset", "-c", "0", *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=445)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    args = ap.parse_args()
    bodies = pages(args.eval, args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "html").mkdir()
        for i, body in enumerate(bodies):
            (tmp / "html" / f"page-{i:05d}.html").write_bytes(body)
        for name, gz in (("crawl.warc.gz", True), ("crawl.warc", False)):
            (tmp / name.replace(".", "-")).mkdir()
            write_warc(tmp / name.replace(".", "-") / name, bodies, gz)
        inputs = {"HTML files": tmp / "html", "WARC.gz": tmp / "crawl-warc-gz", "WARC": tmp / "crawl-warc"}
        best: dict[str, dict] = {}
        for _ in range(args.rounds):
            for label, path in inputs.items():
                r = pinned(PIPELINE, str(path))
                if label not in best or r["seconds"] < best[label]["seconds"]:
                    best[label] = r
        sizes = {label: sum(f.stat().st_size for f in path.iterdir()) for label, path in inputs.items()}
        print(f"{args.pages} pages, pipeline without the warehouse, one core, best of {args.rounds} rounds\n")
        print("| input | bytes on disk | documents | seconds | documents/s |")
        print("|---|---:|---:|---:|---:|")
        for label, r in best.items():
            print(f"| {label} | {sizes[label]:,} | {r['documents']} | {r['seconds']:.1f} | "
                  f"{r['documents'] / r['seconds']:.1f} |")
        base = best["HTML files"]
        print()
        for label in ("WARC.gz", "WARC"):
            ratio = (best[label]["documents"] / best[label]["seconds"]) / (base["documents"] / base["seconds"])
            print(f"documents/s {label} / HTML files: {ratio:.2f}")
        same = len({r["texts"] for r in best.values()}) == 1
        print(f"same documents from the WARC files and the HTML files: {same}")

        print("\nparsing alone (every record, payloads read), best of the rounds:\n")
        print("| library | file | records | seconds | records/s | share of the pipeline's time |")
        print("|---|---|---:|---:|---:|---:|")
        for lib in ("warcio", "fastwarc"):
            try:
                __import__(lib)
            except ImportError:
                print(f"| {lib} | not installed (pip install {lib}) | | | | |")
                continue
            for label in ("WARC.gz", "WARC"):
                path = next(inputs[label].iterdir())
                r = min((pinned(PARSE, str(path), lib) for _ in range(args.rounds)), key=lambda x: x["seconds"])
                share = r["seconds"] / best[label]["seconds"]
                print(f"| {lib} | {label} | {r['records']} | {r['seconds']:.2f} | {r['records'] / r['seconds']:,.0f} | "
                      f"{share:.1%} |")


if __name__ == "__main__":
    main()
