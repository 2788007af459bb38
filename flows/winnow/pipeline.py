"""The per-file pipeline, without Prefect: read -> clean -> filter -> language -> corpus filter
-> identify -> sign.

Each stage is a ``winnow.stage.Stage``: it takes ``Document`` records, hands them
on or rejects them with a reason, and counts what it did. ``Pipeline.run`` drives
a batch of files through the stages and returns the documents, the rejections
(no file disappears) and the stages' counters. Prefect tasks (``winnow.flow``)
run it on batches in worker processes; ``winnow clean`` and the benchmarks call
it directly.
"""

from __future__ import annotations

import hashlib
import time
from typing import Iterable, Iterator, Optional

from winnow import __version__, limits
from winnow.clean import clean_html, clean_text_dump
from winnow.clean.evidence import LineEvidence, line_hashes
from winnow.clean.text.lines import split_lines
from winnow.clean.html.extract import extractor_version as html_extractor_version
from winnow.dedup.exact import content_hash, hash_of_key
from winnow.dedup.minhash import minhash_from_hashes
from winnow.dedup.shingles import shingle_hashes_of_tokens
from winnow.dedup.visible import samples, samples_of_hashes, visible_text
from winnow.vocab import Tokens
from winnow.discover import Candidate
from winnow.filters import CorpusFilter
from winnow.language import detect_language
from winnow.read import Container, read_candidate
from winnow.records import BatchResult, Document, Rejection, SourceFile  # noqa: F401  (BatchResult re-exported)
from winnow.settings import Settings
from winnow.stage import Stage, merged, rejection_for, run_stages


def make_doc_id(sha256: str, fingerprint: str, part: str = "") -> str:
    """Deterministic: the same bytes cleaned the same way always get the same id."""
    key = f"{sha256}:{part}:{fingerprint}" if part else f"{sha256}:{fingerprint}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


class Reader(Stage):
    """A discovered file -> a Document holding its decoded content (or a Rejection).

    A WARC file gives one Document per HTML page, read lazily: each page goes through the
    later stages before the next record is read, so one record is in memory at a time. The
    WARC files themselves are kept in ``containers`` (their versions are recorded on load)."""

    name = "read"

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings.input
        self.containers: list[SourceFile] = []

    def process(self, item: Candidate):
        doc = read_candidate(item, self.settings)
        if isinstance(doc, Document):
            self._count_doc(doc)
        return doc

    def _count_doc(self, doc: Document) -> None:
        self.count(f"type:{doc.source.type}")
        self.count(f"encoding:{doc.source.encoding}")

    def _one(self, item):
        t0 = time.perf_counter()
        try:
            out = self.process(item)
        except Exception as e:
            out = rejection_for(item, self.name, e)
        self.stats[f"seconds.{self.name}"] += time.perf_counter() - t0
        self.count("in")
        if not isinstance(out, Container):
            self.count(f"rejected:{out.reason}" if isinstance(out, Rejection) else "out")
            return [out]
        self.containers.append(out.source)
        self.count("warc:files")
        return self._pages(out)

    def _pages(self, container: Container) -> Iterator:
        while True:
            t0 = time.perf_counter()
            try:
                doc = next(container.items)
            except StopIteration:
                break
            except Exception as e:  # a bug reading one record must not end the run; the rest is lost
                doc = Rejection.of(container.source, "error", f"read: {type(e).__name__}: {e}"[:500])
                container.items = iter(())
            finally:
                self.stats[f"seconds.{self.name}"] += time.perf_counter() - t0
            if isinstance(doc, Rejection):
                self.count(f"rejected:{doc.reason}")
            else:
                self._count_doc(doc)
                self.count("warc:pages")
                self.count("out")
            yield doc
        for kind, n in sorted(container.skipped.items()):
            self.count(f"warc:skipped:{kind}", n)


