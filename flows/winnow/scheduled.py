"""The flow that scheduled and deployed runs start: the ingest flow on all cores.

A deployment (``winnow serve``, ``prefect deploy`` with ``prefect.yaml``) runs its flow with
the task runner fixed where the flow is defined: for ``winnow-ingest`` that is Prefect's
default thread runner, one core. This flow reads the run's settings, builds the task runner
``winnow ingest`` uses (``[flow] runner``/``workers``: a process pool of one worker per core by
default) and runs ``winnow-ingest`` with it as a subflow. Both are Prefect flow runs in the
UI; the ingest run holds the tasks, their logs and the run-summary artifacts.

Call ``winnow.prefect_env.configure_prefect`` before importing this module.
"""

from __future__ import annotations

import os
import signal
from typing import Optional

from prefect import flow, get_run_logger

from winnow.flow import ingest_flow
from winnow.prefect_env import ENV_SERVE_PID
from winnow.settings import Settings, load_settings, settings_from_mapping
from winnow.startup import die_with_parent, running, task_runner_for


@flow(name="winnow-scheduled-ingest", validate_parameters=False, log_prints=False)
def scheduled_ingest(inputs: Optional[list[str]] = None, config: Optional[str] = None,
                     settings: Settings | dict | None = None, export: bool = True) -> dict:
    """Run ``winnow-ingest`` on ``[flow] runner``/``workers`` (the parameters are ``ingest_flow``'s)."""
    cfg: Settings = (settings if isinstance(settings, Settings)
                     else settings_from_mapping(settings, source="flow parameters") if settings is not None
                     else load_settings(config))
    if os.environ.get(ENV_SERVE_PID) == str(os.getppid()):
        # started by `winnow serve`'s runner: a kill -9 of serve ends this run too. SIGKILL, as
        # Prefect's SIGTERM handler would try to report to the server that died with serve; the
        # warehouse is safe against a kill -9 (one transaction per batch), the next run finishes
        die_with_parent(signal.SIGKILL)
    logger = get_run_logger()
    with running(task_runner_for(cfg)) as task_runner:
        result = ingest_flow.with_options(task_runner=task_runner)(inputs=inputs, settings=cfg, export=export)
        pids = task_runner.pids() if hasattr(task_runner, "pids") else []
        logger.info("task runner %s; worker processes %s; flow process %d", type(task_runner).__name__,
                    ", ".join(map(str, pids)) or "none", os.getpid())
    return result
