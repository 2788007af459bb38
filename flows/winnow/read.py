"""Read: raw bytes on disk -> decoded text of a known kind, or a rejection with a reason.

- size cap before reading; sha256 of the raw bytes (provenance and idempotence);
- gzip recognised by its magic bytes (not only ``.gz``), decompressed with a cap;
- encodings: BOM (UTF-8/16/32), strict UTF-8, UTF-8 with a few invalid bytes
  (replaced and counted), else charset-normalizer (cp1252, latin-1, ...);
- binary content (NUL bytes, control characters) rejected;
- HTML vs plain text sniffed from the content; a ``.txt`` name means a text dump unless the
  file starts as an HTML document.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import os
import re
import zlib

from charset_normalizer import from_bytes

from winnow.discover import Candidate, OpenRefused, open_checked
from winnow.records import Document, Rejection, SourceFile
from winnow.settings import InputSettings

_GZIP_MAGIC = b"\x1f\x8b"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAG = re.compile(r"<(html|head|body|div|p|br|span|a|article|section|meta|title|script|style|table|li|h[1-6])\b[^<>]*>", re.I)
_TEXT_NAMES = (".txt", ".text")
_HTML_NAMES = (".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _gunzip(data: bytes, cap: int) -> bytes:
    """Decompress all gzip members, refusing to produce more than ``cap`` bytes."""
    out = bytearray()
    rest = data
    while rest:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while True:
            chunk = d.decompress(rest, cap + 1 - len(out))
            out += chunk
            if len(out) > cap:
                raise _Reject("gzip_bomb", f"decompresses to more than {cap // 1_000_000} MB (input.max_decompressed_mb)")
            if d.eof or not d.unconsumed_tail:
                break
            rest = d.unconsumed_tail
        if not d.eof:
            raise _Reject("gzip_truncated", "gzip stream ends before its end marker")
        rest = d.unused_data.lstrip(b"\x00")
        if rest and not rest.startswith(_GZIP_MAGIC):
            break  # trailing garbage after the last member: ignored, as gzip(1) does
    return bytes(out)


class _Reject(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: NULs on one side of most ASCII code units."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / (len(sample) / 2)
    odd = sample[1::2].count(0) / (len(sample) / 2)
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) < 0xA0)
    return bad / len(sample)


def decode(data: bytes, invalid_utf8: str = "replace") -> tuple[str, str, int]:
    """Decode bytes to text; returns (text, encoding, replaced_byte_count)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name.replace("-sig", ""), 0
            except UnicodeDecodeError as e:
                raise _Reject("undecodable", f"invalid {name} after its byte-order mark: {e.reason}")
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            return data.decode(utf16), utf16, 0
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise _Reject("binary", "contains NUL bytes")
    try:
        return data.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError:
        pass
    # Mostly valid UTF-8 (real multi-byte sequences present) with a few bad bytes:
    # keep UTF-8 and count the replacements rather than guess a legacy code page.
    repaired = data.decode("utf-8", errors="replace")
    bad = repaired.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    multibyte = sum(1 for ch in repaired if ord(ch) > 0x7F and ch != "\ufffd")
    if multibyte >= 1 and bad <= max(8, len(repaired) // 1000):
        if invalid_utf8 == "reject":
            raise _Reject("invalid_utf8", f"{bad} invalid UTF-8 byte sequence(s) in an otherwise UTF-8 file")
        return repaired, "utf-8", bad
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise _Reject("undecodable", "no text encoding fits these bytes")
    return str(best), best.encoding, 0


def sniff_kind(text: str, path: str = "") -> str:
    """'html' or 'text', from the content and the name.

    A file that starts as an HTML document (doctype, <html>, <head>, <body>) is HTML. A ``.txt``
    file is otherwise a text dump whatever tags its text mentions (escaped markup, code samples);
    for other names five or more HTML tags make HTML, and one is enough for an HTML file name.
    """
    head = text[:8192].encode("utf-8", "ignore")
    if _HTML_START.match(head):
        return "html"
    if path.lower().removesuffix(".gz").endswith(_TEXT_NAMES):
        return "text"
    tags = len(_HTML_TAG.findall(text[:65536]))
    if tags >= 5:
        return "html"
    if tags >= 1 and path.lower().removesuffix(".gz").endswith(_HTML_NAMES):
        return "html"
    return "text"


def hash_candidate(candidate: Candidate, follow_symlinks: bool = True) -> str | None:
    """sha256 of a file, streamed (any size), opened as the reader opens it; None when it cannot be read."""
    try:
        fd, _ = open_checked(candidate, follow_symlinks)
        with os.fdopen(fd, "rb") as fh:
            return _hash_stream(fh)
    except (OpenRefused, OSError):
        return None


def _hash_stream(fh) -> str:
    h = hashlib.sha256()
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        h.update(chunk)
    return h.hexdigest()


def read_candidate(candidate: Candidate, settings: InputSettings | None = None) -> Document | Rejection:
    """Read, hash, decompress and decode one file. Never raises for bad input."""
    settings = settings or InputSettings()
    path = candidate.path
    max_bytes = int(settings.max_file_mb * 1_000_000)
    try:
        fd, st = open_checked(candidate, settings.follow_symlinks)
    except OpenRefused as r:
        return Rejection(path, r.reason, r.detail)
    try:
        with os.fdopen(fd, "rb") as fh:
            if st.st_size > max_bytes:  # hashed, not kept: the version is known, rejected once
                return Rejection(path, "too_large", f"{st.st_size} bytes > input.max_file_mb ({settings.max_file_mb} MB)",
                                 sha256=_hash_stream(fh), size=st.st_size)
            data = fh.read(max_bytes + 1)
    except OSError as e:
        return Rejection(path, "unreadable", e.strerror or str(e))
    digest = sha256_bytes(data)
    size = len(data)

    def reject(reason: str, detail: str) -> Rejection:
        return Rejection(path, reason, detail, sha256=digest, size=size)

    if size > max_bytes:
        return reject("too_large", f"grew past input.max_file_mb ({settings.max_file_mb} MB) while being read")
    if not data.strip():
        return reject("empty", "no bytes" if not data else "only whitespace")
    compressed = data.startswith(_GZIP_MAGIC)
    try:
        if compressed:
            data = _gunzip(data, int(settings.max_decompressed_mb * 1_000_000))
            if not data.strip():
                return reject("empty", "gzip file decompresses to nothing")
        text, encoding, bad = decode(data, settings.invalid_utf8)
    except _Reject as r:
        return reject(r.reason, r.detail)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as e:
        return reject("gzip_corrupt", str(e))
    if _control_ratio(text) > 0.05:
        return reject("binary", "too many control characters for text")
    if not text.strip():
        return reject("empty", "only whitespace after decoding")
    source = SourceFile(
        path=path,
        sha256=digest,
        size=size,
        mtime=st.st_mtime,
        type=sniff_kind(text, path),
        encoding=encoding.lower().replace("_", "-"),
        compressed=compressed,
        decode_errors=bad,
    )
    return Document(source, raw=text)
