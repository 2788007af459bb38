"""A hostile file system: link loops, globs and links leaving the input, files swapped after
discovery, names that are not UTF-8, rejections that must be recorded once, hidden files."""

from __future__ import annotations

import os
import threading

import pytest

from conftest import SEEDS, ingest, make_settings, query, winnow_cli
from winnow.discover import discover
from winnow.read import hash_candidate, read_candidate, sniff_kind
from winnow.records import Document, Rejection

GOOD = (SEEDS / "000_6854359e01b304fc.txt").read_bytes()
OTHER = (SEEDS / "001_a7bb1ff81f784584.txt").read_bytes()


def names(items) -> list[str]:
    return sorted(os.path.basename(x.path) for x in items)


def reasons(discovery) -> dict[str, str]:
    return {os.path.basename(r.path): r.reason for r in discovery.rejections}


def within(seconds: float, fn):
    """fn() in a thread; fails (instead of hanging the suite) when it blocks."""
    out = []
    t = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{fn} blocked for more than {seconds} s"
    return out[0]


def loops(root):
    root.mkdir()
    (root / "ok.txt").write_bytes(GOOD)
    (root / "self").symlink_to("self")
    (root / "a").symlink_to("b")
    (root / "b").symlink_to("a")


@pytest.mark.parametrize("follow", [True, False])
def test_symlink_loops_are_rejected_not_fatal(tmp_path, follow):
    loops(tmp_path / "in")
    found = discover([tmp_path / "in"], follow_symlinks=follow)
    assert names(found.candidates) == ["ok.txt"]
    assert reasons(found) == {"self": "symlink_loop", "a": "symlink_loop", "b": "symlink_loop"}
    # named directly and through a glob: the same
    assert reasons(discover([tmp_path / "in" / "self"], follow_symlinks=follow)) == {"self": "symlink_loop"}
    assert reasons(discover([str(tmp_path / "in" / "*")], follow_symlinks=follow))["a"] == "symlink_loop"


@pytest.mark.slow
def test_symlink_loops_in_ingest_and_clean(tmp_path):
    loops(tmp_path / "in")
    s = make_settings(tmp_path)
    summary = ingest([tmp_path / "in"], s, export=False)
    assert summary["status"] == "completed" and summary["documents"]["new"] == 1
    assert dict(query(s, "SELECT regexp_extract(path, '[^/]+$'), reason FROM rejected_files")) == {
        "self": "symlink_loop", "a": "symlink_loop", "b": "symlink_loop"}
    res = winnow_cli("clean", tmp_path / "in", "--format", "jsonl")
    assert res.returncode == 0, res.stderr
    assert res.stdout.count('"rejected": "symlink_loop"') == 3


def test_fifo_swapped_in_after_discovery_is_refused_without_blocking(tmp_path):
    (tmp_path / "page.txt").write_bytes(GOOD)
    (c,) = discover([tmp_path]).candidates
    os.remove(c.path)
    os.mkfifo(c.path)  # nobody ever writes to it: a blocking open would wait forever
    out = within(10, lambda: read_candidate(c))
    assert isinstance(out, Rejection) and out.reason == "not_a_file"
    assert within(10, lambda: hash_candidate(c)) is None  # the planner's hash does not block either


def test_globs_keep_to_their_folder(tmp_path):
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    inbox.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_bytes(OTHER)
    (inbox / "page.txt").write_bytes(GOOD)
    (inbox / "leak.txt").symlink_to(outside / "secret.txt")
    (inbox / "tree").symlink_to(outside)  # a link to a whole outside folder
    (inbox / "sub").mkdir()
    (inbox / "sub" / "leak2.txt").symlink_to(outside / "secret.txt")
    found = discover([str(inbox / "*")])
    assert names(found.candidates) == ["page.txt"]
    assert reasons(found) == {"leak.txt": "symlink_outside_root", "tree": "symlink_outside_root",
                              "leak2.txt": "symlink_outside_root"}
    # a recursive glob too
    assert names(discover([str(inbox / "**" / "*.txt")]).candidates) == ["page.txt"]


def test_a_link_swapped_in_after_discovery_is_refused_at_open(tmp_path):
    inbox, secret = tmp_path / "inbox", tmp_path / "secret.txt"
    inbox.mkdir()
    secret.write_bytes(OTHER)
    for name in ("a.txt", "b.txt"):
        (inbox / name).write_bytes(GOOD)
    (inbox / "sub").mkdir()
    (inbox / "sub" / "c.txt").write_bytes(GOOD)
    for found in (discover([inbox]), discover([str(inbox / "*")]), discover([inbox / "a.txt"])):
        for c in found.candidates:
            os.remove(c.path)
            os.symlink(secret, c.path)
            out = read_candidate(c)
            assert isinstance(out, Rejection) and out.reason == "symlink_outside_root", c.path
            assert hash_candidate(c) is None
            os.remove(c.path)
            (inbox / c.path).write_bytes(GOOD)
    # a folder on the way swapped for a link to an outside folder
    (c,) = [c for c in discover([inbox]).candidates if c.path.endswith("c.txt")]
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "c.txt").write_bytes(OTHER)
    os.remove(c.path)
    os.rmdir(inbox / "sub")
    os.symlink(tmp_path / "elsewhere", inbox / "sub")
    out = read_candidate(c)
    assert isinstance(out, Rejection) and out.reason == "symlink_outside_root"


