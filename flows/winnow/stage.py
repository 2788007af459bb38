"""The stage interface (DataTrove's ``PipelineStep``): documents in, documents out, counted.

A stage is a class with a ``name`` and one method, ``process(doc)``, returning the
document (changed in place or not), a ``Rejection``, or several records (a file
that holds many documents). ``run(items)`` applies it to a stream: rejections of
earlier stages pass through untouched, an exception on one document becomes a
rejection with reason ``error`` (a bug on one page never ends the run), and
every outcome is counted in ``stats`` under ``"<stage>.<what>"``:

    read.in, read.out, read.rejected:binary, language.language:en, ...

``Stats`` add up (``Counter``), across stages, batches and workers; the run
summary (``winnow.summary``) is built from the run's total and nothing else.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Iterable, Iterator, Union

from winnow.records import Document, Rejection

Item = Union[Document, Rejection]
Stats = Counter  # "<stage>.<what>" -> count; seconds under "seconds.<stage>"


def rejection_for(item, stage: str, error: BaseException) -> Rejection:
    """The record of a document (or a file not read yet) that a stage failed on."""
    detail = f"{stage}: {type(error).__name__}: {error}"[:500]
    source = getattr(item, "source", None)
    if source is not None:
        return Rejection.of(source, "error", detail)
    return Rejection(getattr(item, "path", "?"), "error", detail)


class Stage:
    """One step of the pipeline. Subclasses set ``name`` and implement ``process``."""

    name = "stage"

    def __init__(self) -> None:
        self.stats: Stats = Counter()

    def process(self, doc):  # pragma: no cover - abstract
        raise NotImplementedError

    def count(self, what: str, n: int = 1) -> None:
        self.stats[f"{self.name}.{what}"] += n

    def run(self, items: Iterable) -> Iterator[Item]:
        for item in items:
            if isinstance(item, Rejection):
                yield item
                continue
            yield from self._one(item)

    def _one(self, item) -> list[Item]:
        t0 = time.perf_counter()
        try:
            out = self.process(item)
            outs = [out] if isinstance(out, (Document, Rejection)) else list(out)
        except Exception as e:
            outs = [rejection_for(item, self.name, e)]
        self.stats[f"seconds.{self.name}"] += time.perf_counter() - t0
        self.count("in")
        for o in outs:
            self.count(f"rejected:{o.reason}" if isinstance(o, Rejection) else "out")
        return outs


def run_stages(stages: list[Stage], items: Iterable) -> Iterator[Item]:
    """Chain the stages over a stream of items."""
    stream: Iterable = items
    for stage in stages:
        stream = stage.run(stream)
    return iter(stream)


def merged(stages: list[Stage]) -> Stats:
    total: Stats = Counter()
    for stage in stages:
        total.update(stage.stats)
    return total
