"""deploy/replication/ is what the scaled stack runs (scripts/dev/slapd.py), written out for hosts:
regenerate it with `python scripts/dev/replication_examples.py` when slapd.py's replication changes."""

from __future__ import annotations

from pathlib import Path

from scripts.dev import replication_examples

DEPLOY = Path(__file__).resolve().parent.parent.parent / "deploy" / "replication"


def test_deploy_replication_files_are_generated_from_the_stack_code():
    for name, text in replication_examples.examples().items():
        assert (DEPLOY / name).read_text(encoding="utf-8") == text, f"deploy/replication/{name} is stale"


def test_replication_between_hosts_checks_the_peer_certificate():
    for name, text in replication_examples.examples().items():
        for line in text.splitlines():
            if line.startswith("olcSyncrepl:"):
                assert "tls_reqcert=demand" in line and "provider=ldaps://" in line, (name, line)
