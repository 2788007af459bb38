"""The per-file pipeline, without Prefect: read -> clean -> filter -> language -> document.

Each step is one small class with one job and counted stats (DataTrove-style):
``step(item)`` returns the next record or a ``Rejection``; the driver collects
rejections so that no file disappears, and the run summary is the sum of the
steps' counters. Prefect tasks (``winnow.flow``) call ``process_files`` on
batches; the CLI's ``clean`` command and the benchmarks call it directly.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

import trafilatura

from winnow import __version__
from winnow.clean import clean_html, clean_text_dump
from winnow.clean.evidence import LineEvidence, line_hashes
from winnow.dedup.exact import content_hash
from winnow.vocab import word_count, word_units
from winnow.discover import Candidate
from winnow.language import detect_language
from winnow.read import Page, read_candidate
from winnow.records import Document, Extraction, Rejection, SourceFile
from winnow.settings import Settings


def make_doc_id(sha256: str, fingerprint: str) -> str:
    """Deterministic: the same bytes cleaned the same way always get the same id."""
    return hashlib.sha256(f"{sha256}:{fingerprint}".encode()).hexdigest()[:20]


@dataclass
class Cleaned:
    page: Page
    extraction: Extraction
    language: str = "und"
    language_prob: float = 0.0
    line_hashes: list[int] = field(default_factory=list)


class Step:
    """One stage: ``process`` turns an item into the next one or a Rejection."""

    name = "step"

    def __init__(self) -> None:
        self.stats: Counter = Counter()
        self.seconds = 0.0

    def process(self, item):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, item):
        t0 = time.perf_counter()
        try:
            out = self.process(item)
        except Exception as e:  # a bug on one page must not end the run: record it
            src = _source_of(item)
            out = Rejection(src.path if src else getattr(item, "path", "?"), "error",
                            f"{self.name}: {type(e).__name__}: {e}"[:500], sha256=src.sha256 if src else None)
        self.seconds += time.perf_counter() - t0
        self.stats["in"] += 1
        if isinstance(out, Rejection):
            self.stats[f"rejected:{out.reason}"] += 1
        else:
            self.stats["out"] += 1
        return out


def _source_of(item) -> Optional[SourceFile]:
    """The file behind an item once it has been read (a Candidate has no hash yet)."""
    if isinstance(item, Page):
        return item.source
    if isinstance(item, Cleaned):
        return item.page.source
    return None


class Reader(Step):
    name = "read"

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings.input

    def process(self, item: Candidate):
        page = read_candidate(item, self.settings)
        if isinstance(page, Page):
            self.stats[f"type:{page.source.type}"] += 1
            self.stats[f"encoding:{page.source.encoding}"] += 1
        return page


class Extractor(Step):
    """HTML through trafilatura, text dumps through winnow's text cleaner."""

    name = "clean"

    def __init__(self, settings: Settings, evidence: Optional[LineEvidence] = None):
        super().__init__()
        self.settings = settings.clean
        self.evidence = evidence if settings.clean.corpus_evidence else None

    def process(self, page: Page):
        hashes: list[int] = []
        if page.source.type == "html":
            ex = clean_html(page.text, self.settings)
        else:
            ex = clean_text_dump(page.text, evidence=self.evidence)
            if self.settings.corpus_evidence:
                hashes = line_hashes(page.text)
        if ex.not_article:
            return Rejection.of(page.source, "not_article",
                                ex.not_article_reason or "a list of headlines/teasers, no article body")
        if not ex.paragraphs:
            return Rejection.of(page.source, "no_content", "cleaning left no body text")
        self.stats["removed_segments"] += len(ex.removed)
        return Cleaned(page, ex, line_hashes=hashes)


class QualityFilter(Step):
    """Drop bodies too short to be an article, or too repetitive to be prose."""

    name = "filter"

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings.clean

    def process(self, item: Cleaned):
        src = item.page.source
        text = item.extraction.text
        n = word_count(text)
        if n < self.settings.min_body_words:
            return Rejection.of(src, "too_short",
                                f"{n} body words < clean.min_body_words ({self.settings.min_body_words})")
        if n >= 200:
            units = word_units(text)
            ratio = len(set(units)) / len(units)
            if ratio < self.settings.min_unique_word_ratio:
                return Rejection.of(src, "repetitive", f"{ratio:.3f} distinct/total words < "
                                    f"clean.min_unique_word_ratio ({self.settings.min_unique_word_ratio})")
        return item


class LanguageTagger(Step):
    name = "language"

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings.language

    def process(self, item: Cleaned):
        item.language, item.language_prob = detect_language(item.extraction.text, self.settings)
        self.stats[f"language:{item.language}"] += 1
        return item


class DocumentBuilder(Step):
    """Assign the deterministic id and the exact-duplicate hash."""

    name = "document"

    def __init__(self, settings: Settings):
        super().__init__()
        self.fingerprint = settings.fingerprint

    def process(self, item: Cleaned):
        ex, src = item.extraction, item.page.source
        return Document(
            doc_id=make_doc_id(src.sha256, self.fingerprint),
            source=src,
            fingerprint=self.fingerprint,
            title=ex.title,
            text=ex.text,
            language=item.language,
            language_prob=item.language_prob,
            content_hash=content_hash(ex.text),
            extractor=ex.extractor or ("trafilatura" if src.type == "html" else "winnow-text"),
            extractor_version=_extractor_version(src.type),
            author=ex.author,
            date=ex.date,
            url=ex.url,
            removed=ex.removed,
            line_hashes=item.line_hashes,
        )


def _extractor_version(kind: str) -> str:
    if kind == "html":
        return f"trafilatura {trafilatura.__version__}"
    return f"winnow {__version__}"


@dataclass
class BatchResult:
    documents: list[Document] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    stats: dict[str, Counter] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


class Pipeline:
    """read -> clean -> filter -> language -> document, for a batch of files.

    ``documents=False`` stops after the language step (``winnow clean``: no warehouse).
    """

    def __init__(self, settings: Settings, evidence: Optional[LineEvidence] = None, documents: bool = True):
        self.steps: list[Step] = [
            Reader(settings),
            Extractor(settings, evidence),
            QualityFilter(settings),
            LanguageTagger(settings),
        ]
        if documents:
            self.steps.append(DocumentBuilder(settings))

    def process(self, candidate: Candidate):
        """One file through every step: the last step's record, or the first Rejection."""
        item = candidate
        for step in self.steps:
            item = step(item)
            if isinstance(item, Rejection):
                break
        return item

    def run(self, candidates: Iterable[Candidate]) -> BatchResult:
        result = BatchResult()
        for candidate in candidates:
            item = self.process(candidate)
            (result.rejections if isinstance(item, Rejection) else result.documents).append(item)
        result.stats = {s.name: s.stats for s in self.steps}
        result.seconds = {s.name: s.seconds for s in self.steps}
        return result


def process_files(candidates: Iterable[Candidate], settings: Settings,
                  evidence: Optional[LineEvidence] = None) -> BatchResult:
    return Pipeline(settings, evidence).run(candidates)
