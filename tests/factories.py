"""A small cast for the stories: a unit tree, staff members with known passwords."""

from __future__ import annotations

import datetime as dt

from directory import gateway
from directory.passwords import hash_password
from provisioning.outbox.services import directory_changes_drain
from provisioning.people.models import Person, PersonStatus
from provisioning.people.services import person_onboard
from provisioning.units.models import Unit
from provisioning.units.services import unit_create

PASSWORD = "cay tre xanh ben bo song"  # 24 characters, no composition rules


def province(code: str = "000.00.00.H45", domain: str = "quangtri.gov.vn") -> Unit:
    return unit_create(actor=None, code=code, name="Ủy ban nhân dân tỉnh Quảng Trị", kind="province", parent=None,
                       mail_domain=domain, effective=dt.date(2025, 7, 1))


def unit(parent: Unit, code: str, name: str, kind: str = "department", **kw) -> Unit:
    return unit_create(actor=None, code=code, name=name, kind=kind, parent=parent,
                       effective=kw.pop("effective", dt.date(2025, 7, 1)), **kw)


def person(unit: Unit, family: str = "Nguyễn", middle: str = "Tiến", given: str = "Hoàng", *,
           code: str | None = None, status: str = PersonStatus.ACTIVE, password: str | None = PASSWORD,
           position: str = "Chuyên viên", **kw) -> Person:
    code = code or f"E{Person.objects.count() + 1:05d}"
    p = person_onboard(actor=None, unit=unit, family=family, middle=middle, given=given, employee_code=code,
                       status=status, position=position, **kw)
    directory_changes_drain()
    if password:
        gateway.person_set_password_hash(p.uid, hash_password(password))
    return p
