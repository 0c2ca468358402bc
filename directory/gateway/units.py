"""The unit tree under the units branch: each unit's entry sits under its parent's."""

from __future__ import annotations

from directory import config
from directory import escaping as esc
from directory.connection import check_result, service
from directory.entries import UNIT_ATTRS, UnitEntry
from directory.errors import InvalidValue

from .base import as_list, certificates_get, certificates_put, delete_subtree, ensure_entry, search


def unit_dn(code_path: list[str]) -> str:
    """DN of a unit given the codes from the top of the tree down to it."""
    dn = config.current().units_dn
    for code in code_path:
        dn = esc.dn("ou", esc.check_unit_code(code), dn)
    return dn


def _unit_locate(code: str) -> str | None:
    found = search(config.current().units_dn, esc.eq("vnOrgUnitCode", esc.check_unit_code(code)), ["1.1"])
    return found[0][0] if found else None


def unit_put(entry: UnitEntry, code_path: list[str]) -> str:
    """Make the unit exist at the place `code_path` names (its ancestors must exist), moving it
    there with its whole subtree if it sits elsewhere (a re-parented unit keeps its entries)."""
    if not code_path or code_path[-1] != entry.code:
        raise InvalidValue("code_path must end with the unit's own code")
    want = unit_dn(code_path)
    have = _unit_locate(entry.code)
    if have is not None and not esc.same_dn(have, want):
        parent = unit_dn(code_path[:-1])
        with service() as conn:
            ok = conn.modify_dn(have, f"ou={esc.rdn_value(entry.code)}", new_superior=parent)
            check_result(conn, ok, dn=have)
    return ensure_entry(want, entry.object_classes(), entry.to_attrs(), UNIT_ATTRS)


def units_all() -> list[UnitEntry]:
    """Every unit in the directory with its parent code, parents before children."""
    units_dn = config.current().units_dn
    found = search(units_dn, "(objectClass=vnOrgUnit)", ["vnOrgUnitCode", "vnUnitName", "vnUnitKind", "vnMailDomain"])
    by_dn = {d.lower(): a for d, a in found}
    out = []
    for d, a in sorted(found, key=lambda item: item[0].count(",")):
        parent_dn = d.split(",", 1)[1].lower() if "," in d else ""
        parent = by_dn.get(parent_dn)
        out.append(UnitEntry.from_attrs(a, parent_code=as_list(parent.get("vnOrgUnitCode"))[0] if parent else None))
    return out


def unit_get(code: str) -> UnitEntry | None:
    return next((u for u in units_all() if u.code == code), None)


def unit_delete(code: str) -> int:
    dn = _unit_locate(code)
    return delete_subtree(dn) if dn else 0


def unit_set_certificates(code_path: list[str], ders: list[bytes]) -> str:
    """Publish exactly these organisational certificates (DER) on the unit's entry; [] removes them."""
    return certificates_put(unit_dn(code_path), ders, needs_class=True)


def unit_certificates(code_path: list[str]) -> list[bytes]:
    return certificates_get(unit_dn(code_path))
