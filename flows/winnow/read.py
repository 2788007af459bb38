"""Read: raw bytes on disk -> decoded text of a known kind, or a rejection with a reason.

- size cap before reading; sha256 of the raw bytes (provenance and idempotence);
- gzip recognised by its magic bytes (not only ``.gz``), decompressed with a cap;
- encodings: BOM (UTF-8/16/32), UTF-16 without one, the charset an HTML page declares,
  strict UTF-8, UTF-8 with a few invalid bytes (replaced and counted), else charset-normalizer
  with windows-1252 preferred for ambiguous Western text; mojibake repaired (ftfy);
- binary content (NUL bytes, control characters) rejected;
- HTML vs plain text sniffed from the content; a ``.txt`` name means a text dump unless the
  file starts as an HTML document.
"""

from __future__ import annotations

import codecs
import functools
import gzip
import hashlib
import os
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import BinaryIO, Iterator, Union

import ftfy
from charset_normalizer import from_bytes

from winnow import warc
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


@dataclass
class Container:
    """A file holding many pages (a WARC), read lazily: one page or rejection at a time.

    ``source`` is the file itself (type ``warc``): recorded so that an unchanged file is skipped
    by the next run. ``skipped`` counts the records that are not pages (request, metadata,
    non-HTML...), filled in while ``items`` is consumed.
    """

    source: SourceFile
    items: Iterator[Union[Document, Rejection]]
    skipped: Counter = field(default_factory=Counter)


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


def _utf16_codecs(data: bytes) -> list[str]:
    """The UTF-16 codecs bytes without a BOM look like, most likely first:

    - NULs on one side of most code units: mostly ASCII text;
    - a script outside ASCII: the high byte of nearly every unit is one or two values (0x04 for
      Cyrillic, 0x00 for spaces), the low bytes vary (no NULs needed).
    """
    found = []
    head = data[:4000]
    if len(head) >= 4:
        even, odd = head[0::2].count(0) / (len(head) / 2), head[1::2].count(0) / (len(head) / 2)
        if odd > 0.3 and even < 0.05:
            found.append("utf-16-le")
        elif even > 0.3 and odd < 0.05:
            found.append("utf-16-be")
    sample = data[: 8000 - (min(len(data), 8000) % 2)]
    if len(sample) >= 64:
        for name, high, low in (("utf-16-le", sample[1::2], sample[0::2]),
                                ("utf-16-be", sample[0::2], sample[1::2])):
            counts = Counter(high)
            top = sum(n for _, n in counts.most_common(2))
            if top >= 0.95 * len(high) and len(set(low)) >= 16 and max(counts) < 0xD8:
                if name not in found:
                    found.append(name)
                break
    return found


def _as_utf16(data: bytes) -> tuple[str, str, int] | None:
    """``data`` decoded as UTF-16 without a BOM when it looks like it and decodes, else None."""
    for name in _utf16_codecs(data):
        try:
            return data.decode(name), name, 0
        except UnicodeDecodeError:
            continue
    return None


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0 controls but \t \n \v \f \r; DEL; C1 controls


def _control_ratio(text: str) -> float:
    """Share of control characters in the first 20,000 characters (counted by the regex engine: a
    Python loop over the characters was a third of the read stage's time)."""
    sample = text[:20000]
    if not sample:
        return 0.0
    return len(_CONTROL.findall(sample)) / len(sample)


def decode(data: bytes, invalid_utf8: str = "replace", declared: str | None = None) -> tuple[str, str, int]:
    """Decode bytes to text; returns (text, encoding, replaced_byte_count).

    Order: a byte-order mark; UTF-16 without one (NULs on one side); the charset the page
    declares (``declared``, from an HTTP header, else an HTML ``<meta>``), unless the bytes are
    real UTF-8; strict UTF-8; UTF-8 with a few bad bytes (replaced, counted); UTF-16 without a
    BOM or NULs (Cyrillic, Greek...: one high byte per code unit); else charset-normalizer,
    with windows-1252 preferred among the Latin code pages it cannot tell apart unless the
    other one's words are found in more stop-word lists. Mojibake (UTF-8 decoded twice) is
    repaired with ftfy and labelled ``<encoding>, mojibake repaired``.
    """
    text, encoding, bad = _decode(data, invalid_utf8, declared)
    if _MOJIBAKE.search(text, 0, 200_000):
        fixed = ftfy.fix_encoding(text)
        if fixed != text:
            return fixed, f"{encoding}, mojibake repaired", bad
    return text, encoding, bad


def _decode(data: bytes, invalid_utf8: str, declared: str | None) -> tuple[str, str, int]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name.replace("-sig", ""), 0
            except UnicodeDecodeError as e:
                raise _Reject("undecodable", f"invalid {name} after its byte-order mark: {e.reason}")
    if b"\x00" in data:
        utf16 = _as_utf16(data)
        if utf16:
            return utf16
        raise _Reject("binary", "contains NUL bytes")
    named = _charset(declared) or _charset(_meta_charset(data))
    if named and named != "utf-8":
        text = _as_declared(data, named)
        if text is not None:
            return text, named, 0
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
    return _as_utf16(data) or _detect(data)


