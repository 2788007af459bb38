"""Keep Prefect self-contained: its state inside the project, quiet, no phoning home.

Must run before ``prefect`` is imported (Prefect reads its settings at import).
Values already in the environment win, so a user can still point
``PREFECT_API_URL`` at a real server or turn logging up — except telemetry:
winnow sends nothing anywhere, so every process it starts (the flow, a local
Prefect server, served runs, Dask workers: they inherit this environment) has
Prefect's anonymous usage telemetry turned off.
"""

from __future__ import annotations

import os
from pathlib import Path

from winnow.settings import Settings, check_writable

# Prefect 3 telemetry switches (prefect/_internal/analytics, prefect/settings):
# DO_NOT_TRACK stops the SDK's events and its $PREFECT_HOME/.sdk_telemetry/ files and notice;
# PREFECT_SERVER_ANALYTICS_ENABLED the server's; the last one Prefect Cloud's orchestration telemetry.
TELEMETRY_OFF = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
}

# Set by `winnow serve` and the CLI for the flow: the Prefect UI's address when a UI exists,
# and whether each run says one line on stderr (`winnow serve` streams its runs' output).
ENV_UI = "WINNOW_PREFECT_UI"
ENV_ANNOUNCE = "WINNOW_ANNOUNCE_RUNS"
ENV_SERVE_PID = "WINNOW_SERVE_PID"  # the `winnow serve` whose runner started this flow run


def configure_prefect(settings: Settings, verbose: bool = False) -> Path:
    defaults = {
        "PREFECT_HOME": str(Path(settings.flow.prefect_home).absolute()),
        # the temporary API server needs ~9-15 s here, more under load: don't fail at 20 s
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
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
    os.environ.update(TELEMETRY_OFF)
    # a PREFECT_HOME set by the user wins; unwritable, it is a one-line error before Prefect starts
    return check_writable(os.environ["PREFECT_HOME"], "[flow] prefect_home (PREFECT_HOME)")


def external_api_url() -> str | None:
    """The Prefect server the user pointed winnow at, if any (read before winnow starts one)."""
    return os.environ.get("PREFECT_API_URL") or None


def ui_url(api_url: str | None) -> str | None:
    """The Prefect UI that goes with an API URL (``PREFECT_UI_URL`` when set)."""
    if os.environ.get("PREFECT_UI_URL"):
        return os.environ["PREFECT_UI_URL"].rstrip("/")
    if not api_url:
        return None
    return api_url.rstrip("/").removesuffix("/api")
