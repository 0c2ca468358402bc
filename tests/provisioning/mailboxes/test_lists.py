"""Per-unit distribution lists follow membership on their own; addresses are unique across
people, aliases and lists."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from directory import gateway
from provisioning.mailboxes.services import unit_set_list
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import PersonStatus
from provisioning.people.services import person_set_status, person_transfer
from provisioning.units.models import Unit
from scripts.dev import ldap_testing as testing
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    p = factories.province()
    stc = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    return {"p": p, "stc": stc, "ns": factories.unit(stc, "000.03.01.H45", "Phòng Ngân sách", kind="division"),
            "snv": factories.unit(p, "000.00.02.H45", "Sở Nội vụ")}


def members(unit_code):
    return gateway.mail_list_members(f"list-{unit_code}")


def test_a_units_list_holds_everyone_with_a_mailbox_below_it_and_follows_changes(units, slapd_config):
    a = factories.person(units["stc"])
    b = factories.person(units["ns"], "Trần", "Thị Minh", "Khai")
    staged = factories.person(units["ns"], "Lê", "Văn", "Tám", status=PersonStatus.STAGED)
    unit_set_list(actor=None, unit=units["stc"], local_part="sotaichinh")
    directory_changes_drain()
    assert members("000.00.03.H45") == ["hoangnt", "khaittm"]
    person_set_status(actor=None, person=staged, status=PersonStatus.ACTIVE)  # joins when active
    person_set_status(actor=None, person=a, status=PersonStatus.SUSPENDED)  # leaves when suspended
    directory_changes_drain()
    assert members("000.00.03.H45") == ["khaittm", "tamlv"]
    person_transfer(actor=None, person=b, unit=units["snv"])  # leaves when transferred out
    directory_changes_drain()
    assert members("000.00.03.H45") == ["tamlv"]
    # what the mail server's lookup sees (as in deploy/mail/postfix-ldap-lists.cf)
    query = "(&(objectClass=vnMailList)(mailEnabled=TRUE)(mail=sotaichinh@quangtri.gov.vn))"
    bound, found = testing.search_as(slapd_config, slapd_config.mail_dn, slapd_config.mail_password,
                                     slapd_config.base_dn, query, ["mail", "member"])
    assert bound and len(found) == 1 and found[0][1]["member"] == [gateway.person_dn("tamlv")]


def test_list_addresses_are_unique_across_people_and_lists(units):
    factories.person(units["stc"])
    with pytest.raises(ValidationError):
        unit_set_list(actor=None, unit=units["snv"], local_part="hoangnt")
    unit_set_list(actor=None, unit=units["stc"], local_part="sotaichinh")
    with pytest.raises(ValidationError):
        unit_set_list(actor=None, unit=units["snv"], local_part="sotaichinh")
    with pytest.raises(ValidationError):
        unit_set_list(actor=None, unit=units["snv"], local_part="Bad Name!")


def test_a_renamed_list_keeps_its_old_address_as_an_alias(units):
    unit_set_list(actor=None, unit=units["stc"], local_part="stc")
    unit_set_list(actor=None, unit=Unit.objects.get(pk=units["stc"].pk), local_part="sotaichinh")
    directory_changes_drain()
    attrs = gateway.read(gateway.group_dn("list-000.00.03.H45"), ["mail", "mailAlias"])
    assert attrs["mail"] == ["sotaichinh@quangtri.gov.vn"] and attrs["mailAlias"] == ["stc@quangtri.gov.vn"]
