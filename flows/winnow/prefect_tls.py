"""One verified TLS context for all of Prefect's API clients in a process, not one per client.

Prefect builds a new API client for every task a worker process runs (two: one for the task's
context, one for its engine), and each new client loads the whole CA bundle into a new
``ssl.SSLContext`` (``ssl.create_default_context(cafile=certifi.where())``): about 15-18
CPU-ms each, about 35 ms of the ~70 CPU-ms that Prefect spends around each batch in a worker,
on the cores the pages are cleaned on, even though winnow's temporary server speaks plain HTTP
on the loopback and the context is never used. httpx recommends reusing one context; Prefect's
client takes one only as an argument its callers do not pass here.

``share_client_tls_context`` gives Prefect's client module (only it) a stand-in for the ``ssl``
module whose ``create_default_context`` returns one context per CA file for the process. Only
that verified context is shared: Prefect changes nothing in it after creating it, whereas the
context it makes for ``PREFECT_API_TLS_INSECURE_SKIP_VERIFY`` (no CA file, verification turned
off afterwards) is created anew each time, as before. A Prefect without that module or that
call is left as it is.
"""

from __future__ import annotations

import ssl
import threading
from types import ModuleType
from typing import Any


class SharedVerifiedContexts:
    """The ``ssl`` module, except that ``create_default_context(cafile=...)`` (nothing else given)
    returns the same context for the same purpose and CA file every time."""

    def __init__(self, module: ModuleType = ssl) -> None:
        self._ssl = module
        self._contexts: dict[tuple, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ssl, name)

    def create_default_context(self, purpose=ssl.Purpose.SERVER_AUTH, *, cafile=None, capath=None,
                               cadata=None) -> ssl.SSLContext:
        if cafile is None or capath is not None or cadata is not None:
            return self._ssl.create_default_context(purpose, cafile=cafile, capath=capath, cadata=cadata)
        key = (purpose, str(cafile))
        with self._lock:
            context = self._contexts.get(key)
            if context is None:
                context = self._contexts[key] = self._ssl.create_default_context(purpose, cafile=cafile)
            return context


def share_client_tls_context() -> bool:
    """Prefect's API clients in this process share one verified TLS context (see the module's
    docstring); True when Prefect's client module was found and now does."""
    try:
        import prefect.client.orchestration as clients
    except ImportError:
        return False
    current = getattr(clients, "ssl", None)
    if isinstance(current, SharedVerifiedContexts):
        return True
    if current is not ssl:  # not the module this was written against: leave it
        return False
    clients.ssl = SharedVerifiedContexts(ssl)
    return True
