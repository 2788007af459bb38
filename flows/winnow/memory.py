"""Peak memory of this process, step by step (Linux; elsewhere nothing is measured).

The kernel keeps a process's peak resident set (``VmHWM`` in ``/proc/self/status``); writing
``5`` to ``/proc/self/clear_refs`` resets it to the current resident set. ``meter`` resets the
peak when a step starts and reads it when the step ends, so each step's peak is exact (not
sampled) and includes what other threads of the process allocated meanwhile.
"""

from __future__ import annotations

import contextlib
from typing import Iterator


def status_kb(key: str, pid: int | str = "self") -> int | None:
    """A size of ``/proc/<pid>/status`` (``VmHWM``, ``VmRSS``...) in kB; None where it cannot be read
    (no such process, not Linux, or a process that has ended and whose memory is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def rss_mb() -> float | None:
    """The current resident set of this process, in MB (None where it cannot be read)."""
    kb = status_kb("VmRSS")
    return None if kb is None else kb / 1024


def peak_mb() -> float | None:
    """The peak resident set since the process started or the last ``reset_peak``, in MB."""
    kb = status_kb("VmHWM")
    return None if kb is None else kb / 1024


def reset_peak() -> bool:
    """Reset the peak to the current resident set; False where the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


@contextlib.contextmanager
def meter(peaks: dict[str, float], step: str) -> Iterator[None]:
    """Record in ``peaks[step]`` the highest peak resident set (MB) of the blocks metered as ``step``.

    Blocks must not nest (each resets the process's peak). Where the peak cannot be reset, the
    resident set at the end of the block is recorded instead.
    """
    exact = reset_peak()
    try:
        yield
    finally:
        mb = peak_mb() if exact else rss_mb()
        if mb is not None:
            peaks[step] = max(peaks.get(step, 0.0), round(mb, 1))


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """The objects that exist now (the imported modules of Prefect, DuckDB, the flow) left out of
    the cyclic garbage collector for the duration of the block (``gc.freeze``), then handed back to
    it (``gc.unfreeze``): every full collection during a run otherwise walks all of them again
    while the batches' records are unpickled and loaded. Nested blocks leave the freeze to the
    outermost one; objects that become garbage while frozen are freed by reference counting as
    usual, only cycles among them wait for the unfreeze."""
    import gc

    if gc.get_freeze_count():  # an outer block (or the process) froze the heap already
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
