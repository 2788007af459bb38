"""Throughput: the Prefect pipeline against a bare Python loop doing the same per-document calls.

    python benchmarks/throughput.py [--docs 2400] [--repeat 3] [--server] [--dask] [--baseline ../main]
                                    [--eval SHARED/eval]

1. Generates a corpus of ``--docs`` files from real page material: the dev split's
   HTML pages (gzipped and not) and plain-text dumps, the seeds, the multilingual
   dumps; every file is made unique (a different marker line / comment), so
   nothing is skipped as already seen.
2. Runs, each in its own fresh process on all cores, side by side in this run:
   - the bare library floor: a process pool of one process per core doing only the calls a
     pipeline cannot avoid (read, clean, detect_language, content hash), rows inserted into
     a DuckDB table by the parent in batches of the same size;
   - winnow: `run_ingest` with the defaults (the real Prefect flow on a process pool of one
     worker per core: plan, batch tasks, one transaction per batch, dedup), no export;
   - `winnow ingest` again on the same folder (nothing new), wall time of the command;
   - with --server, winnow against a Prefect server already running (`prefect server start`,
     as `winnow serve` or a user's own server gives): no temporary server to start;
   - with --dask, the flow on a local Dask cluster too;
   - with --baseline DIR, the winnow of another checkout (DIR/flows), e.g. main before a change.
   With --repeat N, N rounds in alternating order; the table shows the medians of the rounds.
3. Prints documents/s, the ratio to the floor with and without start-up, the CPU seconds of each
   run (with the processes it started: on a shared machine less noisy than wall time), peak
   memory of the flow process and of the largest worker, the warehouse size, the dedup stage's
   share, the flow's loading time and the report's; then the CPU seconds of each process (the
   flow, Prefect's server, the fork server, the workers; the floor's parent and workers), sampled
   from /proc by this process (``ProcessCpu``), the tail (the flow alone after the workers' last
   work), how far apart the workers finished, and the flow's steps and the workers' stages.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from corpus import DEFAULT_EVAL, ROOT, generate


BARE = r"""
import sys, time, json, os, resource
from concurrent.futures import ProcessPoolExecutor
t0 = time.perf_counter()
import duckdb
from winnow.discover import discover

def work(paths):
    from winnow.settings import Settings
    from winnow.discover import Candidate
    from winnow.read import read_candidate
    from winnow.records import Document
    from winnow.clean import clean
    from winnow.language import detect_language
    from winnow.dedup.exact import content_hash
    s = Settings()
    rows = []
    for path, root in paths:
        doc = read_candidate(Candidate(path, root), s.input)
        if not isinstance(doc, Document):
            continue
        ex = clean(doc.raw, doc.source.type, s.clean)
        lang, prob = detect_language(ex.text, s.language)
        rows.append((path, ex.title, ex.text, lang, prob, content_hash(ex.text)))
    return rows

