"""What an Argon2id check costs on this machine, for the parameters OWASP's Password Storage Cheat Sheet
lists as equivalent (m=47104 t=1, m=19456 t=2, m=12288 t=3 …) and p=2: slapd's bind (what a login pays)
and passlib's hash (what a password change pays), one at a time and four at once. It is how the
parameters in directory/passwords.py were chosen: the cheapest that PW-13 accepts (m >= 19 MiB, t >= 2).

    python bench/argon2_params.py [ROUNDS] [--smoke]

No database is involved, so it runs once (not per engine): a private slapd with one entry per setting."""

from __future__ import annotations

import statistics
import sys
import threading
import time

from common import SMOKE, size

ROUNDS = size(30, smoke=3)
PASSWORD = "cay tre xanh ben bo song"
# (m KiB, t, p, why it is listed)
CANDIDATES = [
    (19456, 2, 1, "OWASP m=19 MiB t=2; PW-13's minimum: chosen"),
    (47104, 1, 1, "OWASP m=46 MiB t=1; refused by PW-13 (t < 2)"),
    (12288, 3, 1, "OWASP m=12 MiB t=3; refused by PW-13 (m < 19 MiB)"),
    (19456, 2, 2, "as chosen, two lanes"),
    (65536, 3, 4, "RFC 9106's second recommendation (64 MiB)"),
]


def main() -> None:
    from passlib.hash import argon2

    from directory import admin
    from directory.passwords import MEMORY_KIB, PARALLELISM, TIME_COST
    from scripts.dev import ldap_testing, slapd

    cfg = slapd.temporary(nosync=True, root_password="bench-root-pw", idm_password="bench-idm-pw",
                          mail_password="bench-mail-pw")
    slapd.prepare(cfg)
    proc = slapd.start(cfg)
    try:
        rows = []
        for i, (m, t, p, why) in enumerate(CANDIDATES):
            hasher = argon2.using(type="ID", memory_cost=m, time_cost=t, parallelism=p)
            dn = f"uid=argon{i},ou=people,{cfg.base_dn}"
            ldap_testing.add_as_root(cfg, dn, ["inetOrgPerson"], {
                "uid": f"argon{i}", "cn": "Argon", "sn": "Argon", "userPassword": "{ARGON2}" + hasher.hash(PASSWORD)})
            binds, hashes = [], []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                assert admin.bind_result(cfg.url, dn, PASSWORD) == 0
                binds.append(time.perf_counter() - started)
                started = time.perf_counter()
                hasher.hash(PASSWORD)
                hashes.append(time.perf_counter() - started)
            rows.append((m, t, p, why, statistics.median(binds) * 1000, statistics.median(hashes) * 1000,
                         concurrent_binds(cfg.url, dn)))
        print(f"{ROUNDS} rounds each, one at a time (medians); then 4 clients binding at once (both cores busy)")
        print(f"{'m KiB':>6} {'t':>2} {'p':>2} | {'slapd bind':>10} | {'passlib hash':>12} | "
              f"{'binds/s, 4 at once':>18} | why")
        for m, t, p, why, bind, hashed, per_second in rows:
            print(f"{m:>6} {t:>2} {p:>2} | {bind:7.1f} ms | {hashed:9.1f} ms | {per_second:18.1f} | {why}")
        chosen = next(r for r in rows if (r[0], r[1], r[2]) == (MEMORY_KIB, TIME_COST, PARALLELISM))
        print(f"chosen argon2id m={MEMORY_KIB} KiB, t={TIME_COST}, p={PARALLELISM}: one slapd bind {chosen[4]:.1f} ms, "
              f"{chosen[6]:.0f} binds/s on this machine (target < 100 ms for a whole login at p95, this bind included)")
    finally:
        slapd.stop(proc)
        import shutil

        shutil.rmtree(cfg.directory, ignore_errors=True)


def concurrent_binds(url: str, dn: str, clients: int = 4) -> float:
    from directory import admin

    seconds = 0.5 if SMOKE else 2.0
    done = [0] * clients
    end = time.perf_counter() + seconds

    def run(i: int) -> None:
        while time.perf_counter() < end:
            assert admin.bind_result(url, dn, PASSWORD) == 0
            done[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


if __name__ == "__main__":
    sys.exit(main())
