"""The records that flow through the pipeline.

One ``Document`` is carried from the reader to the warehouse (as in DataTrove);
files that cannot become a document become a ``Rejection`` with a reason, so
nothing given to winnow vanishes without a trace.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

from winnow.vocab import word_count


@dataclass(frozen=True)
class Removed:
    """One line or segment that cleaning took out of a page, and why."""

    text: str
    reason: str  # short machine-readable rule name, e.g. "ticker", "footer"
    line_no: Optional[int] = None  # 1-based line in the decoded input (text dumps)
    score: Optional[float] = None  # the score behind the decision, when there is one


@dataclass
class Extraction:
    """What a cleaner returns for one page: title, body paragraphs, metadata, removals.

    ``paragraphs`` are the body paragraphs in reading order, *without* the title.
    ``not_article`` marks pages with no article body (index pages, lists of
    teasers): they are recorded as rejected with ``not_article_reason``; the body the
    verdict was made on is in ``removed`` with reason ``not_article`` (``judged_text``).
    """

    title: Optional[str]
    paragraphs: list[str]
    author: Optional[str] = None
    date: Optional[str] = None
    url: Optional[str] = None
    sitename: Optional[str] = None
    removed: list[Removed] = field(default_factory=list)
    extractor: str = ""
    not_article: bool = False
    not_article_reason: Optional[str] = None
    visible: Optional[str] = None  # the page's visible text (clean_html(visible=True)), else None

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def judged_text(self) -> str:
        """The body of a page called not_article (kept with its rejection, used when rejection is off)."""
        return "\n".join(r.text for r in self.removed if r.reason == "not_article")


@dataclass(frozen=True)
class SourceFile:
    """A raw input file as found on disk (provenance)."""

    path: str  # absolute, as discovered
    sha256: str  # of the raw bytes on disk (before decompression)
    size: int
    mtime: float  # POSIX seconds
    type: str = ""  # "html" | "text"
    encoding: str = ""
    compressed: bool = False
    decode_errors: int = 0  # invalid byte sequences replaced while decoding
    # a page read from a WARC record (None for a plain file): sha256 and size are the record
    # payload's, path is the WARC file's
    record_offset: Optional[int] = None
    record_id: Optional[str] = None
    target_uri: Optional[str] = None
    warc_date: Optional[str] = None

    @property
    def where(self) -> str:
        """Where in its file a record-page came from, for rejection details ("" for a plain file)."""
        if self.record_offset is None:
            return ""
        return f"WARC record at offset {self.record_offset} ({self.target_uri or self.record_id})"


@dataclass
class Document:
    """One document, carried from the reader to the warehouse (DataTrove's ``Document``).

    Each stage fills in its part and hands the same record on:

    - read: ``source`` (the file) and ``raw`` (its decoded content); ``part`` names the
      document inside a file that holds several (a WARC record), "" otherwise;
    - clean: ``title``, ``text``, metadata, ``removed``, ``extractor``; ``raw`` is dropped;
    - language: ``language``, ``language_prob``;
    - identify: ``doc_id``, ``fingerprint``, ``content_hash``;
    - clean also: ``visible`` (the page's visible text, for ``winnow.dedup.visible``) when dedup uses it;
    - signature: ``signature`` (MinHash, ``uint32[num_perm]``), computed where the text is, and
      ``visible_samples`` of the body and of the visible text.
    """

    source: SourceFile
    raw: str = ""
    part: str = ""
    title: Optional[str] = None
    text: str = ""
    author: Optional[str] = None
    date: Optional[str] = None
    url: Optional[str] = None
    extractor: str = ""
    extractor_version: str = ""
    removed: list[Removed] = field(default_factory=list)
    line_hashes: list[int] = field(default_factory=list)  # text dumps: counted as corpus evidence
    language: str = "und"
    language_prob: float = 0.0
    doc_id: str = ""
    fingerprint: str = ""  # pipeline version + cleaning settings: same input + same fingerprint = same doc
    content_hash: str = ""  # hash of the normalised text: equal hashes = exact duplicates
    signature: Optional[Any] = None  # numpy uint32 array, or None when not computed here
    visible: str = ""  # what a reader could see of the page (winnow.dedup.visible), kept when dedup compares it
    visible_samples: Optional[Any] = None  # (sample of ``text``, sample of ``visible``): winnow.dedup.visible.samples
    words: Optional[int] = None  # word count of ``text``, kept by the stage that counted it (filter)
    # the body's tokens (``winnow.vocab.Tokens``), from the filter to the signature stage, which reads
    # them instead of tokenising again; dropped there (``Pipeline.stream``), never stored
    tokens: Optional[Any] = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def char_count(self) -> int:
        return len(self.text)

    @property
    def word_count(self) -> int:
        if self.words is None:
            self.words = word_count(self.text)  # winnow.vocab: CJK-aware, the count the filters use
        return self.words


@dataclass(frozen=True)
class Rejection:
    """A file that did not become a document, with the reason (never silently dropped)."""

    path: str
    reason: str  # machine-readable, e.g. "empty", "binary", "gzip_truncated"
    detail: str = ""  # human-readable specifics
    sha256: Optional[str] = None  # when the bytes could be read
    size: Optional[int] = None
    text: Optional[str] = None  # the cleaned text a rejection after cleaning was made on
    time_limit: Optional[float] = None  # a timeout's limit ([input] max_seconds_per_page): a larger one retries it

    @classmethod
    def of(cls, source: SourceFile, reason: str, detail: str = "", text: Optional[str] = None,
           time_limit: Optional[float] = None) -> "Rejection":
        """A file that was read (hash and size known) but did not become a document."""
        if source.where:
            detail = f"{source.where}: {detail}"
        return cls(source.path, reason, detail, sha256=source.sha256, size=source.size, text=text,
                   time_limit=time_limit)


@dataclass
class BatchResult:
    """What a batch of files became: documents, rejections, and the stages' counters.

    (Here, not in ``winnow.pipeline``, so that the flow's own process, which loads batches,
    unpickles them without importing the cleaners.)"""

    documents: list[Document] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)  # winnow.stage.Stats
    files: int = 0  # files of the batch (a file may give several documents, or one rejection)
    containers: list[SourceFile] = field(default_factory=list)  # WARC files read (their versions)
    worker_pid: int = 0  # the process that cleaned the batch (the flow logs it: which cores did the work)
    # the batch as the warehouse loads it (winnow.storage.tables.BatchTables), built by the worker that
    # cleaned it, which then hands back no documents, rejections or containers as objects
    tables: Optional[Any] = None

    @property
    def document_count(self) -> int:
        return self.tables.documents if self.tables is not None else len(self.documents)

    @property
    def rejection_count(self) -> int:
        return self.tables.rejections if self.tables is not None else len(self.rejections)
