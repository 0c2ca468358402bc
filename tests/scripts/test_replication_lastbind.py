"""lastbind (when an application last bound, provisioning/applications) on the replicated directory:
the overlay runs on the providers and the embedded single server, not on the read-only consumer."""

from __future__ import annotations

import time

import pytest

from directory import admin
from directory.passwords import hash_password
from scripts.dev import slapd


@pytest.fixture
def replicated(tmp_path):
    configs = slapd.replicated_set(str(tmp_path), providers=2, consumers=1, nosync=True, lastbind_precision=1)
    for c in configs:
        slapd.prepare(c)
    procs = [slapd.start(c) for c in configs]
    try:
        slapd.wait_in_sync(configs)
        yield configs
    finally:
        for p in procs:
            slapd.stop(p)


def _auth_timestamps(configs, dn: str) -> list[str | None]:
    out = []
    for c in configs:
        found = admin.dump(c.url, c.root_dn, c.root_password, dn, attributes=("authTimestamp",))
        out.append((found[dn].get("authTimestamp") or [None])[0])
    return out


def test_a_bind_on_either_provider_is_recorded_and_replicated_and_the_consumer_keeps_replicating(replicated):
    """The providers' lastbind writes authTimestamp and replicates it (multi-provider); the consumer has no
    overlay but must know the attribute (its module loaded), or its syncrepl stops at the first entry that
    carries one (undefinedAttributeType: the replicator's own bind writes one at start-up)."""
    first, second, consumer = replicated
    app = f"cn=lastbind-app,{first.applications_dn}"
    admin.add_as(first.url, first.root_dn, first.root_password, app, ["applicationProcess", "simpleSecurityObject"],
                 {"cn": "lastbind-app", "userPassword": hash_password("app-secret-1")})
    slapd.wait_in_sync(replicated)
    assert _auth_timestamps(replicated, app) == [None, None, None]

    assert admin.answers(second.url, app, "app-secret-1")
    slapd.wait_in_sync(replicated)
    on_second = _auth_timestamps(replicated, app)
    assert on_second[0] is not None and on_second == [on_second[0]] * 3, on_second

    time.sleep(1.1)  # past the precision: the consumer's bind would be recorded if it had the overlay
    assert admin.answers(consumer.url, app, "app-secret-1")
    time.sleep(0.5)
    assert _auth_timestamps(replicated, app) == on_second

    assert admin.answers(first.url, app, "app-secret-1")
    slapd.wait_in_sync(replicated)
    on_first = _auth_timestamps(replicated, app)
    assert on_first[0] > on_second[0] and on_first == [on_first[0]] * 3, on_first
