"""The Argon2 cost parameters are one setting: passlib's (directory/passwords.py) and slapd's argon2 module
(scripts/dev/slapd.py, the reference configuration) make values with the same m, t and p."""

from __future__ import annotations

import re

import pytest

from directory import gateway
from directory.entries import PersonEntry
from directory.passwords import MEMORY_KIB, PARALLELISM, TIME_COST, hash_password
from scripts.dev import ldap_testing as testing

pytestmark = pytest.mark.django_db
PARAMS = re.compile(r"^\{ARGON2\}\$(argon2i|argon2id)\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")


def test_idm_hashes_argon2id_with_its_cost_parameters():
    variant, m, t, p = PARAMS.match(hash_password("cay tre xanh ben bo song")).groups()
    assert (variant, int(m), int(t), int(p)) == ("argon2id", MEMORY_KIB, TIME_COST, PARALLELISM)


def test_slapds_argon2_module_hashes_with_the_same_cost_parameters_as_idm(slapd_config):
    # a cleartext value written straight to slapd (only the rootdn may) is hashed by slapd's own module
    gateway.person_put(PersonEntry(uid="hoangnt", family_name="Nguyễn", middle_name="Tiến", given_name="Hoàng",
                                   employee_code="E00001", status="active", position="Chuyên viên"))
    dn = gateway.person_dn("hoangnt")
    assert testing.modify_as(slapd_config, slapd_config.root_dn, slapd_config.root_password, dn, "userPassword",
                             ["mat khau chua bam cua quan tri"]) == 0
    stored = testing.dump(slapd_config, dn, attributes=["userPassword"])[dn]["userPassword"][0]
    stored = stored.decode() if isinstance(stored, bytes) else stored
    variant, m, t, p = PARAMS.match(stored).groups()
    # slapd 2.5's module makes argon2i (the variant is not a module argument): one more reason idm never
    # sends a cleartext password and writes its own argon2id values
    assert (int(m), int(t), int(p)) == (MEMORY_KIB, TIME_COST, PARALLELISM), variant
    assert testing.bind_result(slapd_config, dn, "mat khau chua bam cua quan tri") == 0
