"""Resources bounded by the caps a user sets (issue 11 item 12): cheap checks before the
expensive cleaners, peak memory per file under 10x max_decompressed_mb, a time limit per page
that works in worker threads and processes."""

from __future__ import annotations

import dataclasses
import gzip
import json
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import DATA, ROOT, SEEDS
from winnow.discover import Candidate
from winnow.pipeline import Pipeline
from winnow.records import Rejection
from winnow.settings import Settings

HTML_PAGES = sorted((DATA / "html" / "pages").glob("*.html.gz"))


def varied_lines(n_chars: int) -> str:
    """Prose-like lines that never repeat (real seed lines, numbered)."""
    lines = [ln for p in sorted(SEEDS.glob("*.txt")) for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]
    out, i = [], 0
    while sum(map(len, out)) < n_chars:
        out.append(f"{lines[i % len(lines)]} ({i})")
        i += 1
    return "\n".join(out) + "\n"


def settings(**input_kw) -> Settings:
    s = Settings()
    return dataclasses.replace(s, input=dataclasses.replace(s.input, **input_kw))


def one(path: Path, s: Settings):
    (item,) = list(Pipeline(s, documents=False).stream([Candidate(str(path), str(path.parent))]))
    return item


def test_a_huge_repetitive_page_is_rejected_before_cleaning(tmp_path):
    """The issue's case, scaled: 60 MB of text in 60 KB of gzip took minutes and GBs to clean."""
    (tmp_path / "spam.txt.gz").write_bytes(gzip.compress(b"buy cheap pills now\n" * 3_000_000, 9))
    t = time.perf_counter()
    out = one(tmp_path / "spam.txt.gz", Settings())
    assert isinstance(out, Rejection) and out.reason == "repetitive" and "before cleaning" in out.detail
    assert time.perf_counter() - t < 20


def test_a_text_dump_too_big_to_clean_is_rejected_with_its_size(tmp_path):
    (tmp_path / "big.txt").write_text(varied_lines(700_000), encoding="utf-8")
    out = one(tmp_path / "big.txt", settings(max_decompressed_mb=8.0))  # text cap: 8 MB / 16
    assert isinstance(out, Rejection) and out.reason == "too_large" and "not cleaned" in out.detail


MEASURE = r"""
import json, sys, dataclasses
from winnow.discover import Candidate
from winnow.pipeline import Pipeline
from winnow.settings import Settings
path, warm_html, warm_text, cap = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
s = Settings()
s = dataclasses.replace(s, input=dataclasses.replace(s.input, max_decompressed_mb=cap))
def run(p):
    return list(Pipeline(s, documents=False).stream([Candidate(p, p.rsplit("/", 1)[0])]))
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
run(warm_html); run(warm_text)  # models, stop lists and libraries loaded before measuring
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # resets the peak resident size (VmHWM) to the current one
base = status("VmRSS")
out = run(path)
print(json.dumps({"delta_mb": status("VmHWM") - base, "outcome": getattr(out[0], "reason", "document")}))
"""


