"""Per-page limits: a time limit on cleaning that works in any thread of any process.

DataTrove's extractors stop a page that takes too long with a timer signal; signals reach
only the main thread, and winnow cleans in worker threads (the thread runner, Dask) and in
worker processes alike. ``within(seconds, fn, *args)`` runs ``fn`` in the calling thread and,
if it is still running after ``seconds``, raises ``PageTimeout`` inside it from a watchdog
thread (CPython's ``PyThreadState_SetAsyncExc``). The exception lands at the next Python
bytecode: a single long call into C (one lxml parse) finishes first, then the page is stopped.

The stop can only land inside ``within``: each page is armed with a token of its own, and
the watchdog raises only into a page still armed, under the same lock with which the page
disarms; disarming a page whose stop was raised but not delivered yet withdraws it. A stop
swallowed where it landed (a destructor, a library's ``except Exception``) is raised again
every ``RETRY_SECONDS`` while the page runs, and the interpreter's report of the swallowed one
("Exception ignored in ... __del__" and a traceback on stderr) is not printed: the stop is not
lost, the page ends as a ``timeout`` rejection all the same. One
watchdog thread per process serves every page (no thread started per page: a stop that
fired while ``Thread.start`` was still running landed inside ``threading`` and corrupted it).
"""

from __future__ import annotations

import ctypes
import itertools
import os
import sys
import threading
import time
from typing import Any, Callable


class PageTimeout(Exception):
    """Cleaning one page took longer than its limit."""


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = [ctypes.c_ulong, ctypes.py_object]
_clear_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi))  # the same call with NULL: withdraw a pending one


class _Page:
    __slots__ = ("thread", "deadline", "fired")

    def __init__(self, thread: int, deadline: float):
        self.thread, self.deadline, self.fired = thread, deadline, False


# A stop can be swallowed where it lands (a destructor, a library's ``except Exception``):
# while the page is still armed it is raised again this often.
RETRY_SECONDS = 0.25


_lock = threading.Lock()
_wake = threading.Condition(_lock)
_armed: dict[int, _Page] = {}  # token -> page being cleaned under a limit
_tokens = itertools.count(1)
_watchdog_pid: int | None = None  # the process whose watchdog runs (a forked child needs its own)
_next_wake = float("inf")  # when the watchdog wakes next: a page due earlier wakes it, others do not


def _quiet_swallowed_stops(previous: Callable[[Any], object]) -> Callable[[Any], object]:
    """An unraisable-exception hook that drops the stops swallowed by a destructor (they are raised
    again, see ``RETRY_SECONDS``) and hands everything else to ``previous``."""

    def hook(unraisable: Any) -> None:
        if unraisable.exc_type is PageTimeout:
            return
        previous(unraisable)

    return hook


sys.unraisablehook = _quiet_swallowed_stops(sys.unraisablehook)


def _watch() -> None:
    global _next_wake
    with _lock:
        while True:
            now = time.monotonic()
            for page in _armed.values():
                if page.deadline <= now:
                    page.fired = True
                    page.deadline = now + RETRY_SECONDS  # still armed then: the stop was swallowed
                    _set_async_exc(page.thread, PageTimeout)
            _next_wake = min((p.deadline for p in _armed.values()), default=float("inf"))
            _wake.wait(None if _next_wake == float("inf") else max(0.0, _next_wake - now))


def _arm(seconds: float) -> int:
    global _watchdog_pid, _next_wake
    with _lock:
        if _watchdog_pid != os.getpid():
            _armed.clear()  # pages of the parent process, before a fork
            _next_wake = float("inf")
            threading.Thread(target=_watch, name="winnow-page-timeout", daemon=True).start()
            _watchdog_pid = os.getpid()
        token = next(_tokens)
        page = _Page(threading.get_ident(), time.monotonic() + seconds)
        _armed[token] = page
        if page.deadline < _next_wake:  # waking the watchdog for every page would cost a thread switch each
            _wake.notify()
        return token


def _disarm(token: int) -> bool:
    """Disarm a page; True when its stop was raised (a stop not delivered yet is withdrawn)."""
    with _lock:
        page = _armed.pop(token, None)
        if page is None:
            return True  # disarmed already, after its stop landed
        if page.fired:
            _clear_async_exc(page.thread, None)
        return page.fired


def within(seconds: float, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, or PageTimeout once ``seconds`` have passed (no limit when ``seconds`` <= 0)."""
    if not seconds or seconds <= 0:
        return fn(*args)
    token = _arm(seconds)
    try:
        try:
            result = fn(*args)
        except BaseException:
            if _disarm(token):
                raise PageTimeout(f"longer than {seconds} s") from None
            raise
        if _disarm(token):  # it fired as the page finished: the limit was passed all the same
            raise PageTimeout(f"longer than {seconds} s")
        return result
    except PageTimeout:  # delivered before the disarm took the lock: disarm (again: it is idempotent)
        _disarm(token)
        raise PageTimeout(f"longer than {seconds} s") from None
