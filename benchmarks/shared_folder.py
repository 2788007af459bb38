"""Where the benchmarks find the shared material folder (seeds, eval/aeb-dev, eval/wceb-dev, ...).

One answer for every script, wherever it runs from (the main checkout or a git worktree):

1. ``$WINNOW_SHARED``, when set;
2. a ``shared/`` folder beside the repository: beside this checkout, or beside the main
   checkout when this is a git worktree (``git rev-parse --git-common-dir``);
3. ``/work/shared``, when it exists.

When none exists, the answer is the folder of 2. beside this checkout, so a script's
"not found" message names the place to put it (or says to set ``WINNOW_SHARED``).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent
ENV = "WINNOW_SHARED"
FALLBACK = Path("/work/shared")


def main_checkout(root: Path) -> Optional[Path]:
    """The main checkout of the repository ``root`` belongs to (itself unless ``root`` is a worktree)."""
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--path-format=absolute", "--git-common-dir"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    common = out.stdout.strip()
    return Path(common).parent if out.returncode == 0 and common else None


def shared_dir(root: Path = ROOT, env: Mapping[str, str] = os.environ) -> Path:
    if env.get(ENV):
        return Path(env[ENV]).expanduser()
    candidates = [root.parent / "shared"]
    main = main_checkout(root)
    if main is not None and main.resolve() != root.resolve():
        candidates.append(main.parent / "shared")
    candidates.append(FALLBACK)
    return next((c for c in candidates if c.is_dir()), candidates[0])


SHARED = shared_dir()
EVAL = SHARED / "eval"
