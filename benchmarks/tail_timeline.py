"""The run's tail step by step: what the flow does alone after the workers' last work.

    python benchmarks/tail_timeline.py [--docs 2400] [--rounds 1] [--baseline DIR] [--eval SHARED/eval]

Runs `run_ingest` as ``throughput.py`` does (the defaults: a process pool of one worker per core, the
report after the run, no export) on a generated corpus, with the flow's steps timed from inside the
run (each step's start and end; ``winnow.flow``'s functions wrapped in the run's own process) and the
workers' CPU sampled from /proc every 0.05 s by this process. Prints, per run, when each worker last
worked (a 0.05 s sample with more than half a core busy) and every step that ended after the first
worker's last work, in seconds from the last worker's last work, then the tail (the run's end).
With ``--baseline DIR``, another checkout (DIR/flows) is run too, alternating.

``throughput.py`` prints the tail's length; this says what is in it. Wall times on a shared machine
move with other people's load: compare runs made side by side, and several of them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import DEFAULT_EVAL, ROOT, generate
from throughput import ProcessCpu

RUN = r"""
import contextlib, dataclasses, json, sys, time
t0 = time.perf_counter()
EVENTS = []

def event(name):
    EVENTS.append((time.perf_counter(), name))

from winnow.settings import Settings
from winnow.prefect_env import configure_prefect

if __name__ == "__main__":
    corpus, db, home = sys.argv[1], sys.argv[2], sys.argv[3]
    s = Settings()
    s = dataclasses.replace(s, warehouse=dataclasses.replace(s.warehouse, db=db),
                            flow=dataclasses.replace(s.flow, prefect_home=home))
    configure_prefect(s)
    import winnow.flow as flow
    import winnow.report as report
    import winnow.report.page as page

    def timed(owner, name, label=None):
        real = getattr(owner, name, None)
        if real is None:  # a checkout without this step
            return
        def step(*args, **kwargs):
            event(f"{label or name} >")
            try:
                return real(*args, **kwargs)
            finally:
                event(f"{label or name} <")
        setattr(owner, name, step)

    for name, label in [("_load", "load a batch"), ("dedup_task", "dedup"), ("finish_task", "the run's row"),
                        ("_publish_artifacts", "summary artifacts"), ("_publish_report", "report")]:
        timed(flow, name, label)
    timed(report, "gather", "report: queries")
    timed(page, "render_charts", "report: charts")
    timed(flow.wdb.Writer, "close", "close the writer")
    from winnow.ingest import run_ingest
    summary = run_ingest([corpus], s, export=False, started=t0)
    event("run_ingest returned")
    print(json.dumps({"events": EVENTS, "total": summary["seconds"]["total"]}))
"""


def run(corpus: Path, work: Path, flows: Path | None, tag: str) -> dict:
    """One run; its events and each worker's last busy moment (perf_counter: one clock for all processes)."""
    env = dict(os.environ, PYTHONPATH=str(flows)) if flows else dict(os.environ)
    home = str(ROOT / ".winnow" / "bench-prefect")
    db = work / f"{tag}.duckdb"
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, "-c", RUN, str(corpus), str(db), home], stdout=out,
                                stderr=subprocess.DEVNULL, env=env, text=True)
        sampler = ProcessCpu(proc.pid, interval=0.05)  # its times: seconds after sampler.t0
        while proc.poll() is None:
            sampler.sample()
            time.sleep(sampler.interval)
        if proc.returncode != 0:
            raise SystemExit(f"the run failed (exit {proc.returncode})")
        out.seek(0)
        result = json.loads(out.read().strip().splitlines()[-1])
    lasts = []
    for series in sampler.per_worker.values():
        busy = [t1 for (t0, c0), (t1, c1) in zip(series, series[1:]) if c1 - c0 > 0.5 * (t1 - t0)]
        if busy:
            lasts.append(sampler.t0 + busy[-1])
    result["workers_last"] = sorted(lasts)
    return result


def show(name: str, r: dict) -> None:
    if not r["workers_last"]:
        print(f"{name}: no worker seen busy")
        return
    zero = r["workers_last"][-1]
    first = r["workers_last"][0]
    print(f"{name} (seconds from the last worker's last work; total {r['total']:.1f} s):")
    print("  the workers' last work: " + ", ".join(f"{t - zero:+.2f}" for t in r["workers_last"]))
    for t, what in r["events"]:
        if t >= first - 0.01:
            print(f"  {t - zero:+7.3f}  {what}")
    print(f"  tail {r['events'][-1][0] - zero:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2400)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--baseline", type=Path, help="another checkout (DIR/flows), run side by side")
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="shared eval folder (page material)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="winnow-tail-"))
    try:
        corpus = work / "corpus"
        generate(corpus, args.docs, args.eval)
        names = {"winnow": None} | ({f"baseline ({args.baseline})": args.baseline.resolve() / "flows"}
                                    if args.baseline else {})
        print(f"{args.docs} files; load average {os.getloadavg()[0]:.1f} at the start", flush=True)
        for r in range(args.rounds):
            for i, name in enumerate(list(names) if r % 2 == 0 else list(names)[::-1]):
                show(name, run(corpus, work, names[name], f"r{r}-{i}"))
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
