"""Prefect's API clients share one verified TLS context per process (winnow.prefect_tls)."""

from __future__ import annotations

import ssl
import subprocess
import sys

import certifi

from winnow.prefect_tls import SharedVerifiedContexts, share_client_tls_context


def _counting(monkeypatch) -> list:
    made = []
    real = ssl.create_default_context

    def counted(*args, **kwargs):
        made.append(kwargs.get("cafile"))
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counted)
    return made


def test_prefects_clients_load_the_ca_bundle_once_per_process(monkeypatch):
    """Each new Prefect client loaded the CA bundle into a new context (~15-18 CPU-ms; a worker makes
    two clients per task); now the first one does, and the rest reuse its context."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    assert share_client_tls_context()
    made = _counting(monkeypatch)
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:9/api"}):  # a server's address, as in a run
        for _ in range(3):
            get_client(sync_client=True)
            get_client()
    assert len(made) <= 1  # by the first of these clients, or by an earlier client of this process
    made.clear()
    shared = SharedVerifiedContexts(ssl)
    first = shared.create_default_context(cafile=certifi.where())
    assert shared.create_default_context(cafile=certifi.where()) is first
    assert made == [certifi.where()]
    assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname


def test_only_the_verified_context_is_shared(monkeypatch):
    """Prefect turns verification off in the context it makes for PREFECT_API_TLS_INSECURE_SKIP_VERIFY
    (no CA file given): that one is made anew each time, so it never reaches another client."""
    shared = SharedVerifiedContexts(ssl)
    made = _counting(monkeypatch)
    a, b = shared.create_default_context(), shared.create_default_context()
    assert a is not b and len(made) == 2
    a.check_hostname, a.verify_mode = False, ssl.CERT_NONE  # what Prefect does to it
    verified = shared.create_default_context(cafile=certifi.where())
    assert verified is not a and verified.verify_mode == ssl.CERT_REQUIRED
    assert shared.PROTOCOL_TLS_CLIENT == ssl.PROTOCOL_TLS_CLIENT  # the rest of the module as it is


def test_workers_and_a_runs_own_process_share_the_context(tmp_path):
    """The fork server's preload (every worker) and a run's start (its own process) install it."""
    code = ("import winnow.worker_preload, prefect.client.orchestration as c, winnow.prefect_tls as t; "
            "print(isinstance(c.ssl, t.SharedVerifiedContexts))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "True"
    code = ("import sys, dataclasses; from winnow.settings import Settings; from winnow.prefect_env import "
            "configure_prefect; s = Settings(); s = dataclasses.replace(s, warehouse=dataclasses.replace("
            "s.warehouse, db=sys.argv[1]), flow=dataclasses.replace(s.flow, prefect_home=sys.argv[2], workers=1)); "
            "configure_prefect(s); from winnow.ingest import run_ingest; "
            "run_ingest([sys.argv[3]], s, export=False); import prefect.client.orchestration as c, "
            "winnow.prefect_tls as t; print(isinstance(c.ssl, t.SharedVerifiedContexts))")
    page = tmp_path / "in" / "page.txt"
    page.parent.mkdir()
    page.write_text("A title\n\n" + "The council met on Tuesday to discuss the budget of the city. " * 20 + "\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "w.duckdb"), str(tmp_path / "prefect"),
                          str(page.parent)], capture_output=True, text=True, check=True).stdout.strip()
    assert out.splitlines()[-1] == "True"
