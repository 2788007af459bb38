"""Progress of a run: what it is doing, files done / total, documents/s and the ETA.

The run updates one ``Progress`` object (thread-safe, plain Python); whoever shows
it reads ``snapshot()`` on its own clock. ``ProgressPrinter`` is the CLI's display:
a line redrawn every second on a terminal, otherwise a log line every ~10 s, from
the first second on (also while Prefect starts).
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import Optional, TextIO


@dataclass(frozen=True)
class Snapshot:
    stage: str
    files_done: int
    files_total: int
    documents: int
    elapsed: float  # seconds since the run started
    rate: float  # documents per second while processing files
    eta: Optional[float]  # seconds left, when it can be told

    def line(self) -> str:
        parts = [f"{self.stage}"]
        if self.files_total:
            pct = 100.0 * self.files_done / self.files_total
            parts.append(f"{self.files_done}/{self.files_total} files ({pct:.0f}%)")
            parts.append(f"{self.documents} documents, {self.rate:.1f} docs/s")
            if self.eta is not None:
                parts.append(f"ETA {_clock(self.eta)}")
        parts.append(f"elapsed {_clock(self.elapsed)}")
        return "  ".join(parts)


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class Progress:
    """Shared state of one run; every method is cheap and safe from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._work_started: Optional[float] = None
        self._stage = "starting"
        self._done = self._total = self._docs = 0

    def stage(self, label: str) -> None:
        with self._lock:
            self._stage = label

    def files(self, total: int) -> None:
        """The number of files this run processes; the clock for the rate starts here."""
        with self._lock:
            self._total, self._done, self._docs = total, 0, 0
            self._work_started = time.monotonic()

    def advance(self, files: int, documents: int) -> None:
        with self._lock:
            self._done += files
            self._docs += documents

    def snapshot(self) -> Snapshot:
        with self._lock:
            now = time.monotonic()
            work = now - self._work_started if self._work_started is not None else 0.0
            rate = self._docs / work if work > 0 else 0.0
            eta = None
            if self._total and self._done and work > 0:
                eta = (self._total - self._done) * work / self._done
            return Snapshot(self._stage, self._done, self._total, self._docs, now - self._started, rate, eta)


class ProgressPrinter:
    """Shows a ``Progress`` on ``stream`` from a background thread until ``close()``.

    On a terminal: one line, redrawn every ``tick`` seconds and erased at the end.
    Elsewhere (a log file, CI): a line every ``log_every`` seconds.
    """

    def __init__(self, progress: Progress, stream: TextIO = sys.stderr, tick: float = 1.0,
                 log_every: float = 10.0, terminal: Optional[bool] = None):
        self.progress, self.stream = progress, stream
        self.terminal = stream.isatty() if terminal is None else terminal
        self.interval = tick if self.terminal else log_every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="winnow-progress", daemon=True)
        self._width = 0
        self._writing = threading.Lock()  # a message and the redrawn line never interleave

    def __enter__(self) -> "ProgressPrinter":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _loop(self) -> None:
        self._show()
        while not self._stop.wait(self.interval):
            self._show()

    def say(self, message: str) -> None:
        """A line of its own (``winnow: <message>``), above the redrawn progress line."""
        with self._writing:
            try:
                clear = "\r" + " " * self._width + "\r" if self.terminal and self._width else ""
                self.stream.write(f"{clear}winnow: {message}\n")
                self.stream.flush()
                self._width = 0
            except (OSError, ValueError):
                pass

    def _show(self) -> None:
        text = "winnow: " + self.progress.snapshot().line()
        with self._writing:
            self._write(text)

    def _write(self, text: str) -> None:
        try:
            if self.terminal:
                pad = max(0, self._width - len(text))
                self.stream.write("\r" + text + " " * pad)
                self._width = len(text)
            else:
                self.stream.write(text + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # the stream went away: stop showing, never fail the run
            self._stop.set()

    def close(self) -> None:
        if self._stop.is_set() and not self._thread.is_alive():
            return
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        if self.terminal and self._width:
            try:
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()
            except (OSError, ValueError):
                pass
