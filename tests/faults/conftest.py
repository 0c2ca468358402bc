"""The scaled stack for the fault tests (issue 13, security-bar C-01..C-20): started once per session,
only when a test asks for `scaled_stack`; every part a separate process (scripts/dev/scaled.py).
Each test leaves it running and healthy for the next."""

from __future__ import annotations

import http.client
import json
import time

import pytest

from scripts.dev import scaled


class Faults:
    """The stack plus the calls the tests make on it."""

    def __init__(self, stack: scaled.ScaledStack):
        self.stack = stack

    def run(self, call: str, timeout: float = 300) -> object:
        """`call` is an expression on tests.faults.driver (as `d`), evaluated inside the stack."""
        return self.stack.python(f"from tests.faults import driver as d\nresult = {call}", timeout=timeout)

    def healthz(self) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.stack.web_port, timeout=30)
        conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
        r = conn.getresponse()
        body = json.loads(r.read())
        conn.close()
        return r.status, body

    @property
    def urls(self) -> list[str]:
        return [c.url for c in self.stack.ldap]

    def root(self, index: int = 0) -> tuple[str, str, str]:
        c = self.stack.ldap[index]
        return c.url, c.root_dn, c.root_password

    def assert_zero_drift_everywhere(self) -> dict:
        self.stack.wait_replicated(timeout=120)
        self.run("d.wait_stores(120)")  # new mailboxes' stores: the mail server's part (C-12)
        drift = self.run(f"d.reconcile_each({self.urls!r})")
        assert all(d["total"] == 0 for d in drift.values()), drift
        return drift

    def restore(self) -> None:
        """Every slapd running (and resumed), the workers up."""
        import os
        import signal

        for i, p in enumerate(self.stack.ldap_procs):
            if p is None or p.poll() is not None:
                self.stack.ldap_procs[i] = None
                self.stack.slapd_start(i)
            else:
                os.kill(p.pid, signal.SIGCONT)
        self.stack.mail_start()
        if self.stack.web and (self.stack.web_proc is None or self.stack.web_proc.poll() is not None):
            self.stack.start_web()
        if len(self.stack.worker_procs) != 3 or any(p.poll() is not None for p in self.stack.worker_procs.values()):
            self.stack.start_workers(3)


@pytest.fixture(scope="session")
def scaled_stack():
    stack = scaled.temporary(workers=3, web=True, mail=True)
    faults = Faults(stack)
    try:
        faults.run("d.units()")
        faults.run("d.wait_applied()")
        yield faults
    finally:
        stack.close()


@pytest.fixture
def faults(scaled_stack):
    t = time.monotonic()
    yield scaled_stack
    scaled_stack.restore()
    print(f"(fault test took {time.monotonic() - t:.1f} s)")