_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
# WHATWG: pages labelled Latin-1 or ASCII are windows-1252
_ALIASES = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254"}
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac")
# Latin single-byte code pages that charset-normalizer cannot tell apart on short text
_LATIN = {"cp1250", "cp1252", "cp1254", "cp1257", "cp1258", "latin_1", "iso8859_2", "iso8859_3", "iso8859_4",
          "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "mac_roman",
          "mac_latin2", "mac_iceland", "mac_turkish", "cp437", "cp850", "cp852", "cp858", "cp775", "hp_roman8"}


def _meta_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data, 0, 4096)
    return m.group(1).decode("ascii", "ignore") if m else None


def _charset(label: str | None) -> str | None:
    """A charset label as a Python codec name (None when unknown or not ASCII-compatible)."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None  # a page that can say so in ASCII is not UTF-16
    return _ALIASES.get(name, name)


def _as_declared(data: bytes, codec: str) -> str | None:
    """The bytes in the declared code page, unless they are real UTF-8 (a mislabelled page)."""
    try:
        utf8 = data.decode("utf-8")
        if any(ord(ch) > 0x7F for ch in utf8):
            return None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(data: bytes) -> tuple[str, str, int]:
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise _Reject("undecodable", "no text encoding fits these bytes")
    text, name = str(best), best.encoding
    if name in _LATIN and name != "cp1252":
        try:
            western = data.decode("cp1252")
        except UnicodeDecodeError:
            return text, name, 0
        if _stop_hits(western) >= _stop_hits(text):
            return western, "cp1252", 0
    return text, name, 0


@functools.cache
def _accented_stop_words() -> frozenset[str]:
    """Stop words with a letter outside ASCII, in any of jusText's ~100 languages."""
    import justext

    return frozenset(w.lower() for name in justext.get_stoplists() for w in justext.get_stoplist(name)
                     if any(ord(ch) > 0x7F for ch in w))


def _stop_hits(text: str) -> int:
    words = _accented_stop_words()
    return sum(1 for w in re.findall(r"\w+", text[:20000].lower()) if w in words)


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


def read_candidate(candidate: Candidate, settings: InputSettings | None = None) -> Document | Container | Rejection:
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
            if warc.is_warc(fh.read(512)):
                return _open_warc(fh, path, st, settings)
            fh.seek(0)
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


# ------------------------------------------------------------------ WARC files

def _open_warc(fh: BinaryIO, path: str, st: os.stat_result, settings: InputSettings) -> Container | Rejection:
    """A WARC file: hashed whole (its version), then read record by record from its own descriptor."""
    fh.seek(0)
    digest = _hash_stream(fh)
    if st.st_size > settings.max_warc_mb * 1_000_000:
        return Rejection(path, "too_large", f"{st.st_size} bytes > input.max_warc_mb ({settings.max_warc_mb} MB)",
                         sha256=digest, size=st.st_size)
    fh.seek(0)
    compressed = fh.read(2) == _GZIP_MAGIC
    source = SourceFile(path=path, sha256=digest, size=st.st_size, mtime=st.st_mtime, type="warc",
                        compressed=compressed)
    own = os.fdopen(os.dup(fh.fileno()), "rb")  # the caller closes fh; the pages are read later
    container = Container(source, iter(()))
    container.items = _warc_pages(own, source, settings, container.skipped)
    return container


def _warc_pages(fh: BinaryIO, container: SourceFile, settings: InputSettings, skipped: Counter):
    cap = int(settings.max_decompressed_mb * 1_000_000)
    try:
        for item in warc.records(fh, cap):
            if isinstance(item, warc.Skipped):
                skipped[item.kind] += 1
            elif isinstance(item, warc.Malformed):
                yield Rejection(container.path, "warc_malformed", item.detail, sha256=container.sha256,
                                size=container.size)
            else:
                yield _record_page(item, container, settings)
    finally:
        fh.close()


def _record_page(rec: "warc.Record", container: SourceFile, settings: InputSettings) -> Document | Rejection:
    """One HTML response record as a page: its payload's hash and size, the WARC's path."""
    source = replace(container, sha256=sha256_bytes(rec.payload), size=len(rec.payload), type="html",
                     record_offset=rec.offset, record_id=rec.record_id or None,
                     target_uri=rec.target_uri or None, warc_date=rec.warc_date or None)
    if rec.too_large:
        return Rejection.of(source, "too_large", f"payload over input.max_decompressed_mb "
                                                 f"({settings.max_decompressed_mb} MB)")
    if not rec.payload.strip():
        return Rejection.of(source, "empty", "empty payload")
    try:
        text, encoding, bad = decode(rec.payload, settings.invalid_utf8, declared=rec.charset)
    except _Reject as r:
        return Rejection.of(source, r.reason, r.detail)
    if _control_ratio(text) > 0.05:
        return Rejection.of(source, "binary", "too many control characters for text")
    if not text.strip():
        return Rejection.of(source, "empty", "only whitespace after decoding")
    return Document(replace(source, encoding=encoding.lower().replace("_", "-"), decode_errors=bad), raw=text)
