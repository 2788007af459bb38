"""WARC: crawl files as input, one page per HTML response record (read with warcio).

``records(fh, cap)`` walks a WARC or WARC.gz file and yields, in file order:

- ``Record``: an HTML response (or resource) record with a 2xx status: its offset in the
  file, WARC-Record-ID, target URI, WARC-Date, HTTP charset, and payload (HTTP transfer and
  content encodings undone), or ``too_large`` set when the payload exceeds ``cap`` bytes;
- ``Skipped``: any other record (warcinfo, request, metadata, revisit, a non-HTML or non-2xx
  response), by kind, so the run can count them;
- ``Malformed``: bytes that are not a readable record (bad header, truncated gzip member, a
  Content-Length running past the end of the file), with the offset and warcio's error.

Neither warcio nor fastwarc resynchronises after a malformed record (both stop), so this module
does: it looks for the next record start after the bad one (a gzip member that inflates to
``WARC/``, or a ``WARC/1.x`` line in an uncompressed file), and goes on from there. A bad
record is reported, never the end of the file.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Optional, Union

from warcio.archiveiterator import ArchiveIterator

_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = re.compile(rb"WARC/(0\.\d+|1\.\d+)\r?\n")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 1 << 20


@dataclass
class Record:
    offset: int
    record_id: str
    target_uri: str
    warc_date: str
    payload: bytes
    charset: Optional[str] = None  # from the HTTP Content-Type
    too_large: bool = False


@dataclass
class Skipped:
    kind: str  # "request", "metadata", "warcinfo", "revisit", "non_html", "http_status", ...
    offset: int


@dataclass
class Malformed:
    offset: int
    detail: str


Item = Union[Record, Skipped, Malformed]


def is_warc(head: bytes) -> bool:
    """True when the bytes start a WARC file (plain, or gzip with a WARC first member)."""
    if head.startswith(_GZIP_MAGIC):
        head = _inflate_head(head)
    return _WARC_LINE.match(head[:16]) is not None


def _inflate_head(data: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, 16)
    except zlib.error:
        return b""


def _header(rec, name: str) -> str:
    return (rec.rec_headers.get_header(name) or "").strip()


def _content_type(rec) -> tuple[str, Optional[str]]:
    """(mime type, charset) of the HTTP payload: HTTP headers for a response, WARC's for a resource."""
    raw = ""
    if rec.http_headers is not None:
        raw = rec.http_headers.get_header("Content-Type") or ""
    if not raw and rec.rec_type == "resource":
        raw = _header(rec, "Content-Type")
    mime = raw.split(";")[0].strip().lower()
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", raw, re.I)
    return mime, (m.group(1) if m else None)


def _classify(rec) -> Optional[str]:
    """None for an HTML page to read, else the kind of record skipped."""
    if rec.rec_type not in ("response", "resource"):
        return rec.rec_type
    if rec.http_headers is not None and rec.rec_type == "response":
        status = (rec.http_headers.get_statuscode() or "").strip()
        if not status.startswith("2"):
            return "http_status"
    elif rec.rec_type == "response":
        return "non_http"
    mime, _ = _content_type(rec)
    if mime and mime not in _HTML_TYPES:
        return "non_html"
    return None


def _read_payload(rec, cap: int) -> tuple[bytes, bool]:
    """The decoded HTTP payload, at most ``cap`` bytes; (payload, too_large)."""
    data = rec.content_stream().read(cap + 1)
    return data[:cap], len(data) > cap


def _truncated(rec) -> bool:
    """The record's declared Content-Length ran past the end of the file."""
    rest = rec.raw_stream
    while rest.read(_CHUNK):
        pass
    return getattr(rest, "limit", 0) > 0


def _records_from(fh: BinaryIO, start: int, cap: int, state: dict) -> Iterator[Item]:
    """Records from ``start`` on, until the end or the first malformed one (``state['bad']``)."""
    fh.seek(start)
    it = ArchiveIterator(fh)
    it.INC_RECORD = ""  # warcio prints a warning for a wrong Content-Length; it is reported instead
    while True:
        try:
            rec = next(it)
        except StopIteration:  # warcio ends quietly on a record header cut short: look for leftovers
            fh.seek(it.offset)
            if fh.read(4096).strip(b"\r\n\t \x00"):
                state["bad"], state["error"] = it.offset, "incomplete record at the end of the file"
            return
        except Exception as e:  # warcio raises ArchiveLoadFailed, zlib/OSError, ValueError...
            state["bad"], state["error"] = it.offset, f"{type(e).__name__}: {e}"[:300]
            return
        offset = it.offset  # absolute: the iterator started at fh.tell()
        try:
            kind = _classify(rec)
            if kind is None:
                payload, too_large = _read_payload(rec, cap)
            if _truncated(rec):
                raise EOFError("its Content-Length runs past the end of the file")
            errors = it.err_count
            it.read_to_end()  # reads up to the next record: a wrong Content-Length shows here
            if it.err_count > errors:
                raise ValueError("not followed by a blank line: its Content-Length is wrong")
        except Exception as e:
            state["bad"], state["error"] = offset, f"{type(e).__name__}: {e}"[:300]
            return
        if kind is not None:
            yield Skipped(kind, offset)
        else:
            yield Record(offset, _header(rec, "WARC-Record-ID"), _header(rec, "WARC-Target-URI"),
                         _header(rec, "WARC-Date"), payload, _content_type(rec)[1], too_large)


def _next_start(fh: BinaryIO, after: int, gzipped: bool) -> Optional[int]:
    """Offset of the first record start after ``after``, or None."""
    pos = after
    overlap = 16
    while True:
        fh.seek(pos)
        block = fh.read(_CHUNK + overlap)
        if not block:
            return None
        if gzipped:
            i = block.find(_GZIP_MAGIC)
            while i != -1:
                fh.seek(pos + i)
                if _WARC_LINE.match(_inflate_head(fh.read(256))[:16]):
                    return pos + i
                i = block.find(_GZIP_MAGIC, i + 1)
        else:
            m = _WARC_LINE.search(block)
            if m and m.start() < _CHUNK:
                return pos + m.start()
        if len(block) <= overlap:
            return None
        pos += _CHUNK


def records(fh: BinaryIO, cap: int) -> Iterator[Item]:
    """Every record of a WARC file (seekable, opened in binary mode), malformed ones included."""
    fh.seek(0)
    gzipped = fh.read(3) == _GZIP_MAGIC
    start = 0
    while True:
        state: dict = {}
        yield from _records_from(fh, start, cap, state)
        if "bad" not in state:
            return
        bad = max(state["bad"], start)
        yield Malformed(bad, f"malformed WARC record at offset {bad}: {state['error']}")
        start = _next_start(fh, bad + 1, gzipped)
        if start is None:
            return
