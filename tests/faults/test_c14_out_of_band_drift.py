"""C-14: someone changes the directory behind idm's back with ldapmodify on one provider: a mail
address changed, a person deleted, an unknown entry added. The change replicates; reconcile reports
each on every replica; repair restores what SQL owns and re-creates the deleted person, and leaves
the unknown entry alone (no --delete-extra)."""

from __future__ import annotations

import subprocess

import pytest

pytestmark = pytest.mark.faults


def _ldif(faults, text: str, tool: str = "ldapmodify") -> None:
    url, root_dn, root_pw = faults.root(1)  # the second provider: drift can come in anywhere
    r = subprocess.run([tool, "-x", "-H", url, "-D", root_dn, "-w", root_pw], input=text, text=True,
                       capture_output=True)
    assert r.returncode == 0, r.stderr


def test_c14_ldapmodify_drift_is_reported_on_every_replica_and_repaired(faults):
    faults.run("d.onboard('C14', 3)")
    faults.run("d.wait_applied()")
    changed, deleted, _kept = faults.run("d.first_uids('C14', 3)")
    base = faults.stack.ldap[0].base_dn
    _ldif(faults, f"dn: uid={changed},ou=people,{base}\nchangetype: modify\nreplace: mail\n"
                  f"mail: hacked-{changed}@example.org\n\n"
                  f"dn: uid={deleted},ou=people,{base}\nchangetype: delete\n\n"
                  f"dn: uid=c14outsider,ou=people,{base}\nchangetype: add\nobjectClass: inetOrgPerson\n"
                  f"objectClass: vnCivilServant\nuid: c14outsider\ncn: Outsider\nsn: Outsider\n")
    faults.stack.wait_replicated()
    try:
        drift = faults.run(f"d.reconcile_each({faults.urls!r})")
        for url, d in drift.items():
            assert d["total"] == 3, (url, d)
            assert list(d["differing"]) == [changed] and d["missing"] == [deleted] and d["extra"] == ["c14outsider"]
        providers = [c.url for c in faults.stack.providers]
        assert faults.run(f"d.repair_from({providers!r})")["repaired"] == 3
        faults.stack.wait_replicated()
        after = faults.run(f"d.reconcile_each({faults.urls!r})")
        for url, d in after.items():  # only the unknown entry is left, untouched
            assert d["total"] == 1 and d["extra"] == ["c14outsider"], (url, d)
    finally:
        _ldif(faults, f"dn: uid=c14outsider,ou=people,{base}\nchangetype: delete\n")
    faults.assert_zero_drift_everywhere()