class Cleaner(Stage):
    """HTML through trafilatura, text dumps through winnow's text cleaner."""

    name = "clean"

    def __init__(self, settings: Settings, evidence: Optional[LineEvidence] = None):
        super().__init__()
        self.settings = settings.clean
        self.evidence = evidence if settings.clean.corpus_evidence else None
        self.seconds_limit = settings.input.max_seconds_per_page
        # the text cleaner needs much more memory than its input (trafilatura a few times it):
        # text dumps are capped so that a file's peak memory stays under 10x max_decompressed_mb
        self.max_text_chars = int(settings.input.max_decompressed_mb * 1_000_000 / TEXT_CAP_DIVISOR)
        # the page's visible text, kept for the dedup stage (winnow.dedup.visible)
        self.keep_visible = settings.dedup.near and settings.dedup.visible_text

    def process(self, doc: Document):
        refused = self._cheap_checks(doc)
        if refused:
            return refused
        try:
            ex = limits.within(self.seconds_limit, self._extract, doc)
        except limits.PageTimeout:
            return Rejection.of(doc.source, "timeout", f"cleaning took longer than input.max_seconds_per_page "
                                                       f"({self.seconds_limit:g} s)", time_limit=self.seconds_limit)
        if ex.not_article:
            if self.settings.reject_non_articles or not ex.judged_text:
                return Rejection.of(doc.source, "not_article",
                                    ex.not_article_reason or "a list of headlines/teasers, no article body",
                                    text=ex.judged_text or None)
            # rejection off: the body the verdict was made on is the document
            ex.paragraphs = [r.text for r in ex.removed if r.reason == "not_article"]
            ex.removed = [r for r in ex.removed if r.reason != "not_article"]
            self.count("not_article_kept")
        if not ex.paragraphs:
            return Rejection.of(doc.source, "no_content", "cleaning left no body text")
        self.count("removed_segments", len(ex.removed))
        if self.keep_visible:  # an HTML page's from the cleaner's parse; a text dump's is itself
            doc.visible = ex.visible if ex.visible is not None else visible_text(doc.raw, doc.source.type)
        doc.raw = ""  # the decoded input is not needed any more: keep batches small
        doc.title, doc.text, doc.removed = ex.title, ex.text, ex.removed
        doc.author, doc.date, doc.url = ex.author, ex.date, ex.url or doc.source.target_uri
        doc.extractor = ex.extractor or ("trafilatura" if doc.source.type == "html" else "winnow-text")
        doc.extractor_version = _extractor_version(doc.source.type, doc.extractor)
        return doc

    def _extract(self, doc: Document):
        if doc.source.type == "html":
            return clean_html(doc.raw, self.settings, visible=self.keep_visible)
        lines = split_lines(doc.raw)  # once, for the cleaner and for the evidence counts
        ex = clean_text_dump(doc.raw, evidence=self.evidence, lines=lines)
        if self.settings.corpus_evidence:
            doc.line_hashes = line_hashes(doc.raw, lines)
        return ex

    def _cheap_checks(self, doc: Document) -> Optional[Rejection]:
        """Size and repetition, before the expensive cleaners see the page."""
        raw = doc.raw
        sample = raw[:REPEAT_SAMPLE_CHARS].split()
        if len(sample) >= REPEAT_MIN_WORDS:
            ratio = len(set(sample)) / len(sample)
            if ratio < self.settings.min_unique_word_ratio / 4:
                return Rejection.of(doc.source, "repetitive", f"{ratio:.4f} distinct/total words in the first "
                                    f"{REPEAT_SAMPLE_CHARS} characters, before cleaning "
                                    f"(< clean.min_unique_word_ratio / 4)")
        if doc.source.type != "html" and len(raw) > self.max_text_chars:
            return Rejection.of(doc.source, "too_large", f"{len(raw)} characters of text > input.max_decompressed_mb "
                                                         f"/ {TEXT_CAP_DIVISOR} ({self.max_text_chars}): not cleaned")
        return None


# Cheap checks before cleaning: a real page's first 200,000 characters are far more varied than this
TEXT_CAP_DIVISOR = 16
REPEAT_SAMPLE_CHARS = 200_000
REPEAT_MIN_WORDS = 10_000


class QualityFilter(Stage):
    """Drop bodies too short to be an article, or too repetitive to be prose."""

    name = "filter"

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings.clean

    def process(self, doc: Document):
        text = doc.text
        # tokenised once for the worker: the filter counts them, identify hashes them, the signature
        # stage shingles them (Document.tokens)
        tokens = Tokens(text)
        n = doc.words = tokens.word_count()  # kept: the loader stores it without counting again
        if n < self.settings.min_body_words:
            return Rejection.of(doc.source, "too_short",
                                f"{n} body words < clean.min_body_words ({self.settings.min_body_words})",
                                text=text or None)
        doc.tokens = tokens
        if n >= 200:
            ratio = len(set(tokens.units())) / n
            if ratio < self.settings.min_unique_word_ratio:
                return Rejection.of(doc.source, "repetitive", f"{ratio:.3f} distinct/total words < "
                                    f"clean.min_unique_word_ratio ({self.settings.min_unique_word_ratio})",
                                    text=text)
        return doc


class LanguageTagger(Stage):
    name = "language"

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings.language

    def process(self, doc: Document):
        doc.language, doc.language_prob = detect_language(doc.text, self.settings)
        self.count(f"language:{doc.language}")
        return doc


