"""Keep Prefect self-contained: its state inside the project, quiet, no phoning home.

Must run before ``prefect`` is imported (Prefect reads its settings at import).
Values already in the environment win, so a user can still point
``PREFECT_API_URL`` at a real server or turn logging up.
"""

from __future__ import annotations

import os
from pathlib import Path

from winnow.settings import Settings, check_writable


def configure_prefect(settings: Settings, verbose: bool = False) -> Path:
    defaults = {
        "PREFECT_HOME": str(Path(settings.flow.prefect_home).absolute()),
        # the temporary API server needs ~9-15 s here, more under load: don't fail at 20 s
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
        "PREFECT_UI_ENABLED": "false",
        # logs reach the Prefect API (and UI) at INFO; the terminal shows them only with --verbose,
        # so a failed run ends with winnow's one-line message, not Prefect's traceback
        "PREFECT_LOGGING_LEVEL": "INFO",
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "INFO" if verbose else "CRITICAL",
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
        # SQLite under a burst of task runs: wait for the lock instead of failing
        "PREFECT_API_DATABASE_TIMEOUT": "60",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    # a PREFECT_HOME set by the user wins; unwritable, it is a one-line error before Prefect starts
    return check_writable(os.environ["PREFECT_HOME"], "[flow] prefect_home (PREFECT_HOME)")
