"""What every worker process needs, loaded once by the fork server that forks the workers.

``winnow.startup`` has multiprocessing's fork server import this module before it forks the
worker processes of a run, so each worker starts with it in memory instead of loading it
itself: Prefect and the flow's tasks, the pipeline and its cleaners (about 1.8 CPU-seconds
of imports), and what the cleaners load on their first page: langdetect's language profiles,
the text cleaner's line model, trafilatura's and htmldate's first-use set-up, pyarrow's first
conversion of Python objects, which imports pandas (``winnow.storage.tables``) (about
0.7 CPU-seconds more), and Prefect's collections (the ``prefect.collections`` entry points,
prefect-dask and the dask it imports: about 0.3 CPU-seconds, which Prefect otherwise loads in
each worker when its first task's context is rebuilt). Importing this module does that work;
nothing else imports it.

Everything loaded here then stays for the worker's life, so it is frozen out of the cyclic
garbage collector (``gc.freeze``): a worker's collections no longer walk the hundreds of
thousands of objects of Prefect and the cleaners' tables on every pass (about 2% of a
worker's CPU, measured on batches of the throughput corpus), and the forked workers do not
copy the pages the collector would otherwise touch.

No thread may be left running here (a forked child has only the thread that forked it):
the pages are cleaned without ``winnow.limits`` (whose watchdog is a thread).
"""

from __future__ import annotations

import gc
import os

import winnow.flow  # noqa: F401
from winnow.clean import clean_html, clean_text_dump
from winnow.language import detect_language
from winnow.prefect_tls import share_client_tls_context
from winnow.settings import Settings
from winnow.storage.tables import batch_tables

_PARAGRAPH = ("The council met on Tuesday to discuss the new budget for the city's schools and parks, "
              "and members agreed to publish the full report next month. ")


def warm_up() -> None:
    try:  # cached for the process: what a worker's first task would load (a private API of Prefect's:
        from prefect._internal.plugins.collections import load_prefect_collections  # without it, as before)
    except ImportError:
        pass
    else:
        load_prefect_collections()
    share_client_tls_context()  # Prefect's two new API clients per task: one CA bundle load for the worker
    settings = Settings()
    clean_text_dump(f"A title for the page\n\n{_PARAGRAPH * 4}\n\nPublished 12 March 2021\n")
    clean_html(f"<html><head><title>A title</title></head><body><article><h1>A title</h1>"
               f"<p>Published 12 March 2021</p><p>{_PARAGRAPH * 4}</p></article></body></html>", settings.clean)
    detect_language(_PARAGRAPH * 2, settings.language)
    batch_tables([], [])  # a worker tabulates its batches: pyarrow's first conversion imports pandas (0.1-0.2 CPU-s)


warm_up()
gc.collect()  # what the imports left as garbage goes first; the rest is permanent for the worker
gc.freeze()
LOADED_BY = os.getpid()  # the process that did all this: the fork server, for a forked worker