class Identify(Stage):
    """Assign the deterministic id and the exact-duplicate hash."""

    name = "identify"

    def __init__(self, settings: Settings):
        super().__init__()
        self.fingerprint = settings.fingerprint

    def process(self, doc: Document):
        doc.fingerprint = self.fingerprint
        doc.doc_id = make_doc_id(doc.source.sha256, self.fingerprint, doc.part)
        doc.content_hash = content_hash(doc.text) if doc.tokens is None else hash_of_key(doc.tokens.key())
        return doc


class Signer(Stage):
    """MinHash signatures of a batch's texts (and the shingle samples of the bodies and visible texts,
    ``winnow.dedup.visible``), computed on the worker that cleaned them.

    Vectorised over runs of documents of ``SIGN_CHARS`` body characters (``winnow.dedup.minhash``),
    from the tokens the filter made (``Document.tokens``): a body is tokenised once in a worker, and
    shingled once for its signature and its sample. Loaded with the batch, so the dedup stage never
    reads texts back to sign them.
    """

    name = "signature"

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings.dedup

    def run(self, items: Iterable) -> Iterator:
        held: list = []
        chars = 0
        for item in items:
            held.append(item)
            if isinstance(item, Document):
                chars += len(item.text)
                if chars >= SIGN_CHARS:  # signed and handed on: the tokens of a run at a time are held
                    self._sign([d for d in held if isinstance(d, Document)])
                    yield from held
                    held, chars = [], 0
        self._sign([d for d in held if isinstance(d, Document)])
        yield from held

    def _sign(self, docs: list[Document]) -> None:
        t0 = time.perf_counter()
        try:
            for d in docs:
                if d.tokens is None:  # not through the filter (a caller's own stages)
                    d.tokens = Tokens(d.text)
            hashes, offsets = shingle_hashes_of_tokens([d.tokens for d in docs], self.settings.shingle_words)
            for doc, sig in zip(docs, minhash_from_hashes(hashes, offsets, self.settings.num_perm)):
                doc.signature = sig
            seen = [i for i, d in enumerate(docs) if d.visible]
            if seen and self.settings.visible_text:
                bodies = samples_of_hashes(hashes, offsets)
                pages = samples([docs[i].visible for i in seen], self.settings)
                for i, page in zip(seen, pages):
                    docs[i].visible_samples = (bodies[i], page)
            self.count("out", len(docs))
        except Exception:  # not fatal: the dedup stage computes what is missing
            self.count("failed", len(docs))
        for d in docs:
            d.tokens = None
        self.count("in", len(docs))
        self.stats[f"seconds.{self.name}"] += time.perf_counter() - t0


SIGN_CHARS = 1 << 18  # body characters signed together (numpy passes over many documents, bounded memory)


def _extractor_version(kind: str, extractor: str = "") -> str:
    if kind == "html":  # the library whose body the document has (readability-lxml or trafilatura)
        return html_extractor_version(extractor)
    return f"winnow {__version__}"


class Pipeline:
    """read -> clean -> filter -> language -> corpus filter -> identify -> signature, for a batch of files.

    ``documents=False`` stops after the language stage (``winnow clean``: no warehouse).
    """

    def __init__(self, settings: Settings, evidence: Optional[LineEvidence] = None, documents: bool = True):
        self.stages: list[Stage] = [
            Reader(settings),
            Cleaner(settings, evidence),
            QualityFilter(settings),
            LanguageTagger(settings),
            CorpusFilter(settings),
        ]
        if documents:
            self.stages.append(Identify(settings))
            if settings.dedup.near:
                self.stages.append(Signer(settings))

    def stream(self, candidates: Iterable[Candidate]):
        """Documents and rejections, in file order, as the stages produce them."""
        for item in run_stages(self.stages, candidates):
            if isinstance(item, Document):
                item.tokens = None  # the stages' shared work, not part of the document
            yield item

    def run(self, candidates: Iterable[Candidate]) -> BatchResult:
        result = BatchResult()
        files = list(candidates)
        for item in self.stream(files):
            (result.rejections if isinstance(item, Rejection) else result.documents).append(item)
        result.files = len(files)
        result.stats = merged(self.stages)
        result.containers = list(self.stages[0].containers)
        warcs = {c.path for c in result.containers}  # rejected WARC records are not rejected files
        result.stats["read.warc:rejected"] = sum(1 for r in result.rejections if r.path in warcs)
        return result


def process_files(candidates: Iterable[Candidate], settings: Settings,
                  evidence: Optional[LineEvidence] = None) -> BatchResult:
    return Pipeline(settings, evidence).run(candidates)