@pytest.mark.slow
def test_peak_memory_per_file_stays_under_ten_times_the_decompressed_cap(tmp_path):
    cap_mb = 3.0
    html = b"".join(gzip.decompress(p.read_bytes()) for p in HTML_PAGES)
    files = {
        "html.html.gz": (html * (int(cap_mb * 0.9e6) // len(html) + 1))[: int(cap_mb * 0.9e6)],
        "repetitive.txt.gz": b"the same words again and again\n" * int(cap_mb * 0.9e6 / 31),
        "varied.txt.gz": varied_lines(int(cap_mb * 0.9e6)).encode(),  # over the text cap: not cleaned
        "at-text-cap.txt": varied_lines(int(cap_mb * 1e6 / 16 * 0.95)).encode(),  # cleaned: the worst case
        "emoji.txt.gz": ("😀 🙂 " * int(cap_mb * 0.9e6 / 10)).encode(),  # 4 bytes a character in memory
    }
    warm = tmp_path / "warm"
    warm.mkdir()
    (warm / "w.html").write_bytes(gzip.decompress(HTML_PAGES[0].read_bytes()))
    (warm / "w.txt").write_bytes((SEEDS / "000_6854359e01b304fc.txt").read_bytes())
    peaks = {}
    for name, data in files.items():
        p = tmp_path / name
        p.write_bytes(gzip.compress(data, 6) if name.endswith(".gz") else data)
        res = subprocess.run([sys.executable, "-c", MEASURE, str(p), str(warm / "w.html"), str(warm / "w.txt"),
                              str(cap_mb)], capture_output=True, text=True, cwd=ROOT, timeout=600)
        assert res.returncode == 0, res.stderr[-2000:]
        peaks[name] = json.loads(res.stdout.strip().splitlines()[-1])
    print(peaks)
    for name, r in peaks.items():
        assert r["delta_mb"] <= 10 * cap_mb, (name, r)


def slow_page(tmp_path: Path) -> Path:
    p = tmp_path / "slow.txt"
    p.write_text(varied_lines(2_500_000), encoding="utf-8")  # seconds in the text cleaner, even warm on a quiet machine
    return p


def timed_out(path: str) -> str:
    """In a worker: the slow page with a 0.3 s limit, then a seed page that no stop may reach."""
    first = list(Pipeline(settings(max_seconds_per_page=0.3), documents=False).stream(
        [Candidate(path, str(Path(path).parent))]))[0]
    seed = str(SEEDS / "000_6854359e01b304fc.txt")  # no limit: only a stray stop could reject it
    second = list(Pipeline(settings(max_seconds_per_page=0), documents=False).stream([Candidate(seed, str(SEEDS))]))[0]
    return f"{getattr(first, 'reason', 'document')} {getattr(second, 'reason', 'document')}"


def test_a_page_that_takes_too_long_is_rejected_as_timeout(tmp_path):
    path = slow_page(tmp_path)
    t = time.perf_counter()
    out = one(path, settings(max_seconds_per_page=0.3))
    assert isinstance(out, Rejection) and out.reason == "timeout" and out.detail
    assert time.perf_counter() - t < 5
    assert timed_out(str(path)) == "timeout document"


@pytest.mark.parametrize("pool", [ThreadPoolExecutor, ProcessPoolExecutor])
def test_the_time_limit_works_in_worker_threads_and_processes(tmp_path, pool):
    path = slow_page(tmp_path)
    with pool(max_workers=2) as ex:
        assert list(ex.map(timed_out, [str(path)] * 2)) == ["timeout document"] * 2


def _busy(seconds: float) -> str:
    t = time.perf_counter()
    while time.perf_counter() - t < seconds:
        pass
    return "done"


@pytest.mark.slow  # ~15 s: thousands of pages at their limit
def test_a_time_limit_stops_only_the_page_it_was_set_for():
    """Pages that finish right at their limit, in four threads at once: each ends with its value or
    PageTimeout, and no stop lands anywhere else (before: a timer thread per page, whose stop could
    fire while ``Thread.start`` was still running and land inside ``threading``: KeyError)."""
    import threading

    from winnow import limits

    outcomes: list[str] = []

    def pages() -> None:
        for _ in range(1000):
            try:
                try:
                    outcomes.append(limits.within(0.002, _busy, 0.002))
                except limits.PageTimeout:
                    outcomes.append("timeout")
                x = 0
                for _ in range(3000):  # after the page: no stop may land here
                    x += 1
            except BaseException as e:  # noqa: BLE001 - any escape is the failure under test
                outcomes.append(f"escaped: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=pages) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    escaped = [o for o in outcomes if o.startswith("escaped")]
    assert not escaped and len(outcomes) == 4000, escaped[:3]
    assert {"done", "timeout"} <= set(outcomes)  # both sides of the limit were exercised


def test_a_stop_swallowed_where_it_landed_is_raised_again():
    """A library's ``except Exception`` (or a destructor) can swallow the stop: it is raised again
    while the page runs, so the page ends within a fraction of a second, not when it finishes."""
    from winnow import limits

    def swallows_the_first_stop() -> str:
        try:
            _busy(5)
        except Exception:  # noqa: BLE001 - as a library might
            pass
        return _busy(5)

    t = time.perf_counter()
    with pytest.raises(limits.PageTimeout):
        limits.within(0.2, swallows_the_first_stop)
    assert time.perf_counter() - t < 3


class _SlowFinaliser:
    """An object whose finaliser runs Python code for ``seconds``: a stop that lands in it is
    swallowed by the interpreter ("Exception ignored in ... __del__"), as one did in regex's
    ``SetBase.__del__`` during a page of the thread-pool test."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __del__(self) -> None:
        _busy(self.seconds)


@pytest.mark.parametrize("work_after", [5.0, 0.0])
def test_a_stop_swallowed_by_a_finaliser_still_stops_the_page(monkeypatch, work_after):
    """The limit is not lost when its stop lands in a destructor: the page is stopped by a stop
    raised again after the destructor (work_after 5 s: before, the page ran them to its end), or,
    when the page ends right after it, within() raises PageTimeout instead of returning."""
    import sys

    from winnow import limits

    swallowed: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook",
                        lambda u: swallowed.append(f"{u.exc_type.__name__} in {getattr(u.object, '__qualname__', u.object)}"))

    def page() -> str:
        finalised = _SlowFinaliser(1.0)  # the limit (0.2 s) passes while its finaliser runs
        del finalised
        return _busy(work_after)

    t = time.perf_counter()
    with pytest.raises(limits.PageTimeout):
        limits.within(0.2, page)
    assert time.perf_counter() - t < 4
    assert swallowed and set(swallowed) == {"PageTimeout in _SlowFinaliser.__del__"}, swallowed  # the case constructed


def test_a_stop_swallowed_by_a_finaliser_prints_no_traceback():
    """The interpreter reports an exception swallowed in a destructor on stderr ("Exception ignored
    in ... __del__" and a traceback): for a stop that is raised again it said nothing true, and a
    run's workers printed it among the run's output. Other exceptions ignored in a destructor are
    still reported."""
    script = """
import time
from winnow import limits

def busy(seconds):
    t = time.perf_counter()
    while time.perf_counter() - t < seconds:
        pass

class SlowFinaliser:
    def __del__(self):
        busy(1.0)

class FailingFinaliser:
    def __del__(self):
        raise ValueError("a finaliser's own error")

def page():
    finalised = SlowFinaliser()
    del finalised
    busy(5)

try:
    limits.within(0.2, page)
except limits.PageTimeout:
    print("timeout")
failing = FailingFinaliser()
del failing
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.stdout.strip() == "timeout", run.stderr
    assert "PageTimeout" not in run.stderr, run.stderr
    assert run.stderr.count("Exception ignored") == 1 and "ValueError: a finaliser's own error" in run.stderr, run.stderr


def test_a_timeout_is_retried_by_a_run_with_a_larger_time_limit_and_only_then(tmp_path):
    """A page rejected as `timeout` was never tried again, even by runs given more time. Now the
    limit it ran into is recorded: a run with the same limit leaves it rejected (it would cost the
    limit on every run), a run with a larger one tries it again, and the file counts once: the
    earlier rejection is resolved, the latest outcome stands."""
    from conftest import ingest, make_settings, query

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    slow_page(inbox)  # alone: on a loaded machine a seed page can take 0.3 s too
    warehouse = tmp_path / "wh"

    def run(limit: float) -> dict:
        s = make_settings(warehouse, input={"max_seconds_per_page": limit})
        return ingest([inbox], s, export=False)

    def rejections() -> list[tuple]:
        s = make_settings(warehouse)
        return query(s, "SELECT reason, time_limit_seconds, resolved_run_id IS NOT NULL FROM rejected_files "
                        "WHERE path LIKE '%slow.txt' ORDER BY rejected_at")

    first = run(0.3)
    assert first["files"]["rejected"] == 1 and rejections() == [("timeout", 0.3, False)]
    again = run(0.3)  # the same limit: not tried again
    assert again["files"]["unchanged"] == 1 and again["files"]["rejected"] == 0, again["files"]
    assert rejections() == [("timeout", 0.3, False)]
    more = run(0.5)  # more time, still too little: tried, rejected at the new limit
    assert more["files"]["rejected"] == 1 and more["files"]["unchanged"] == 0, more["files"]
    assert rejections() == [("timeout", 0.3, True), ("timeout", 0.5, False)]
    unlimited = run(0)  # no limit: cleaned, a document
    assert unlimited["files"]["rejected"] == 0 and unlimited["files"]["unchanged"] == 0, unlimited["files"]
    assert rejections() == [("timeout", 0.3, True), ("timeout", 0.5, True)]
    docs = query(make_settings(warehouse), "SELECT count(*) FROM documents d JOIN source_files s USING (doc_id) "
                                           "WHERE s.path LIKE '%slow.txt' AND s.status = 'current'")
    assert docs == [(1,)]
