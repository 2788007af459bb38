"""Import another checkout's winnow in this process (for scripts that compare revisions side by side)."""

from __future__ import annotations

import sys
from pathlib import Path


def use_winnow_of(checkout: str | Path):
    """Forget the winnow modules imported so far and import ``checkout``'s (a directory holding a
    ``flows/winnow``, e.g. a ``git worktree`` of another revision); fails if another one is found."""
    for name in [m for m in sys.modules if m == "winnow" or m.startswith("winnow.")]:
        del sys.modules[name]
    sys.path.insert(0, str(Path(checkout) / "flows"))
    import winnow

    if not Path(winnow.__file__).resolve().is_relative_to(Path(checkout).resolve()):
        raise RuntimeError(f"{checkout}: imported {winnow.__file__} instead")
    return winnow
