"""Writes deploy/replication/*.ldif: the production replication of the directory (two providers on
their own hosts, one read-only consumer beside the mail server), from the same code that starts the
scaled stack (scripts/dev/slapd.py). tests/scripts/test_replication_files.py checks they are current.

    python scripts/dev/replication_examples.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from scripts.dev import slapd  # noqa: E402

HOSTS = ["ldaps://ldap1.quangtri.gov.vn", "ldaps://ldap2.quangtri.gov.vn", "ldaps://ldap-mail.quangtri.gov.vn"]
NAMES = ["ldap1.ldif", "ldap2.ldif", "ldap-mail.ldif"]


def examples() -> dict[str, str]:
    out = {}
    for i, name in enumerate(NAMES):
        provider = i < 2
        c = slapd.SlapdConfig(directory="/var/lib/ldap", port=636, server_id=i + 1, provider=provider,
                              replicate_from=[u for j, u in enumerate(HOSTS[:2]) if j != i],
                              replicator_password="<the replicator's password>",
                              replication_tls_ca="/etc/ldap/tls/ca.pem", seed=False)
        out[name] = slapd.replication_change_ldif(c)
    return out


def main() -> None:
    target = ROOT / "deploy" / "replication"
    target.mkdir(exist_ok=True)
    for name, text in examples().items():
        (target / name).write_text(text, encoding="utf-8")
        print(f"wrote {target / name}")


if __name__ == "__main__":
    main()
