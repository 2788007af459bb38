"""How fast `winnow report` pages open in headless Chromium, on the seeds and on a 2,000-file warehouse.

    python benchmarks/report_open.py [--docs 2000] [--eval SHARED/eval] [--opens 5] [--keep]

1. Builds two warehouses with the real `winnow ingest`: the seeds, and ``--docs`` files generated
   from real page material (benchmarks/corpus.py: the dev split's HTML pages and text dumps, the
   multilingual dumps, the seeds, copies folded by dedup).
2. Writes each report with `winnow report` (seconds and file size).
3. Opens each page ``--opens`` times in Debian's Chromium (Playwright, a fresh tab each time, from
   file://, no network) and prints the time until the page's load event (the browser's own
   navigation timing: parse, inline SVG, the document browser's script) and the wall time of
   ``goto`` seen by the driver. The goal is under 2 s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import DEFAULT_EVAL, ROOT, generate

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WINNOW = Path(sys.executable).parent / "winnow"
GOAL_SECONDS = 2.0


def winnow(*args) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(WINNOW), *map(str, args)], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.exit(f"winnow {' '.join(map(str, args))} failed: {proc.stderr.strip()}")
    return proc


def build(inputs: Path, db: Path, report: Path) -> dict:
    t = time.perf_counter()
    summary = json.loads(winnow("ingest", inputs, "--json", "--no-export", "--db", db).stdout)
    ingest_s = time.perf_counter() - t
    t = time.perf_counter()
    winnow("report", "--db", db, "--out", report)
    return {"files": summary["files"]["seen"], "corpus": summary["documents"]["corpus"], "ingest_s": ingest_s,
            "report_s": time.perf_counter() - t, "bytes": report.stat().st_size}


def open_times(page_path: Path, opens: int) -> dict:
    from playwright.sync_api import sync_playwright

    load, wall, errors = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(opens):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda e: errors.append(str(e)))
            t = time.perf_counter()
            page.goto(page_path.as_uri(), wait_until="load")
            wall.append(time.perf_counter() - t)
            nav = page.evaluate("JSON.stringify(performance.getEntriesByType('navigation')[0])")
            load.append(json.loads(nav)["loadEventEnd"] / 1000)
            if page.locator("#doc-list li").count() == 0 or page.locator("figure.chart svg").count() == 0:
                errors.append("the page did not render its charts or document list")
            page.close()
        browser.close()
    return {"load": load, "wall": wall, "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--opens", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep the generated corpus, warehouses and pages")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="winnow-report-bench-"))
    try:
        corpus = work / "corpus"
        generate(corpus, args.docs, args.eval)
        cases = [("seeds", ROOT / "seeds"), (f"{args.docs:,} generated files", corpus)]
        print("| warehouse | files | corpus documents | report s | report size | opens | load event median s | "
              "load event max s | goto wall median s | under 2 s |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for i, (name, inputs) in enumerate(cases):
            page = work / f"report-{i}.html"
            b = build(inputs, work / f"w{i}.duckdb", page)
            t = open_times(page, args.opens)
            ok = max(t["load"]) < GOAL_SECONDS and not t["errors"]
            print(f"| {name} | {b['files']:,} | {b['corpus']:,} | {b['report_s']:.1f} | {b['bytes'] / 1024:,.0f} KiB | "
                  f"{args.opens} | {statistics.median(t['load']):.2f} | {max(t['load']):.2f} | "
                  f"{statistics.median(t['wall']):.2f} | {'yes' if ok else 'NO'} |")
            for e in t["errors"][:3]:
                print(f"  error: {e}")
        if args.keep:
            print(f"kept: {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
