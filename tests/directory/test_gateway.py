"""The gateway against the real slapd: round trips, idempotent writes, errors translated."""

from __future__ import annotations

import threading
import time

import pytest

from directory import escaping as esc
from directory import gateway
from directory.entries import GroupEntry, PersonEntry, UnitEntry
from directory.errors import DirectoryUnavailable, InvalidValue, NoSuchEntry, SchemaViolation, error_for_result

pytestmark = pytest.mark.django_db


def entry(uid="hoangnt", **kw) -> PersonEntry:
    defaults = dict(uid=uid, family_name="Nguyễn", middle_name="Tiến", given_name="Hoàng", employee_code="QT-001",
                    position="Trưởng phòng Chuyển đổi số", unit_code="000.00.01.H45", status="active",
                    mail=f"{uid}@quangtri.gov.vn", mail_enabled=True)
    defaults.update(kw)
    return PersonEntry(**defaults)


def test_vietnamese_names_round_trip_through_slapd():
    e = entry(family_name="Đặng", middle_name="Thị Minh", given_name="Khải", position="Phó Giám đốc Sở Y tế")
    assert gateway.person_put(e) == "added"
    back = gateway.person_get("hoangnt")
    assert back == e
    assert back.full_name == "Đặng Thị Minh Khải"


def test_minority_names_without_middle_name_round_trip():
    e = entry(uid="hhenn", family_name="Niê", middle_name="", given_name="H'Hen")
    gateway.person_put(e)
    assert gateway.person_get("hhenn").full_name == "Niê H'Hen"


def test_writing_the_same_person_twice_changes_nothing_the_second_time():
    assert gateway.person_put(entry()) == "added"
    assert gateway.person_put(entry()) == "unchanged"


def test_putting_an_existing_entry_makes_it_match_the_intended_state(slapd_config):
    from scripts.dev import ldap_testing as testing

    gateway.person_put(entry(position="Chuyên viên"))
    dn = gateway.person_dn("hoangnt")
    assert testing.modify_as(slapd_config, slapd_config.root_dn, slapd_config.root_password, dn, "title",
                             ["drifted"]) == 0
    assert gateway.person_put(entry(position="Chuyên viên", middle_name="")) == "modified"
    back = gateway.person_get("hoangnt")
    assert back.position == "Chuyên viên" and back.middle_name == ""


def test_two_writers_bringing_one_entry_in_line_at_once_both_succeed(monkeypatch):
    """Seen at 10,000 people on the scaled stack: two workers applied one person's rows at once and the
    second's 'delete mail' met the first's (noSuchAttribute). Each now ends with the intended entry."""
    from directory.gateway import base

    gateway.person_put(entry(mail="hoangnt@quangtri.gov.vn", mail_enabled=True))
    stale = base.read(gateway.person_dn("hoangnt"), ["*"])
    # the other worker makes the same change (mailbox withdrawn) between our read and our modify
    assert gateway.person_put(entry(mail="", mail_enabled=False)) == "modified"
    real_read, calls = base.read, []

    def first_read_is_stale(dn, attributes=("*",)):
        calls.append(dn)
        return stale if len(calls) == 1 else real_read(dn, attributes)

    monkeypatch.setattr(base, "read", first_read_is_stale)
    assert gateway.person_put(entry(mail="", mail_enabled=False)) in ("modified", "unchanged")
    monkeypatch.undo()
    back = gateway.person_get("hoangnt")
    assert back.mail in ("", None) and back.mail_enabled is False


def test_deleting_what_is_gone_and_adding_what_is_there_are_successes():
    gateway.person_put(entry())
    assert gateway.person_delete("hoangnt") is True
    assert gateway.person_delete("hoangnt") is False
    gateway.person_put(entry())
    gateway.group_put(GroupEntry(name="vanthu", description="Văn thư", member_uids=["hoangnt"]))
    gateway.group_add_member("vanthu", "hoangnt")  # already a member: fine
    gateway.group_remove_member("vanthu", "hoangnt")
    gateway.group_remove_member("vanthu", "hoangnt")  # already gone: fine
    assert gateway.group_get("vanthu").member_uids == []


def test_group_membership_shows_as_member_of_on_the_person():
    gateway.person_put(entry())
    gateway.group_put(GroupEntry(name="Sở Y tế - toàn thể", member_uids=["hoangnt"]))
    assert gateway.memberships("hoangnt") == ["Sở Y tế - toàn thể"]
    assert gateway.group_put(GroupEntry(name="Sở Y tế - toàn thể", member_uids=["hoangnt"])) == "unchanged"


def test_units_nest_and_move_with_their_subtree():
    gateway.unit_put(UnitEntry(code="P", name="Tỉnh"), ["P"])
    gateway.unit_put(UnitEntry(code="A", name="Sở A"), ["P", "A"])
    gateway.unit_put(UnitEntry(code="B", name="Sở B"), ["P", "B"])
    gateway.unit_put(UnitEntry(code="A1", name="Phòng A1"), ["P", "A", "A1"])
    gateway.unit_put(UnitEntry(code="A1x", name="Tổ"), ["P", "A", "A1", "A1x"])
    # A1 is re-parented under B: its child moves with it
    assert gateway.unit_put(UnitEntry(code="A1", name="Phòng A1"), ["P", "B", "A1"]) == "unchanged"
    units = {u.code: u.parent_code for u in gateway.units_all()}
    assert units == {"P": None, "A": "P", "B": "P", "A1": "B", "A1x": "A1"}
    assert gateway.read(gateway.unit_dn(["P", "B", "A1", "A1x"]), ["1.1"]) is not None


