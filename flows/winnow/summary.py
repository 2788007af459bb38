"""The run summary, built in one place from the counters the stages keep.

Every part of a run counts into one ``Stats`` (a ``Counter`` keyed
``"<stage>.<what>"``, see ``winnow.stage``): discovery and planning (``plan.*``,
``discover.rejected:*``), the per-file stages on the workers (``read.*``,
``clean.*``, ``language.language:en``, ...), loading (``load.*``) and dedup
(``dedup.*``); wall seconds under ``seconds.<stage>``. ``RunSummary.to_dict``
turns that total into what the CLI prints, ``--json`` shows, the Prefect artifact
tabulates and ``runs.summary`` stores: nothing is counted twice or by hand.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator

from winnow.memory import meter
from winnow.stage import Stats


def _sorted(counts: Counter) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _with_prefix(stats: Stats, marker: str) -> Counter:
    """``{what: n}`` for every key ``<stage>.<marker><what>`` (summed over stages)."""
    out: Counter = Counter()
    for key, n in stats.items():
        stage, _, what = key.partition(".")
        if stage != "seconds" and what.startswith(marker) and n:
            out[what[len(marker):]] += n
    return out


def plan_stats(discovery, plan) -> Stats:
    """What discovery found and planning decided, as counters."""
    s: Stats = Counter()
    s["plan.seen"] = len(discovery.candidates) + len(discovery.rejections)
    s["plan.hidden"] = getattr(discovery, "hidden", 0)  # hidden files and folders skipped by discovery
    s["plan.rejected_before"] = getattr(plan, "rejected_before", 0)  # recorded by an earlier run: unchanged
    s["plan.unchanged"] = len(plan.unchanged) + s["plan.rejected_before"]
    s["plan.changed"] = len(plan.changed)
    s["plan.recleaned"] = len(plan.recleaned)  # same bytes, cleaned again: the cleaning settings changed
    s["plan.new"] = len(plan.todo) - len(plan.changed) - len(plan.recleaned)
    for r in discovery.rejections:
        s[f"discover.rejected:{r.reason}"] += 1
    return s


@dataclass
class RunSummary:
    run_id: str
    pipeline_version: str = ""
    config_hash: str = ""
    status: str = "running"
    stats: Stats = field(default_factory=Counter)
    corpus_documents: int = 0
    export: dict[str, Any] | None = None
    seconds_work: float = 0.0
    prefect: dict[str, Any] | None = None  # the Prefect flow run: id, name, UI link when a UI exists
    peak_mb: dict[str, float] = field(default_factory=dict)  # step -> peak resident set of this process (MB)

    def add(self, stats: Stats | dict) -> None:
        self.stats.update(stats)

    @contextlib.contextmanager
    def timed(self, step: str) -> Iterator[None]:
        """Add the block's wall time to ``seconds.<step>``; its peak memory goes to ``peak_mb[step]``."""
        t = time.perf_counter()
        try:
            with meter(self.peak_mb, step):
                yield
        finally:
            self.stats[f"seconds.{step}"] += time.perf_counter() - t

    def metered(self, step: str):
        """The block's peak memory in ``peak_mb[step]``, its time not counted (waiting on workers)."""
        return meter(self.peak_mb, step)

    @property
    def files_to_process(self) -> int:
        return self.stats["plan.new"] + self.stats["plan.changed"] + self.stats["plan.recleaned"]

    def to_dict(self) -> dict[str, Any]:
        s = self.stats
        rejections = _with_prefix(s, "rejected:")
        return {
            "run_id": self.run_id,
            "status": self.status,
            "pipeline_version": self.pipeline_version,
            "config_hash": self.config_hash,
            "files": {
                "seen": s["plan.seen"],
                "new": s["plan.new"],
                "changed": s["plan.changed"],
                "recleaned": s["plan.recleaned"],
                "unchanged": s["plan.unchanged"],
                "rejected": sum(rejections.values()) - s["plan.rejected_before"] - s["read.warc:rejected"],
                "hidden": s["plan.hidden"],
            },
            "documents": {
                "new": s["load.documents_new"],
                "same_content_other_name": s["load.documents_existing"],
                "superseded": s["load.superseded_documents"],
                "corpus": self.corpus_documents,
            },
            "duplicates": {
                "clusters": s["dedup.clusters"],
                "folded": s["dedup.folded"],
                "exact": s["dedup.exact_folded"],
                "near": s["dedup.near_folded"],
                "compared": s["dedup.compared"],
                "signatures_computed": s["dedup.signatures_computed"] + s["signature.out"],
                "signatures_read_back": s["dedup.signatures_computed"],  # texts the dedup stage re-read to sign
                "new_near_pairs": s["dedup.new_pairs"],
                # verified pairs the boilerplate filters kept out of the clusters (this run's clustering)
                "shared_part_pairs": s["dedup.shared_part_pairs"],
                "boilerplate_pairs": s["dedup.boilerplate_pairs"],
                # pairs that joined clusters by their visible texts alone, and stored pairs left out
                # as between witnessed shared parts (winnow.dedup.visible)
                "visible_pairs": s["dedup.visible_pairs"],
                "witnessed_part_pairs": s["dedup.witnessed_part_pairs"],
            },
            "languages": _sorted(_with_prefix(s, "language:")),
            "rejections": _sorted(rejections),
            # WARC files read: files, pages, rejected (records), skipped:<kind> (request, metadata...)
            "warc": dict(sorted(_with_prefix(s, "warc:").items())),
            "step_seconds": {k.partition(".")[2]: round(v, 3) for k, v in sorted(s.items())
                             if k.startswith("seconds.")},
            # peak resident set of the flow's process during each of its steps, in MB (Linux)
            "step_peak_mb": dict(sorted(self.peak_mb.items())),
            "export": self.export,
            "prefect": self.prefect,
            "seconds_work": round(self.seconds_work, 3),
        }

    def table_rows(self) -> list[dict[str, Any]]:
        d = self.to_dict()
        rows = [{"what": f"files {k}", "count": v} for k, v in d["files"].items()]
        rows += [{"what": f"documents {k}", "count": v} for k, v in d["documents"].items()]
        rows += [{"what": f"duplicates {k}", "count": v} for k, v in d["duplicates"].items()]
        rows += [{"what": f"language {k}", "count": v} for k, v in d["languages"].items()]
        rows += [{"what": f"rejected: {k}", "count": v} for k, v in d["rejections"].items()]
        return rows

    def to_markdown(self) -> str:
        lines = [f"# winnow run `{self.run_id}`", "", "| what | count |", "|---|---:|"]
        lines += [f"| {r['what']} | {r['count']} |" for r in self.table_rows()]
        return "\n".join(lines)
