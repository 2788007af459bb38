"""CPU seconds of the workers' stages, one process, on the throughput benchmark's corpus.

    python benchmarks/worker_stages.py [--docs 600] [--rounds 3] [--baseline DIR] [--eval SHARED/eval]

What a worker does with a batch (``winnow.pipeline.Pipeline``: read, clean, filter, language, corpus
filter, identify, signature) against the floor's calls on the same files (read, clean, detect,
content hash: ``throughput.py``'s bare floor), in fresh processes, warm (a first pass loads the
cleaners' caches), each stage's time taken with the process's CPU clock instead of the wall clock
(the machine is shared: other processes' load moves wall time, much less CPU time). With
``--baseline DIR``, another checkout's winnow (DIR/flows, on this interpreter) side by side, the
rounds alternating; each figure is the best of the rounds. The corpus is ``throughput.py``'s
(``corpus.generate``: the same files as its first ``--docs``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from corpus import DEFAULT_EVAL, generate

ONE = r"""
import json, sys, time, types
import winnow.stage, winnow.pipeline
cpu = types.SimpleNamespace(perf_counter=time.process_time)  # the stages' clock: CPU, not wall
winnow.stage.time = winnow.pipeline.time = cpu
from winnow.settings import Settings
from winnow.discover import discover
from winnow.read import read_candidate
from winnow.records import Document
from winnow.clean import clean
from winnow.language import detect_language
from winnow.dedup.exact import content_hash
from winnow.pipeline import Pipeline

s = Settings()
files = discover([sys.argv[1]]).candidates

parts = {}

def floor():
    spent = dict.fromkeys(("read", "clean", "language", "hash"), 0.0)
    for c in files:
        t0 = time.process_time()
        doc = read_candidate(c, s.input)
        t1 = time.process_time()
        spent["read"] += t1 - t0
        if isinstance(doc, Document):
            ex = clean(doc.raw, doc.source.type, s.clean)
            t2 = time.process_time()
            detect_language(ex.text, s.language)
            t3 = time.process_time()
            content_hash(ex.text)
            spent["clean"] += t2 - t1
            spent["language"] += t3 - t2
            spent["hash"] += time.process_time() - t3
    parts.update(spent)

Pipeline(s).run(files)  # warm: imports, models, caches
floor()
t = time.process_time(); floor(); f = time.process_time() - t
t = time.process_time(); r = Pipeline(s).run(files); w = time.process_time() - t
out = {"floor": f, "winnow": w, "documents": len(r.documents), "rejected": len(r.rejections)}
out.update({k.split(".", 1)[1]: v for k, v in r.stats.items() if k.startswith("seconds.")})
out.update({"floor " + k: v for k, v in parts.items()})
print(json.dumps(out))
"""


def run(corpus: Path, flows: Path | None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(flows)) if flows else None
    out = subprocess.run([sys.executable, "-c", ONE, str(corpus)], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="another winnow checkout (its flows/), side by side")
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="winnow-stages-"))
    names = ["winnow"] + ([f"baseline ({args.baseline})"] if args.baseline else [])
    best: dict[str, dict] = {}
    try:
        generate(work / "corpus", args.docs, args.eval)
        for i in range(args.rounds):
            for name in (names if i % 2 == 0 else names[::-1]):
                flows = args.baseline.resolve() / "flows" if name.startswith("baseline") else None
                got = run(work / "corpus", flows)
                mine = best.setdefault(name, got)
                for k, v in got.items():
                    mine[k] = min(mine[k], v)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.docs} files, one process, warm, CPU seconds (best of {args.rounds} rounds):")
    for name in names:
        d = best[name]
        stages = ", ".join(f"{k} {d[k]:.2f}" for k in ("read", "clean", "filter", "language", "corpus_filter",
                                                        "identify", "signature") if k in d)
        print(f"- {name}: floor's calls {d['floor']:.2f}, winnow's stages {d['winnow']:.2f} "
              f"= {d['winnow'] / d['floor']:.3f}x, {d['winnow'] - d['floor']:+.2f} CPU-s; "
              f"{d['documents']} documents, {d['rejected']} rejected")
        print(f"  winnow's stages: {stages}")
        print("  the floor's calls: " + ", ".join(f"{k} {d['floor ' + k]:.2f}" for k in ("read", "clean", "language",
                                                                                        "hash")))


if __name__ == "__main__":
    main()
