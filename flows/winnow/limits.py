"""Per-page limits: a time limit on cleaning that works in any thread of any process.

DataTrove's extractors stop a page that takes too long with a timer signal; signals reach
only the main thread, and winnow cleans in worker threads (the thread runner, Dask) and in
worker processes alike. ``within(seconds, fn, *args)`` runs ``fn`` in the calling thread and,
if it is still running after ``seconds``, raises ``PageTimeout`` inside it from a timer thread
(CPython's ``PyThreadState_SetAsyncExc``). The exception lands at the next Python bytecode: a
single long call into C (one lxml parse) finishes first, then the page is stopped.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any, Callable


class PageTimeout(Exception):
    """Cleaning one page took longer than its limit."""


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = [ctypes.c_ulong, ctypes.py_object]
_clear_async_exc = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi))  # the same call with NULL: withdraw a pending one


def within(seconds: float, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, or PageTimeout once ``seconds`` have passed (no limit when ``seconds`` <= 0)."""
    if not seconds or seconds <= 0:
        return fn(*args)
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"running": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["running"]:
                state["fired"] = True
                _set_async_exc(target, PageTimeout)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    try:
        timer.start()
        try:
            return fn(*args)
        finally:
            with lock:
                state["running"] = False
            timer.cancel()
            if state["fired"]:  # raised but not delivered yet: withdraw it, it must not land later
                _clear_async_exc(target, None)
                raise PageTimeout(f"longer than {seconds} s")
    except PageTimeout:
        raise PageTimeout(f"longer than {seconds} s") from None
