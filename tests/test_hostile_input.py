"""Hostile and broken input: every bad file is recorded with a specific reason; the run goes on."""

from __future__ import annotations

import gzip
import os
import shutil

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from conftest import SEEDS, ingest, make_settings, query
from winnow.discover import Candidate, discover
from winnow.read import read_candidate
from winnow.records import Document, Rejection
from winnow.settings import InputSettings

GOOD = (SEEDS / "000_6854359e01b304fc.txt").read_bytes()


def read(path, **kw):
    return read_candidate(Candidate(str(path), str(path.parent)), InputSettings(**kw))


def reason(path, **kw) -> str:
    out = read(path, **kw)
    assert isinstance(out, Rejection), f"{path.name} was not rejected"
    assert out.detail
    return out.reason


def test_gzip_truncated_and_bomb(tmp_path):
    packed = gzip.compress(GOOD)
    (tmp_path / "cut.txt.gz").write_bytes(packed[: len(packed) // 2])
    assert reason(tmp_path / "cut.txt.gz") == "gzip_truncated"
    # 60 MB of zeros packs into ~60 KB: over a 10 MB cap it is a bomb, never inflated in full
    (tmp_path / "bomb.gz").write_bytes(gzip.compress(b"\0" * 60_000_000, compresslevel=9))
    assert (tmp_path / "bomb.gz").stat().st_size < 200_000
    assert reason(tmp_path / "bomb.gz", max_decompressed_mb=10) == "gzip_bomb"
    # concatenated gzip members are one stream, as for gzip(1)
    (tmp_path / "two.txt.gz").write_bytes(gzip.compress(GOOD[:500]) + gzip.compress(GOOD[500:]))
    page = read(tmp_path / "two.txt.gz")
    assert isinstance(page, Document) and page.raw == GOOD.decode() and page.source.compressed


def test_size_cap(tmp_path):
    (tmp_path / "big.txt").write_bytes(GOOD * 600)  # ~1.2 MB
    assert reason(tmp_path / "big.txt", max_file_mb=1) == "too_large"
    assert isinstance(read(tmp_path / "big.txt", max_file_mb=2), Document)


def test_binary_behind_text_names(tmp_path):
    (tmp_path / "nul.txt").write_bytes(GOOD[:300] + b"\0\0\0" + GOOD[300:])
    (tmp_path / "pic.html").write_bytes(bytes(range(256)) * 50)
    (tmp_path / "elf.txt").write_bytes(b"\x7fELF\x02\x01\x01" + os.urandom(3000))
    for name in ("nul.txt", "pic.html", "elf.txt"):
        assert reason(tmp_path / name) == "binary", name


def test_invalid_utf8_in_the_middle(tmp_path):
    text = GOOD.decode("utf-8")
    broken = text[:800].encode() + b"\xff\xfe\xc3" + text[800:].encode()
    (tmp_path / "broken.txt").write_bytes(broken)
    page = read(tmp_path / "broken.txt")  # default: keep the page, count the repair
    assert isinstance(page, Document) and page.source.encoding == "utf-8" and page.source.decode_errors == 3
    assert text[:800] in page.raw and text[800:] in page.raw
    assert reason(tmp_path / "broken.txt", invalid_utf8="reject") == "invalid_utf8"


def test_encodings(tmp_path):
    text = "Élections : « Les électeurs ont tranché », déclare le ministre de l’Intérieur à Québec.\n" * 5
    cases = {
        "utf16.txt": text.encode("utf-16"),  # with BOM
        "utf16le.txt": text.encode("utf-16-le"),  # without
        "bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "cp1252.txt": text.encode("cp1252"),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        page = read(tmp_path / name)
        assert isinstance(page, Document), name
        assert page.raw.lstrip("\ufeff") == text, name


def test_symlinks(tmp_path):
    root = tmp_path / "inbox"
    root.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_bytes(GOOD)
    (root / "inside.txt").write_bytes(GOOD)
    (root / "leak.txt").symlink_to(outside)
    (root / "alias.txt").symlink_to(root / "inside.txt")
    (root / "dangling.txt").symlink_to(root / "gone.txt")
    (root / "loop").symlink_to(root)
    found = discover([root])
    assert sorted(os.path.basename(c.path) for c in found.candidates) == ["alias.txt", "inside.txt"]
    reasons = {os.path.basename(r.path): r.reason for r in found.rejections}
    assert reasons == {"leak.txt": "symlink_outside_root", "dangling.txt": "broken_symlink"} | (
        {"loop": reasons["loop"]} if "loop" in reasons else {})


def test_file_deleted_between_discovery_and_reading(tmp_path):
    (tmp_path / "soon-gone.txt").write_bytes(GOOD)
    (c,) = discover([tmp_path]).candidates
    os.remove(c.path)
    out = read_candidate(c)
    assert isinstance(out, Rejection) and out.reason == "vanished"


def test_a_hostile_folder_end_to_end(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    odd_names = ["with space.txt", "quote's \"double\".txt", "new\nline.txt", "ünïcødé-新闻.txt"]
    for name, seed in zip(odd_names, sorted(SEEDS.iterdir())):
        shutil.copy(seed, inbox / name)
    packed = gzip.compress(GOOD)
    (inbox / "cut.txt.gz").write_bytes(packed[:100])
    (inbox / "bomb.html.gz").write_bytes(gzip.compress(b"<p>" + b"a" * 3_000_000, compresslevel=9))
    (inbox / "nul.html").write_bytes(b"<html>\0\0\0</html>" * 10)
    (inbox / "scripts-only.html").write_bytes(
        b"<html><head><style>body{color:red}</style><script>var a = 1; " + b"a++;" * 500
        + b"</script></head><body><script>document.write('x')</script></body></html>")
    (inbox / "one-line.txt").write_bytes(b"word " * 1_000_000)  # 5 MB, no line break
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "leak.txt").symlink_to(SEEDS / "001_a7bb1ff81f784584.txt")
    s = make_settings(tmp_path, input={"max_decompressed_mb": 1.0})
    summary = ingest([inbox], s, export=False)
    assert summary["status"] == "completed"
    rejected = dict(query(s, "SELECT regexp_extract(path, '[^/]+$'), reason FROM rejected_files"))
    assert rejected["cut.txt.gz"] == "gzip_truncated"
    assert rejected["bomb.html.gz"] == "gzip_bomb"
    assert rejected["nul.html"] == "binary"
    assert rejected["scripts-only.html"] == "no_content"
    assert rejected["empty.txt"] == "empty"
    assert rejected["leak.txt"] == "symlink_outside_root"
    assert rejected["one-line.txt"] == "repetitive"
    paths = [p for p, in query(s, "SELECT unnest(source_paths) FROM corpus")]
    assert sorted(os.path.basename(p) for p in paths) == sorted(odd_names)
    assert summary["files"]["seen"] == len(odd_names) + 7


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000))
def test_reader_never_raises(tmp_path, data):
    p = tmp_path / "random.bin"
    p.write_bytes(data)
    out = read(p)
    assert isinstance(out, (Document, Rejection))
    if isinstance(out, Rejection):
        assert out.reason and out.detail