def test_a_link_named_on_the_command_line_is_followed(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "page.txt").write_bytes(GOOD)
    (tmp_path / "file-link.txt").symlink_to(tmp_path / "real" / "page.txt")
    (tmp_path / "dir-link").symlink_to(tmp_path / "real")
    for named in ("file-link.txt", "dir-link"):
        (c,) = discover([tmp_path / named]).candidates
        assert isinstance(read_candidate(c), Document), named


def test_hidden_files_are_skipped_and_counted(tmp_path):
    (tmp_path / "page.txt").write_bytes(GOOD)
    (tmp_path / ".draft.txt").write_bytes(OTHER)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_bytes(OTHER)
    found = discover([tmp_path])
    assert names(found.candidates) == ["page.txt"] and found.hidden == 2


def test_a_txt_file_is_a_text_dump_whatever_tags_it_mentions():
    text = ("How to write a page: start with <html>, then <head> and <title>My page</title>.\n"
            "Put paragraphs in <p> and </p>, links in <a href='x'>, and line breaks as <br>.\n"
            "Tables use <table>, <tr> and <td>; lists <ul> and <li>; sections <div> and <span>.\n") * 3
    assert sniff_kind(text, "/in/tutorial.txt") == "text"
    assert sniff_kind(text, "/in/tutorial.txt.gz") == "text"
    assert sniff_kind(text, "/in/tutorial") == "html"  # no name to go by: the tags decide
    assert sniff_kind("<!DOCTYPE html><html><body><p>x</p></body></html>", "/in/saved.txt") == "html"


@pytest.mark.slow
def test_file_names_that_are_not_utf8(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    bad = os.path.join(os.fsencode(inbox), b"caf\xe9-\xff.txt")  # latin-1 bytes in a name
    with open(bad, "wb") as fh:
        fh.write(GOOD)
    with open(os.path.join(os.fsencode(inbox), b"\xfe.html"), "wb") as fh:
        fh.write(b"")  # rejected: its name must be storable too
    (inbox / "ok.txt").write_bytes(OTHER)
    s = make_settings(tmp_path)
    first = ingest([inbox], s, export=False)
    assert first["status"] == "completed" and first["documents"]["new"] == 2
    paths = sorted(p for p, in query(s, "SELECT path FROM source_files"))
    assert str(inbox) + "/caf\\xe9-\\xff.txt" in paths
    assert query(s, "SELECT regexp_extract(path, '[^/]+$'), reason FROM rejected_files") == [("\\xfe.html", "empty")]
    second = ingest([inbox], s, export=False)  # the same file maps to the same row: unchanged
    assert second["status"] == "completed"
    assert second["files"]["unchanged"] == 3 and second["files"]["new"] == 0


@pytest.mark.slow
def test_a_rejection_is_recorded_once_per_file_version(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "page.txt").write_bytes(GOOD)
    (inbox / "big.txt").write_bytes(GOOD * 600)  # ~1.2 MB
    (inbox / "leak.txt").symlink_to(SEEDS / "001_a7bb1ff81f784584.txt")
    os.mkfifo(inbox / "pipe")
    (inbox / "empty.txt").write_bytes(b"")
    s = make_settings(tmp_path, input={"max_file_mb": 1.0})
    first = ingest([inbox], s, export=False)
    assert first["files"]["rejected"] == 4
    second = ingest([inbox], s, export=False)
    assert second["files"]["new"] == 0 and second["files"]["rejected"] == 0 and second["files"]["unchanged"] == 5
    rows = query(s, "SELECT regexp_extract(path, '[^/]+$') AS f, reason, count(*) FROM rejected_files GROUP BY ALL")
    assert sorted(rows) == [("big.txt", "too_large", 1), ("empty.txt", "empty", 1), ("leak.txt", "symlink_outside_root", 1),
                            ("pipe", "not_a_file", 1)]
    (inbox / "big.txt").write_bytes(GOOD * 601)  # a new version is a new rejection
    third = ingest([inbox], s, export=False)
    assert third["files"]["changed"] == 1 and third["files"]["rejected"] == 1