if __name__ == "__main__":
    corpus, db, batch, procs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    con = duckdb.connect(db)
    con.execute("CREATE TABLE docs (path VARCHAR, title VARCHAR, text VARCHAR, language VARCHAR, prob DOUBLE, hash VARCHAR)")
    files = [(c.path, c.root) for c in discover([corpus]).candidates]
    chunks = [files[i:i + batch] for i in range(0, len(files), batch)]
    with ProcessPoolExecutor(procs) as pool:
        t1 = time.perf_counter()
        for rows in pool.map(work, chunks):
            if rows:
                con.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.close()
    t2 = time.perf_counter()
    print(json.dumps({"docs": len(files), "total": t2 - t0, "work": t2 - t1,
                      "flow_cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2])}))
"""

PIPELINE = r"""
import sys, time, json, dataclasses, os, resource
t0 = time.perf_counter()
from winnow.settings import Settings
from winnow.prefect_env import configure_prefect

if __name__ == "__main__":
    corpus, db, batch, home = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    runner = sys.argv[5] if len(sys.argv) > 5 else "process"
    workers = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    s = Settings()
    s = dataclasses.replace(s, warehouse=dataclasses.replace(s.warehouse, db=db),
                            flow=dataclasses.replace(s.flow, batch_size=batch, prefect_home=home, workers=workers,
                                                     runner=runner))
    configure_prefect(s)
    from winnow.ingest import run_ingest
    summary = run_ingest([corpus], s, export=False, started=t0)
    f = summary["files"]
    kib = 1024
    print(json.dumps({"docs": f["new"] + f["changed"] + f["unchanged"], "processed": f["new"] + f["changed"],
                      "total": summary["seconds"]["total"], "work": summary["seconds"]["work"],
                      "startup": summary["seconds"]["prefect_startup"] + summary["seconds"].get("planning", 0),
                      "rejected": f["rejected"], "step_seconds": summary["step_seconds"],
                      "flow_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib,
                      "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib,
                      "warehouse_mb": os.path.getsize(db) / 1e6, "corpus": summary["documents"]["corpus"],
                      "flow_cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2])}))
"""


PER_DOCUMENT = r"""
import sys, time, json
from winnow.settings import Settings
from winnow.discover import discover
from winnow.read import read_candidate
from winnow.records import Document
from winnow.clean import clean
from winnow.language import detect_language
from winnow.dedup.exact import content_hash
from winnow.pipeline import Pipeline

s = Settings()
files = discover([sys.argv[1]]).candidates[:int(sys.argv[2])]

def floor():
    for c in files:
        doc = read_candidate(c, s.input)
        if isinstance(doc, Document):
            ex = clean(doc.raw, doc.source.type, s.clean)
            detect_language(ex.text, s.language)
            content_hash(ex.text)

def winnow():
    Pipeline(s).run(files)

floor(); winnow()  # imports and caches warm
times = {"floor": [], "winnow": []}
for _ in range(3):
    for name, fn in (("floor", floor), ("winnow", winnow)):
        t = time.process_time(); fn(); times[name].append(time.process_time() - t)
print(json.dumps({k: min(v) for k, v in times.items()}))
"""


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds so far) of every process this user can see (Linux /proc)."""
    table = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
                table[int(name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK)
            except (OSError, IndexError, ValueError):
                pass
    return table


def _role(pid: int, parent_role: str | None) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ")
    except OSError:
        return "other"
    if b"uvicorn" in cmd or b"prefect server start" in cmd or b"prefect server" in cmd:
        return "Prefect server"
    if b"resource_tracker" in cmd:
        return "other"
    if b"forkserver" in cmd:
        return "worker" if parent_role == "fork server" else "fork server"
    if parent_role in ("flow", "fork server"):
        return "worker"
    return "other"


class ProcessCpu:
    """CPU seconds per process of a run (the flow, Prefect's server, the fork server, each worker),
    sampled from /proc by the benchmark's own process (the run pays nothing for it) every ``interval``
    seconds; a process's last ``interval`` before it ends is not seen. Also when the workers were last
    busy (``workers_done``: seconds after the start at which the workers had used 98% of their CPU)."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        self.root, self.interval, self.t0 = root, interval, time.perf_counter()
        self.roles: dict[int, str] = {root: "flow"}
        self.cpu: dict[int, float] = {}
        self.worker_series: list[tuple[float, float]] = []
        self.per_worker: dict[int, list[tuple[float, float]]] = {}

    def sample(self) -> None:
        table = _proc_table()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        todo = [self.root]
        while todo:
            pid = todo.pop()
            if pid not in table:
                continue
            if pid not in self.roles:
                self.roles[pid] = _role(pid, self.roles.get(table[pid][0]))
            self.cpu[pid] = table[pid][1]
            todo += children.get(pid, [])
        now = time.perf_counter() - self.t0
        self.worker_series.append((now, self.by_role().get("workers", 0.0)))
        for pid, role in self.roles.items():
            if role == "worker" and pid in self.cpu:
                self.per_worker.setdefault(pid, []).append((now, self.cpu[pid]))

    def by_role(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for pid, cpu in self.cpu.items():
            role = self.roles[pid]
            key = "workers" if role == "worker" else role
            out[key] = out.get(key, 0.0) + cpu
        return out

    def worker_spread(self) -> float | None:
        """Seconds between the first worker's last work and the last one's (one core idle meanwhile)."""
        done = []
        most = max((series[-1][1] for series in self.per_worker.values()), default=0.0)
        for series in self.per_worker.values():
            final = series[-1][1]
            if final >= 0.2 * most:  # a worker that did real work (not one that only started)
                done.append(next(t for t, c in series if c >= final - 0.05))
        return max(done) - min(done) if len(done) > 1 else None

    def workers_done(self) -> float | None:
        if not self.worker_series or not self.worker_series[-1][1]:
            return None
        final = self.worker_series[-1][1]
        return next(t for t, c in self.worker_series if c >= 0.98 * final)


def run_pinned(code: str, *args: str, cores: set[int] | None = None, python: str | None = None,
               env: dict | None = None) -> dict:
    """Run a benchmark step in a fresh process, on ``cores`` (default: every core this one may use).

    Adds ``cpu``: the CPU seconds (user + system) of the step's process and every process it
    started and waited for (worker processes, Prefect's server): less sensitive to other load
    on the machine than wall time; and ``cpu_by_process`` (``ProcessCpu``, Linux)."""
    cores = cores or os.sched_getaffinity(0)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+") as out_f, tempfile.TemporaryFile("w+") as err_f:
        proc = subprocess.Popen(
            [python or sys.executable, "-c", code, *args], stdout=out_f, stderr=err_f, text=True,
            env=env or dict(os.environ), preexec_fn=lambda: os.sched_setaffinity(0, cores),
        )
        sampler = ProcessCpu(proc.pid) if os.path.isdir("/proc") else None
        while proc.poll() is None:
            if sampler is not None:
                sampler.sample()
            time.sleep(sampler.interval if sampler is not None else 0.2)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out_f.seek(0), err_f.seek(0)
        stdout, stderr = out_f.read(), err_f.read()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{stderr[-3000:]}")
    out = json.loads(stdout.strip().splitlines()[-1])
    out["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if sampler is not None:
        roles = sampler.by_role()
        if "flow_cpu" in out:  # the run's own measure of its process, to its end (the sample misses the last 0.2 s)
            roles["flow"] = out["flow_cpu"]
        out["cpu_by_process"] = roles
        out["workers_done"] = sampler.workers_done()
        out["worker_spread"] = sampler.worker_spread()
    return out


def rerun_wall(corpus: Path, db: Path, home: str, python: str | None = None) -> float:
    """Wall seconds of `winnow ingest` (the command, imports included) on a folder it has seen."""
    env = dict(os.environ, PREFECT_HOME=home)
    t = time.perf_counter()
    proc = subprocess.run([str(Path(python or sys.executable).parent / "winnow"), "ingest", str(corpus), "--db",
                           str(db), "--no-export", "--json"], capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t
    if proc.returncode != 0 or json.loads(proc.stdout)["files"]["new"]:
        raise SystemExit(f"the re-run failed or found new files:\n{proc.stderr[-2000:]}")
    return wall


@contextlib.contextmanager
def running_server(home: str, python: str | None = None):
    """`prefect server start` on a free loopback port (what `winnow serve` or a user's own server gives)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    api = f"http://127.0.0.1:{port}/api"
    env = dict(os.environ, PREFECT_HOME=home, PREFECT_UI_ENABLED="false", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen([python or sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(api + "/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("could not start `prefect server start` for the --server run")
                time.sleep(0.5)
        yield api
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def per_document(args) -> None:
    """CPU seconds per document, one process, warm: winnow's pipeline (read, cheap checks, clean with
    corpus evidence's line hashes, filter, language, corpus filters, identify, MinHash signature, the
    per-page time limit) against the floor's calls (read, clean, detect, hash); best of 3 each."""
    work = Path(tempfile.mkdtemp(prefix="winnow-perdoc-"))
    try:
        generate(work / "corpus", args.per_document, args.eval)
        d = run_pinned(PER_DOCUMENT, str(work / "corpus"), str(args.per_document))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.per_document} files, one process, CPU seconds (best of 3): floor's calls {d['floor']:.2f}, "
          f"winnow's stages {d['winnow']:.2f} = {d['winnow'] / d['floor']:.2f}x")


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2400)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=1, help="rounds of floor + winnow, alternating; medians shown")
    ap.add_argument("--dask", action="store_true", help="also run the flow on a local Dask cluster")
    ap.add_argument("--server", action="store_true",
                    help="also run winnow against a Prefect server already running (PREFECT_API_URL)")
    ap.add_argument("--baseline", type=Path, help="another winnow checkout (its flows/, on this interpreter) run side by side, e.g. main")
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="shared eval folder (page material)")
    ap.add_argument("--keep", action="store_true", help="keep the generated corpus and databases")
    ap.add_argument("--per-document", type=int, metavar="N",
                    help="only compare, in one process, the CPU time of winnow's stages and of the floor's calls "
                         "on N files (what winnow does more per document)")
    args = ap.parse_args()
    if args.per_document:
        per_document(args)
        return

    work = Path(tempfile.mkdtemp(prefix="winnow-throughput-"))
    corpus = work / "corpus"
    sources = generate(corpus, args.docs, args.eval)
    home = str(ROOT / ".winnow" / "bench-prefect")
    Path(home).mkdir(parents=True, exist_ok=True)
    cores = len(os.sched_getaffinity(0))
    load0 = os.getloadavg()
    print(f"corpus: {args.docs} files from {sources} real pages in {corpus}; {cores} cores, batches of {args.batch}; "
          f"load average {load0[0]:.1f} at the start", flush=True)
    # the baseline's package on this interpreter's dependencies, ahead of the installed winnow
    baseline_env = dict(os.environ, PYTHONPATH=str(args.baseline.resolve() / "flows")) if args.baseline else None
    # warm-up: Prefect's home database exists before the timed run, as in everyday use
    run_pinned(PIPELINE, str(ROOT / "seeds"), str(work / "warm.duckdb"), str(args.batch), home)
    names = ["winnow, process pool (default)"]
    if args.baseline:
        names.append(f"baseline ({args.baseline}), process pool")
    if args.server:
        names.append("winnow, Prefect server already running")
    if args.dask:
        names.append("winnow, local Dask cluster")
    results: dict[str, list[dict]] = {n: [] for n in ["floor"] + names}
    noop = []
    server = running_server(str(work / "server-prefect")) if args.server else contextlib.nullcontext()
    with server as api:
        for r in range(args.repeat):
            def step(name: str, i: int) -> dict:
                db = str(work / f"r{r}-{i}.duckdb")
                if name == "floor":
                    return run_pinned(BARE, str(corpus), db, str(args.batch), str(cores))
                if name.startswith("baseline"):
                    return run_pinned(PIPELINE, str(corpus), db, str(args.batch), home, "process", "0",
                                      env=baseline_env)
                if "already running" in name:
                    return run_pinned(PIPELINE, str(corpus), db, str(args.batch), str(work / "server-prefect"),
                                      "process", "0", env=dict(os.environ, PREFECT_API_URL=api))
                runner = "dask" if "Dask" in name else "process"
                d = run_pinned(PIPELINE, str(corpus), db, str(args.batch), home, runner, "0")
                if name == names[0]:
                    noop.append(rerun_wall(corpus, Path(db), home))
                return d

            order = ["floor"] + names if r % 2 == 0 else names[::-1] + ["floor"]
            for i, name in enumerate(order):
                results[name].append(step(name, i))
            floor_r = results["floor"][-1]
            print(f"round {r + 1}: " + "; ".join(
                f"{n}: {d[-1]['total']:.1f} s ({floor_r['total'] / d[-1]['total']:.2f})"
                for n, d in results.items()) + f"; load average {os.getloadavg()[0]:.1f}", flush=True)
    load1 = os.getloadavg()

    def rate(d, seconds):
        return d["docs"] / seconds

    floor = results["floor"]
    fl = median([d["total"] for d in floor])
    print()
    print(f"{args.repeat} round(s), each run in a fresh process; medians of the rounds' ratios; load average "
          f"{load0[0]:.1f} at the start, {load1[0]:.1f} at the end; CPU: seconds of CPU of the run and the processes "
          f"it started (workers, Prefect's server)")
    print()
    print("| run | documents | seconds | documents/s | vs. the floor | CPU seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| bare library floor, {cores} processes (read, clean, detect, hash, insert) | {floor[0]['docs']} | "
          f"{fl:.1f} | {floor[0]['docs'] / fl:.1f} | 1.00 | {median([d['cpu'] for d in floor]):.1f} |")
    for name in names:
        runs = results[name]
        ratio = median([f["total"] / d["total"] for f, d in zip(floor, runs)])
        lean_ratio = median([f["total"] / (d["total"] - d["startup"]) for f, d in zip(floor, runs)])
        total = median([d["total"] for d in runs])
        startup = median([d["startup"] for d in runs])
        lean = median([d["total"] - d["startup"] for d in runs])
        print(f"| {name}, end to end | {runs[0]['docs']} | {total:.1f} | {runs[0]['docs'] / total:.1f} | "
              f"{ratio:.2f} | {median([d['cpu'] for d in runs]):.1f} |")
        print(f"| {name}, without {startup:.1f} s planning + Prefect start-up | {runs[0]['docs']} | {lean:.1f} | "
              f"{runs[0]['docs'] / lean:.1f} | {lean_ratio:.2f} | |")
    if noop:
        print(f"| `winnow ingest` again, nothing new (wall, imports included) | {floor[0]['docs']} | "
              f"{median(noop):.1f} | - | - | |")
    print()
    for name in names:
        d = results[name][-1]
        steps = d["step_seconds"]
        print(f"{name}: peak memory flow {d['flow_peak_mb']:.0f} MB, largest worker {d['worker_peak_mb']:.0f} MB; "
              f"warehouse {d['warehouse_mb']:.1f} MB; dedup stage {steps.get('dedup', 0):.1f} s = "
              f"{100 * steps.get('dedup', 0) / d['total']:.1f}% of the run (signatures on the workers: "
              f"{steps.get('signature', 0):.1f} s of worker time); loading {steps.get('load', 0):.1f} s in the flow; "
              f"report {steps.get('report', 0):.1f} s; corpus {d['corpus']} documents")
    print()
    print("CPU seconds by process (medians of the rounds; sampled from /proc every 0.2 s, the flow's own to its end), "
          "the tail (seconds from the workers' last work to the end of the run, the flow working alone) and how far "
          "apart the workers finished (a core idle meanwhile):")
    for name in ["floor"] + names:
        runs = results[name]
        if not all("cpu_by_process" in d for d in runs):
            continue
        roles = sorted({k for d in runs for k in d["cpu_by_process"]}, key=lambda k: (k != "flow", k))
        parts = [f"{'parent' if name == 'floor' and k == 'flow' else k} "
                 f"{median([d['cpu_by_process'].get(k, 0.0) for d in runs]):.1f}" for k in roles]
        tails = [d["total"] - d["workers_done"] for d in runs if d.get("workers_done") is not None]
        tail = f"; tail {median(tails):.1f} s" if tails else ""
        spreads = [d["worker_spread"] for d in runs if d.get("worker_spread") is not None]
        tail += f"; the workers finished {median(spreads):.1f} s apart" if spreads else ""
        print(f"- {name}: " + ", ".join(parts) + tail)
    for name in names:
        steps = results[name][-1]["step_seconds"]
        flow_steps = {k: v for k, v in steps.items() if k in ("discover+plan", "load", "dedup", "export", "finish",
                                                                "report")}
        worker_steps = {k: v for k, v in steps.items() if k not in flow_steps}
        print(f"- {name}, last round: the flow's steps (s) " + ", ".join(f"{k} {v:.1f}" for k, v in flow_steps.items())
              + "; the workers' stages (s, summed) " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(
                  worker_steps.items(), key=lambda kv: -kv[1])))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
