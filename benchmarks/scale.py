"""Scale on record: `winnow ingest` end to end on 10,000 and 100,000 documents, and a 10M projection.

    python benchmarks/scale.py [--sizes 10000,100000] [--dup-share 0.07] [--no-export]

For each size, in this one run, smallest first:

1. Generates that many mostly distinct documents from real page material, with a planted
   share of true near-duplicates (``scalecorpus.py``: real chrome, bodies recombined from
   real sentences, copies mutated as dupset.py does; HTML, gzipped HTML and text dumps).
2. Runs the real command, ``winnow ingest CORPUS --db NEW.duckdb --json`` with the defaults
   (process pool, one worker per core, export on unless ``--no-export``), in a fresh
   process, after a warm-up run so Prefect's home database exists as in everyday use.
3. Samples every 0.25 s the flow process and its descendants (``/proc/<pid>/status``:
   VmHWM, the kernel's peak resident set): peak memory of the flow process, of each worker
   process and of Prefect's server; and the load average of the machine. The flow process
   measures its own peak in each of its steps (``step_peak_mb`` in the run summary, exact:
   ``winnow.memory`` resets the kernel's peak when a step starts), printed as "flow process
   peak by step"; its resident set is sampled instead (and kept as a timeline in results.json).
4. Reports time, documents/s, the warehouse size (database file, and the export), each
   stage's cost from the run summary (planning, Prefect start-up, processing, load, dedup,
   export), the dedup stage's share of the run (see ``dedup_share``), and the planted
   duplicate share against the share dedup folded (and how many planted copies landed in
   their original's cluster).

Then projects 10M documents from the per-document cost of each stage at the two largest
sizes: a stage whose cost per document grows between them is extrapolated with the growth
exponent measured (time ~ n^k), so growth that is not linear shows.

The corpus and warehouses live under ``benchmarks/out/scale/`` (git-ignored) and are
removed at the end unless ``--keep``; ``benchmarks/out/scale/results.json`` keeps the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from corpus import DEFAULT_EVAL, ROOT
from scalecorpus import generate
from winnow.memory import status_kb
from winnow.settings import load_settings, worker_count

OUT = ROOT / "benchmarks" / "out" / "scale"
TARGET = 10_000_000
FLOW_STEPS = ("load", "dedup", "export", "discover+plan", "report")  # timed in the flow process, not the workers


# --- memory of a process tree -------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _tree(pid: int) -> list[tuple[int, int | None]]:
    """The process and its descendants, each with its parent."""
    kids, out, todo = _children(), [], [(pid, None)]
    while todo:
        p, parent = todo.pop()
        out.append((p, parent))
        todo += [(k, p) for k in kids.get(p, [])]
    return out


def _status(pid: int, key: str = "VmHWM") -> tuple[int, str] | None:
    """(VmHWM, or another size of /proc/<pid>/status, in kB; role) of a live process.

    None for a process that has ended (a zombie has neither sizes nor a command line): sampled as
    one, the server and the workers, terminated at the end of the run, were kept as "other"."""
    kb = status_kb(key, pid)
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    if kb is None or not cmd:
        return None
    role = ("prefect server" if "uvicorn" in cmd or "prefect" in cmd and "server" in cmd
            else "resource tracker" if "resource_tracker" in cmd
            else "fork server" if "forkserver import main" in cmd  # and the workers it forks (same command line)
            else "worker" if "multiprocessing" in cmd or "spawn_main" in cmd or "winnow" in cmd
            else "other")  # a worker forked from the flow process keeps its command line
    return kb, role


class Sampler(threading.Thread):
    """Peak memory of a process and each of its descendants, and the machine's load, until stopped.

    The flow process resets its own kernel peak at each of its steps (``winnow.memory``), so its
    resident set is sampled (``VmRSS``) and kept as a timeline too; its exact per-step peaks come
    from the run summary (``step_peak_mb``)."""

    def __init__(self, pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peaks: dict[int, tuple[int, str]] = {}
        self.loads: list[float] = []
        self.timeline: list[tuple[float, float]] = []  # (seconds since start, flow RSS MB), every ~5 s
        self.done = threading.Event()

    def run(self) -> None:
        ticks, t0 = 0, time.perf_counter()
        while not self.done.is_set():
            for p, parent in _tree(self.pid):
                got = _status(p, "VmRSS" if p == self.pid else "VmHWM")
                if got:
                    role = ("flow" if p == self.pid
                            else "worker" if got[1] == "fork server" and parent != self.pid else got[1])
                    self.peaks[p] = (max(got[0], self.peaks.get(p, (0, ""))[0]), role)
                    if p == self.pid and ticks % 20 == 0:
                        self.timeline.append((round(time.perf_counter() - t0, 1), round(got[0] / 1024, 1)))
            if ticks % 20 == 0:
                self.loads.append(os.getloadavg()[0])
            ticks += 1
            self.done.wait(self.every)

    def report(self) -> dict:
        mb = lambda kb: round(kb / 1024, 1)  # noqa: E731
        by_role: dict[str, list[float]] = {}
        for _, (kb, role) in sorted(self.peaks.items()):
            by_role.setdefault(role, []).append(mb(kb))
        loads = self.loads or [os.getloadavg()[0]]
        return {"flow_peak_mb": by_role.get("flow", [0])[0], "worker_peaks_mb": by_role.get("worker", []),
                "server_peak_mb": max(by_role.get("prefect server", [0])),
                "fork_server_peak_mb": max(by_role.get("fork server", [0])),
                "other_peaks_mb": by_role.get("other", []) + by_role.get("resource tracker", []),
                "flow_timeline_mb": self.timeline,
                "load": [round(min(loads), 1), round(sum(loads) / len(loads), 1), round(max(loads), 1)]}


# --- one run ------------------------------------------------------------------------------


def ingest(corpus: Path, db: Path, home: Path, export: bool) -> tuple[dict, dict, float]:
    """Run `winnow ingest` on ``corpus`` into a new ``db``: (summary, memory, wall seconds)."""
    cmd = [str(Path(sys.executable).parent / "winnow"), "ingest", str(corpus), "--db", str(db), "--json", "-q"]
    cmd += [] if export else ["--no-export"]
    env = dict(os.environ, PREFECT_HOME=str(home))
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    sampler = Sampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t
    sampler.done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(failed_run(db, proc.returncode, err, sampler.report()))
    summary, memory = json.loads(out), sampler.report()
    steps = summary.get("step_peak_mb", {})
    memory["flow_step_peaks_mb"] = steps  # exact, measured by the flow process itself
    memory["flow_peak_mb"] = max([memory["flow_peak_mb"], *steps.values()])
    return summary, memory, wall


def failed_run(db: Path, code: int, err: str, memory: dict) -> str:
    """What to print of a failed `winnow ingest`: its one-line error and the summary the run left in
    ``runs.summary`` (the step it failed in: the last of the flow's steps it timed; that step's peak; the
    flow process's peak by step; documents loaded), as a successful run's figures are printed."""
    lines = [x for x in err.splitlines() if x.strip()]
    error = next((x for x in reversed(lines) if x.startswith("winnow:")), lines[-1] if lines else "(no message)")
    out = [f"winnow ingest failed (exit {code}): {error}"]
    try:
        con = duckdb.connect(str(db), read_only=True)
        try:
            row = con.execute("SELECT status, summary FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        finally:
            con.close()
    except (duckdb.Error, OSError) as e:
        row = None
        out.append(f"- no run summary: {str(e).splitlines()[0]}")
    if row and row[1]:
        summary = json.loads(row[1])
        steps, peaks = summary.get("step_seconds", {}), summary.get("step_peak_mb", {})
        order = ("discover+plan", "load", "dedup", "export", "report")  # the flow's steps, in the order they run
        step = next((k for k in reversed(order) if k in steps), "(before any step of the flow)")
        out.append(f"- run {row[0]}; failed in the step: {step} (after {steps.get(step, 0):.0f} s, "
                   f"its peak {peaks.get(step, 0):.0f} MB)")
        out.append("- flow process peak by step (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in peaks.items()))
        seconds = summary.get("seconds") or {}  # a failed run has no totals: the seconds of the steps it timed
        shown = (f"seconds: {seconds}" if seconds else
                 "seconds by step: " + (", ".join(f"{k} {v:.1f}" for k, v in steps.items()) or "none timed"))
        out.append(f"- documents loaded: {summary.get('documents', {})}; {shown}")
    elif row:
        out.append(f"- run {row[0]}, no summary stored")
    out.append(f"- sampled peaks: flow process {memory['flow_peak_mb']:.0f} MB; workers "
               f"{', '.join(f'{x:.0f}' for x in memory['worker_peaks_mb'])} MB")
    if not os.environ.get("WINNOW_DEBUG"):
        out.append("(set WINNOW_DEBUG=1 for the traceback)")
    else:
        out.append(err[-3000:])
    return "\n".join(out)


def planted_found(db: Path, truth: Path) -> dict:
    """Planted copies, documents dedup folded, and planted copies found in their original's cluster."""
    rows = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    con = duckdb.connect(str(db), read_only=True)
    try:
        cluster = dict(con.execute(
            "SELECT f.path, d.cluster_id FROM source_files f JOIN documents d USING (doc_id) "
            "WHERE f.status = 'current' AND d.superseded_at IS NULL").fetchall())
        folded = con.execute("SELECT count(*) FROM documents WHERE superseded_at IS NULL "
                             "AND duplicate_of IS NOT NULL").fetchone()[0]
        docs = con.execute("SELECT count(*) FROM documents WHERE superseded_at IS NULL").fetchone()[0]
    finally:
        con.close()
    by_doc = {r["doc"]: r["path"] for r in rows}
    copies = [r for r in rows if r["copy_of"] is not None]
    hit = sum(1 for r in copies if cluster.get(r["path"]) is not None
              and cluster.get(r["path"]) == cluster.get(by_doc[r["copy_of"]]))
    planted = {by_doc[r["copy_of"]] for r in copies} | {r["path"] for r in copies}
    sizes: dict = {}
    for c in cluster.values():
        sizes[c] = sizes.get(c, 0) + 1
    stray = sum(1 for r in rows if r["path"] not in planted and sizes.get(cluster.get(r["path"]), 0) > 1)
    return {"files": len(rows), "documents": docs, "planted": len(copies), "folded": folded,
            "planted_found": hit, "unplanted_in_clusters": stray}


def dedup_replay(db: Path) -> dict[str, dict]:
    """The flow's dedup stage, step by step, replayed from scratch on the finished warehouse in this
    process with the library's own functions: seconds and peak memory above the start of each step
    (``/proc/self/clear_refs`` resets the peak). Each step's result stays in memory, as in the flow."""
    from winnow.dedup.clusters import DocMeta, cluster
    from winnow.dedup.minhash import signature_key
    from winnow.dedup.near import verify_pairs
    from winnow.settings import load_settings
    from winnow.storage import dedup as sd
    from winnow.storage.lsh_candidates import candidate_chunks
    from winnow.storage.queries import named

    s = load_settings(ROOT / "config" / "winnow.toml")
    con = duckdb.connect(str(db), read_only=True)
    out: dict[str, dict] = {}

    def step(name: str, fn):
        gc.collect()
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        base, t = status_kb("VmRSS"), time.perf_counter()
        result = fn()
        out[name] = {"seconds": round(time.perf_counter() - t, 3), "peak_mb": round((status_kb("VmHWM") - base) / 1024, 1)}
        return result

    try:
        sd._load_texts(con, [])  # imports and first-query costs out of the steps
        docs = step("read live documents", lambda: con.execute(named("active_docs")).fetchall())
        groups: dict[str, list[str]] = {}
        for d in docs:
            groups.setdefault(d[1], []).append(d[0])
        reps = sorted(min(g) for g in groups.values())
        key = signature_key(s.dedup)
        cands = step("LSH candidate pairs (in DuckDB)",
                     lambda: [p for part in candidate_chunks(con, s.dedup, key, reps, reps) for p in part])

        def verified():  # as the flow does: sd.VERIFY_CHUNK candidate pairs' texts at a time
            out = []
            for i in range(0, len(cands), sd.VERIFY_CHUNK):
                part = cands[i : i + sd.VERIFY_CHUNK]
                texts = sd._load_texts(con, {d for p in part for d in p})
                out += [p for p, v in verify_pairs(part, texts, s.dedup) if v.is_dup]
            return out

        pairs = step("texts + verification", verified)
        meta = {d[0]: DocMeta(d[2], d[3]) for d in docs}
        exact = [sorted(g) for g in groups.values() if len(g) > 1]
        step("clusters", lambda: cluster(meta, [(p.a, p.b, p.jaccard, p.containment) for p in pairs], exact,
                                         s.dedup.representative))
        out["counts"] = {"documents": len(docs), "compared": len(reps), "candidates": len(cands), "pairs": len(pairs)}
    finally:
        con.close()
    return out


def stages(summary: dict, wall: float) -> dict[str, float]:
    """Seconds of each stage of one run, from its summary; ``other`` = wall minus the stages."""
    sec, steps = summary["seconds"], summary["step_seconds"]
    load, dedup, export = steps.get("load", 0.0), steps.get("dedup", 0.0), steps.get("export", 0.0)
    processing = max(0.0, sec["work"] - load - dedup - export - steps.get("discover+plan", 0.0))
    out = {"planning": sec["planning"], "prefect start-up": sec["prefect_startup"],
           "processing (waiting on workers)": processing, "load": load, "dedup": dedup, "export": export}
    out["report"] = steps.get("report", 0.0)  # the HTML report, written after the run's work
    out["other (imports, finishing, exit)"] = max(0.0, wall - sum(out.values()))
    return out


def measure(n: int, args, home: Path) -> dict:
    work = OUT / f"n{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t = time.perf_counter()
    counts = generate(work / "corpus", n, args.eval, args.dup_share, args.seed)
    made = time.perf_counter() - t
    db = work / "scale.duckdb"
    print(f"[{time.strftime('%H:%M:%S')}] {n} files generated in {made:.0f} s ({counts}); ingesting", flush=True)
    summary, memory, wall = ingest(work / "corpus", db, home, not args.no_export)
    steps = summary["step_seconds"]
    workers = worker_count(load_settings(ROOT / "config" / "winnow.toml").flow)
    export_dir = db.with_name(db.stem + "-export")
    res = {
        "files": n, "wall": wall, "summary_total": summary["seconds"]["total"], "stages": stages(summary, wall),
        "signature_worker_seconds": steps.get("signature", 0.0),
        "worker_seconds": {k: v for k, v in steps.items() if k not in FLOW_STEPS},
        "workers": workers, "memory": memory,
        "warehouse_mb": round(sum(p.stat().st_size for p in work.glob("scale.duckdb*")) / 1e6, 1),
        "export_mb": round(sum(p.stat().st_size for p in export_dir.rglob("*") if p.is_file()) / 1e6, 1)
        if export_dir.exists() else 0.0,
        "corpus_mb": round(sum(p.stat().st_size for p in (work / "corpus").rglob("*") if p.is_file()) / 1e6, 1),
        "dedup_counts": {k: v for k, v in summary.get("dedup", {}).items()} if isinstance(summary.get("dedup"), dict)
        else {},
        "dups": planted_found(db, work / "truth.jsonl"),
        "dedup_replay": dedup_replay(db),
        "documents": summary["documents"], "files_summary": summary["files"],
    }
    print(f"[{time.strftime('%H:%M:%S')}] {n} files done in {wall:.0f} s", flush=True)
    if not args.keep:
        shutil.rmtree(work / "corpus", ignore_errors=True)
        shutil.rmtree(export_dir, ignore_errors=True)
        for p in work.glob("scale.duckdb*"):
            p.unlink()
    return res


def dedup_share(r: dict) -> tuple[float, float]:
    """Dedup stage seconds (the flow's LSH + verification + clustering, plus the workers' signature
    time divided by the number of workers, as they run side by side) and its share of the run."""
    s = r["stages"]["dedup"] + r["signature_worker_seconds"] / r["workers"]
    return s, s / r["wall"]


# --- report -------------------------------------------------------------------------------


def worker_peaks(m: dict) -> list[float]:
    """Peaks of the worker processes. Not the "other" processes: in runs sampled before ended
    processes were skipped, those held the Prefect server and the workers, sampled as they ended,
    and counting them made ``--report`` divide the dedup share by 3 workers instead of 2."""
    return m["worker_peaks_mb"]


def print_run(r: dict) -> None:
    m, d = r["memory"], r["dups"]
    dedup_s, share = dedup_share(r)
    print(f"### {r['files']:,} files\n")
    print(f"- time {r['wall']:.0f} s wall ({r['files'] / r['wall']:.1f} documents/s), "
          f"{d['documents']:,} documents, {r['workers']} workers, machine load (1-min average) "
          f"min {m['load'][0]} / mean {m['load'][1]} / max {m['load'][2]}")
    print(f"- peak memory: flow process {m['flow_peak_mb']:.0f} MB; workers "
          f"{', '.join(f'{x:.0f}' for x in worker_peaks(m))} MB; Prefect server {m['server_peak_mb']:.0f} MB"
          + (f"; fork server {m['fork_server_peak_mb']:.0f} MB" if m.get("fork_server_peak_mb") else ""))
    if m.get("flow_step_peaks_mb"):
        print("- flow process peak by step (MB): " + ", ".join(
            f"{k} {v:.0f}" for k, v in m["flow_step_peaks_mb"].items()))
    print(f"- warehouse {r['warehouse_mb']:.1f} MB, export {r['export_mb']:.1f} MB (input {r['corpus_mb']:.0f} MB)")
    print(f"- dedup stage {dedup_s:.1f} s = {100 * share:.1f}% of the run (flow: LSH + verification + clusters "
          f"{r['stages']['dedup']:.1f} s; signatures on the workers {r['signature_worker_seconds']:.1f} s "
          f"of worker time / {r['workers']})")
    print(f"- duplicates: planted {d['planted']:,} of {d['files']:,} files ({100 * d['planted'] / d['files']:.1f}%); "
          f"folded by dedup {d['folded']:,} of {d['documents']:,} documents "
          f"({100 * d['folded'] / max(1, d['documents']):.1f}%); planted copies in their original's cluster "
          f"{d['planted_found']:,} ({100 * d['planted_found'] / max(1, d['planted']):.1f}%); "
          f"unplanted files in a cluster {d['unplanted_in_clusters']:,}")
    print()
    print("| stage | seconds | share of the run | ms per document |")
    print("|---|---:|---:|---:|")
    for name, s in r["stages"].items():
        print(f"| {name} | {s:.1f} | {100 * s / r['wall']:.1f}% | {1000 * s / r['files']:.2f} |")
    print(f"| **total (wall)** | {r['wall']:.1f} | 100% | {1000 * r['wall'] / r['files']:.2f} |")
    print()
    rp = r["dedup_replay"]
    c = rp["counts"]
    print(f"dedup replayed step by step on the finished warehouse ({c['documents']:,} documents, {c['compared']:,} "
          f"compared, {c['candidates']:,} candidate pairs, {c['pairs']:,} copies):\n")
    print("| dedup step | seconds | peak memory above the start (MB) | kB per document |")
    print("|---|---:|---:|---:|")
    for name, v in rp.items():
        if name != "counts":
            print(f"| {name} | {v['seconds']:.2f} | {v['peak_mb']:.1f} | {1024 * v['peak_mb'] / r['files']:.2f} |")
    print()
    ws = r["worker_seconds"]
    print("worker time by step (seconds, summed over workers): "
          + ", ".join(f"{k} {v:.1f}" for k, v in sorted(ws.items(), key=lambda kv: -kv[1]) if v >= 0.05))
    print()


def growth(a: float, b: float, na: int, nb: int) -> float:
    """Exponent k of time ~ n^k between two sizes (1 = linear); at least 1 (no economies of scale)."""
    if a <= 0 or b <= 0:
        return 1.0
    return max(1.0, math.log(b / a) / math.log(nb / na))


def project(small: dict, big: dict, cluster_workers: int) -> None:
    """10M documents from the per-document cost of each stage at two sizes.

    One machine: the stages as measured (they do not overlap: processing is the flow's wait
    for its workers), each extrapolated with its own growth. A Dask cluster: the workers' time
    divides by the workers, but the flow loads batch i while the workers clean later ones, so
    cleaning + loading takes max(workers' time / workers, load); planning, dedup and export stay
    in the one flow process (every DuckDB write in one process)."""
    na, nb = small["files"], big["files"]
    print(f"### Projection to {TARGET:,} documents (from the per-stage costs at {na:,} and {nb:,} files)\n")
    print(f"| stage | ms/doc at {na:,} | ms/doc at {nb:,} | growth (time ~ n^k) | one machine, {big['workers']} workers "
          f"| Dask cluster, {cluster_workers} workers |")
    print("|---|---:|---:|---:|---:|---:|")
    flat = {"prefect start-up", "other (imports, finishing, exit)"}
    proj: dict[str, float] = {}
    for name in big["stages"]:
        a, b = small["stages"].get(name, 0.0), big["stages"][name]
        k = 0.0 if name in flat else growth(a, b, na, nb)
        proj[name] = b * (TARGET / nb) ** k
        row = f"| {name} | {1000 * a / na:.2f} | {1000 * b / nb:.2f} | {'fixed' if name in flat else f'{k:.2f}'} "
        print(row + f"| {proj[name] / 3600:.1f} h | |" if name not in ("processing (waiting on workers)", "load")
              else row + f"| {proj[name] / 3600:.1f} h | see below |")
    wa, wb = sum(small["worker_seconds"].values()), sum(big["worker_seconds"].values())
    kw = growth(wa, wb, na, nb)
    worker_total = wb * (TARGET / nb) ** kw
    on_cluster = max(worker_total / cluster_workers, proj["load"])
    one = sum(proj.values())
    rest = one - proj["processing (waiting on workers)"] - proj["load"]
    print(f"| workers' time (summed) | {1000 * wa / na:.2f} | {1000 * wb / nb:.2f} | {kw:.2f} | "
          f"({worker_total / 3600:.0f} h of worker time) | {worker_total / cluster_workers / 3600:.1f} h |")
    print(f"| **total** | | | | **{one / 3600:.1f} h** | **{(rest + on_cluster) / 3600:.1f} h** |")
    print()
    bound = "the flow's load (one DuckDB writer)" if proj["load"] > worker_total / cluster_workers else "the workers"
    print(f"On the cluster, cleaning + loading takes max({worker_total / cluster_workers / 3600:.1f} h of workers, "
          f"{proj['load'] / 3600:.1f} h of load) = {on_cluster / 3600:.1f} h: bound by {bound}; the load "
          f"alone caps the run at {TARGET / proj['load']:.0f} documents/s whatever the number of workers.")
    fa, fb = small["memory"]["flow_peak_mb"], big["memory"]["flow_peak_mb"]
    slope = (fb - fa) / (nb - na)
    print(f"Flow process peak memory: {fa:.0f} MB at {na:,}, {fb:.0f} MB at {nb:,} files "
          f"({1024 * slope:.1f} kB more per document): ~{(fb + slope * (TARGET - nb)) / 1024:.0f} GB at {TARGET:,}"
          f"{'' if fb < 2048 else ' (already over the 2 GB target)'}; "
          f"at this rate the 2 GB target is crossed at ~{na + (2048 - fa) / slope if slope > 0 else float('inf'):,.0f} documents.")
    print("(DuckDB's share of that peak is bounded by [warehouse] memory_limit_mb: a straight line through "
          "two sizes overstates the growth once DuckDB reaches its limit; benchmarks/dedup_memory.py measures "
          "the dedup's growth apart from DuckDB's.)")
    rp = big["dedup_replay"]
    # replays of runs before the LSH candidates moved to DuckDB had "read signatures" and "LSH (index + candidate pairs)"
    what = [k for k in ("read live documents", "read signatures", "LSH (index + candidate pairs)") if k in rp]
    held = sum(rp[k]["peak_mb"] for k in what)
    print(f"Dedup in the flow process holds, for every live document ({', '.join(what)}): "
          f"{held:.0f} MB at {nb:,} files ({1024 * held / nb:.1f} kB per document), ~{held * TARGET / nb / 1024:.1f} GB "
          f"at {TARGET:,}, in every run (incremental runs too).")
    print(f"Warehouse: {small['warehouse_mb']:.0f} MB at {na:,}, {big['warehouse_mb']:.0f} MB at {nb:,} files: "
          f"~{big['warehouse_mb'] * TARGET / nb / 1000:.0f} GB at {TARGET:,}.")


def report(results: list[dict], args) -> None:
    print(f"`python benchmarks/scale.py --sizes {args.sizes}`, {os.cpu_count()} cores, "
          f"export {'off' if args.no_export else 'on'}, planted duplicate share {args.dup_share}\n")
    for r in results:
        print_run(r)
    if len(results) >= 2:
        project(results[-2], results[-1], args.cluster_workers)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes, run smallest first")
    ap.add_argument("--dup-share", type=float, default=0.07, help="share of planted near-duplicate copies")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-export", action="store_true", help="run with --no-export")
    ap.add_argument("--cluster-workers", type=int, default=64, help="Dask workers of the projected cluster")
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="shared eval folder (page material)")
    ap.add_argument("--keep", action="store_true", help="keep the corpora, warehouses and exports")
    ap.add_argument("--report", action="store_true", help="print the figures of the last run (results.json) again")
    args = ap.parse_args()
    if args.report:
        results = json.loads((OUT / "results.json").read_text())
        args.sizes = ",".join(str(r["files"]) for r in results)
        for r in results:  # runs measured before the worker count came from the settings
            r["workers"] = max(r["workers"], len(worker_peaks(r["memory"])))
        return report(results, args)
    sizes = sorted(int(x) for x in args.sizes.split(","))
    home = ROOT / ".winnow" / "bench-prefect"
    home.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"[{time.strftime('%H:%M:%S')}] warm-up run on seeds/", flush=True)
    warm = OUT / "warm.duckdb"
    for p in OUT.glob("warm*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    ingest(ROOT / "seeds", warm, home, export=False)
    results = []
    for n in sizes:
        results.append(measure(n, args, home))
        (OUT / "results.json").write_text(json.dumps(results, indent=1))
    print()
    report(results, args)

if __name__ == "__main__":
    main()