HOSTILE = [
    "*)(uid=*))(|(uid=*",
    "admin)(|(objectClass=*)",
    'a,ou=x+y"<>;=\\',
    "#leading hash",
    " leading space",
    "trailing space ",
    "*",
    "\\2a",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_stored_and_searched_literally(value):
    gateway.person_put(entry(uid="victim1"))
    gateway.person_put(entry(uid="victim2", family_name="Trần"))
    gateway.person_put(entry(uid="literal", given_name=f"[{value}]"))
    # as an RDN value: the group is stored under exactly that name and read back
    gateway.group_put(GroupEntry(name=value, description=value, member_uids=["literal"]))
    back = gateway.group_get(value)
    assert back.name == value and back.description == value and back.member_uids == ["literal"]
    # as a search value: matches the literal only, never widens to everyone (LDAP matching
    # ignores leading/trailing spaces of an assertion, hence the strip)
    found = gateway.people_find(name_contains=value.strip())
    assert [p.uid for p in found] == ["literal"]
    assert gateway.people_find(uid=value) == []
    assert gateway.people_find(mail=value) == []
    assert gateway.uid_for_login(value) is None


@pytest.mark.parametrize("value", ["", "   ", "nul\x00byte", "zero\u200bwidth", "bell\x07"])
def test_empty_and_control_values_are_refused_before_the_server(value):
    with pytest.raises(InvalidValue):
        gateway.group_put(GroupEntry(name=value))
    with pytest.raises(InvalidValue):
        gateway.person_put(entry(family_name=value))
    assert gateway.people_find() == []


def test_nul_in_a_search_value_is_escaped_not_truncated():
    gateway.person_put(entry())
    assert gateway.people_find(uid="hoangnt\x00") == []
    assert esc.filter_value("a\x00b") == "a\\00b"


@pytest.mark.parametrize("uid", ["Admin", "a b", "../x", "x)(", "é", "a", "-lead", "a" * 33, "uid=x,ou=services"])
def test_uids_outside_the_allow_list_are_refused(uid):
    with pytest.raises(InvalidValue):
        gateway.person_put(entry(uid=uid))


def test_filter_escaping_happens_exactly_once():
    assert esc.eq("cn", "(") == "(cn=\\28)"
    assert esc.eq("cn", "\\28") == "(cn=\\5c28)"  # a literal backslash, escaped once
    assert "\\5c28" not in esc.eq("cn", "(")
    assert esc.rdn_value('a,b+c"d<e>f;g=h\\') == 'a\\,b\\+c\\"d\\<e\\>f\\;g\\=h\\\\'
    assert esc.rdn_value("#x") == "\\#x" and esc.rdn_value(" x ") == "\\ x\\ "


def test_a_dn_outside_the_expected_branch_is_recognised(settings):
    people = f"ou=people,{settings.IDM_LDAP_BASE_DN}"
    assert esc.dn_is_under(f"uid=a,{people}", people)
    assert not esc.dn_is_under(f"cn=idm,ou=services,{settings.IDM_LDAP_BASE_DN}", people)
    assert not esc.dn_is_under(f"cn=admin,{settings.IDM_LDAP_BASE_DN}", people)


def test_schema_violations_are_permanent_errors_with_a_reason():
    with pytest.raises(SchemaViolation) as info:
        gateway.ensure_entry(gateway.person_dn("nosn"), ["inetOrgPerson"], {"uid": ["nosn"], "cn": ["x"]}, ["uid"])
    assert info.value.transient is False and "65" in str(info.value)


def test_a_missing_parent_is_a_permanent_no_such_entry():
    with pytest.raises(NoSuchEntry) as info:
        gateway.unit_put(UnitEntry(code="orphan", name="x"), ["missing-parent", "orphan"])
    assert info.value.transient is False


def test_result_codes_are_classified():
    assert error_for_result({"result": 51}).transient  # busy
    assert error_for_result({"result": 52}).transient  # unavailable
    assert error_for_result({"result": 3}).transient  # time limit
    for code in (19, 21, 34, 50, 65):
        assert not error_for_result({"result": code}).transient


def test_a_stopped_directory_is_transient_and_the_gateway_recovers(stack):
    gateway.person_put(entry())
    stack.stop()
    with pytest.raises(DirectoryUnavailable) as info:
        gateway.person_get("hoangnt")
    assert info.value.transient is True
    stack.start()
    assert gateway.person_get("hoangnt") is not None


def test_a_paused_directory_fails_within_the_receive_timeout(stack, settings):
    gateway.person_put(entry())
    stack.pause()
    try:
        t = time.monotonic()
        with pytest.raises(DirectoryUnavailable):
            gateway.person_get("hoangnt")
        elapsed = time.monotonic() - t
    finally:
        stack.resume()
    # receive timeout is 3 s in tests; a hang would be stopped by pytest-timeout instead
    assert elapsed < settings.IDM_LDAP_RECEIVE_TIMEOUT + settings.IDM_LDAP_CONNECT_TIMEOUT + 2
    assert gateway.person_get("hoangnt") is not None


def test_sixteen_threads_each_use_their_own_connection():
    errors = []

    def work(i: int) -> None:
        try:
            for j in range(5):
                gateway.person_put(entry(uid=f"t{i}x{j}", employee_code=f"T{i}-{j}"))
                assert gateway.person_get(f"t{i}x{j}").employee_code == f"T{i}-{j}"
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(gateway.people_uids()) == 80
