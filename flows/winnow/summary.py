"""The run summary: assembled from the counters each step and task returns."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator


@dataclass
class RunSummary:
    run_id: str
    pipeline_version: str = ""
    config_hash: str = ""
    status: str = "running"
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_rejected: int = 0
    files_hidden: int = 0  # hidden files and folders skipped by discovery
    documents_new: int = 0
    documents_existing: int = 0  # same bytes as a document already stored (file under another name)
    documents_superseded: int = 0
    duplicates_folded: int = 0  # live documents folded into another one (whole warehouse)
    duplicate_clusters: int = 0
    exact_folded: int = 0
    near_folded: int = 0
    dedup_compared: int = 0  # documents compared with the warehouse this run
    signatures_computed: int = 0
    near_pairs_found: int = 0
    corpus_documents: int = 0
    languages: Counter = field(default_factory=Counter)  # of this run's new documents
    rejections: Counter = field(default_factory=Counter)  # reason -> files
    step_seconds: Counter = field(default_factory=Counter)
    export: dict[str, Any] | None = None
    seconds_work: float = 0.0

    @contextlib.contextmanager
    def timed(self, step: str) -> Iterator[None]:
        """Add the block's wall time to ``step_seconds[step]``."""
        t = time.perf_counter()
        try:
            yield
        finally:
            self.step_seconds[step] += time.perf_counter() - t

    def count_plan(self, discovery, plan) -> None:
        self.files_seen = len(discovery.candidates) + len(discovery.rejections)
        self.files_hidden = discovery.hidden
        rejected_before = getattr(plan, "rejected_before", 0)  # recorded by an earlier run: unchanged
        self.files_unchanged = len(plan.unchanged) + rejected_before
        self.files_changed = len(plan.changed)
        self.files_new = len(plan.todo) - len(plan.changed)
        for r in discovery.rejections:
            self.rejections[r.reason] += 1
        self.files_rejected += len(discovery.rejections) - rejected_before

    def count_batch(self, batch, load_stats) -> None:
        self.documents_new += load_stats.documents_new
        self.documents_existing += load_stats.documents_existing
        self.documents_superseded += load_stats.superseded_documents
        for r in batch.rejections:
            self.rejections[r.reason] += 1
        self.files_rejected += len(batch.rejections)
        for d in batch.documents:
            self.languages[d.language] += 1
        for step, secs in batch.seconds.items():
            self.step_seconds[step] += secs

    def count_dedup(self, stats) -> None:
        self.duplicates_folded = stats.folded
        self.duplicate_clusters = stats.clusters
        self.exact_folded = stats.exact_folded
        self.near_folded = stats.near_folded
        self.dedup_compared = stats.compared
        self.signatures_computed = stats.signatures_computed
        self.near_pairs_found = stats.new_pairs

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "pipeline_version": self.pipeline_version,
            "config_hash": self.config_hash,
            "files": {
                "seen": self.files_seen,
                "new": self.files_new,
                "changed": self.files_changed,
                "unchanged": self.files_unchanged,
                "rejected": self.files_rejected,
                "hidden": self.files_hidden,
            },
            "documents": {
                "new": self.documents_new,
                "same_content_other_name": self.documents_existing,
                "superseded": self.documents_superseded,
                "corpus": self.corpus_documents,
            },
            "duplicates": {
                "clusters": self.duplicate_clusters,
                "folded": self.duplicates_folded,
                "exact": self.exact_folded,
                "near": self.near_folded,
                "compared": self.dedup_compared,
                "signatures_computed": self.signatures_computed,
                "new_near_pairs": self.near_pairs_found,
            },
            "languages": dict(sorted(self.languages.items(), key=lambda kv: (-kv[1], kv[0]))),
            "rejections": dict(sorted(self.rejections.items(), key=lambda kv: (-kv[1], kv[0]))),
            "step_seconds": {k: round(v, 3) for k, v in self.step_seconds.items()},
            "export": self.export,
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
