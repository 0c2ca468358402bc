"""10,000 people from one XLSX, end to end (rows validated, SQL written, every LDAP entry present
with its mail attributes), against `ldapadd` of an LDIF of the same entries into a fresh slapd of
the same configuration. Prints both throughputs and their ratio.

    python bench/import_10k.py [N] [--nosync] [--smoke] [--engine=sqlite|postgres]

The default slapd configuration is the one `make run` uses (olcDbNoSync FALSE: fsync per write,
as in production); --nosync measures the throw-away configuration the tests use."""

from __future__ import annotations

import subprocess
import sys
import time

from common import Stack, load_demo_units, run_per_engine, size, write_xlsx

N = size(10000, smoke=20)
NOSYNC = "--nosync" in sys.argv


def main() -> None:
    stack = Stack(nosync=NOSYNC, worker=True)
    try:
        from directory import gateway
        from provisioning.imports import services as imports
        from provisioning.outbox.services import directory_changes_drain
        from provisioning.reconcile.services import compare
        from scripts.dev import ldap_testing as testing
        from scripts.dev import slapd

        codes = load_demo_units()
        directory_changes_drain()
        xlsx = stack.tmp / "staff.xlsx"
        write_xlsx(xlsx, N, codes)

        t0 = time.perf_counter()
        with open(xlsx, "rb") as f:
            batch = imports.import_create(actor=None, fileobj=f, filename="staff.xlsx", scope=None)
        batch = imports.import_validate(batch.pk)
        t1 = time.perf_counter()
        batch = imports.import_commit(batch.pk)  # the worker applies each committed chunk meanwhile
        t2 = time.perf_counter()
        from provisioning.outbox.models import DirectoryChange

        while DirectoryChange.objects.exclude(status="applied").exists():
            stack.check_worker()
            time.sleep(0.05)
        t3 = time.perf_counter()
        assert batch.created == N, (batch.created, batch.rejected, batch.failed)
        with_mail = [p for p in gateway.people_find() if p.mail]
        assert len(with_mail) == N, len(with_mail)
        assert compare().total == 0
        ours = N / (t3 - t0)

        # the baseline: ldapadd of the same entries (with their units) into a fresh slapd
        ldif = stack.tmp / "people.ldif"
        dump = subprocess.run(["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", stack.slapd_cfg.url,
                               "-D", stack.slapd_cfg.root_dn, "-w", stack.slapd_cfg.root_password,
                               "-b", f"ou=people,{stack.slapd_cfg.base_dn}", "-s", "one", "(uid=*)",
                               "*"], capture_output=True, text=True, check=True).stdout
        ldif.write_text(dump)
        units_ldif = stack.tmp / "units.ldif"
        units_ldif.write_text(subprocess.run(
            ["ldapsearch", "-x", "-LLL", "-o", "ldif-wrap=no", "-H", stack.slapd_cfg.url, "-D",
             stack.slapd_cfg.root_dn, "-w", stack.slapd_cfg.root_password, "-b", f"ou=units,{stack.slapd_cfg.base_dn}",
             "(objectClass=vnOrgUnit)", "*"], capture_output=True, text=True, check=True).stdout)
        other = slapd.temporary(nosync=NOSYNC, root_password="bench-root-pw", idm_password="x", mail_password="y")
        slapd.prepare(other)
        proc = slapd.start(other)
        try:
            subprocess.run(["ldapadd", "-x", "-H", other.url, "-D", other.root_dn, "-w", other.root_password,
                            "-f", str(units_ldif)], check=True, capture_output=True)
            t = time.perf_counter()
            subprocess.run(["ldapadd", "-x", "-H", other.url, "-D", other.root_dn, "-w", other.root_password,
                            "-f", str(ldif)], check=True, capture_output=True)
            base = N / (time.perf_counter() - t)
            _bound, entries = testing.search_as(other, other.root_dn, other.root_password,
                                                f"ou=people,{other.base_dn}", "(uid=*)", ["1.1"])
            assert len(entries) == N
        finally:
            slapd.stop(proc)
        print(f"slapd olcDbNoSync={'TRUE' if NOSYNC else 'FALSE'}; {N} people")
        print(f"  idm import: validate {t1 - t0:.1f} s, commit to SQL {t2 - t1:.1f} s (the worker writes the "
              f"directory meanwhile), directory done {t3 - t2:.1f} s later")
        print(f"  idm total {t3 - t0:.1f} s = {ours:.0f} people/s")
        print(f"  ldapadd of the same entries: {N / base:.1f} s = {base:.0f} entries/s")
        print(f"  ratio idm/ldapadd = {ours / base:.2f} (target >= 0.5, aim 1.0)")
    finally:
        stack.close()


if __name__ == "__main__":
    run_per_engine(main)
