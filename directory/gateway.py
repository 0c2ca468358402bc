"""The LDAP gateway: typed, idempotent reads and writes of people, units and groups.

Every write is "make it so" (LD-10): adding an entry that exists compares it with the intended
state and modifies only what differs; deleting what is gone, adding a value that is present and
removing one that is absent all count as success. So a task that runs twice changes nothing the
second time.
"""

from __future__ import annotations

from collections.abc import Iterable

import ldap3

from . import config
from . import escaping as esc
from .connection import check_result, service
from .entries import GROUP_CLASSES, MAIL_CLASS, PERSON_ATTRS, UNIT_ATTRS, GroupEntry, PersonEntry, UnitEntry
from .errors import InvalidValue, NoSuchEntry

NO_SUCH_OBJECT, ALREADY_EXISTS, NO_SUCH_ATTRIBUTE, VALUE_EXISTS = 32, 68, 16, 20
# groupOfNames needs at least one member; an empty group points at this (never created) entry.
EMPTY_MEMBER_RDN = "cn=empty-group-placeholder"


# ---------------------------------------------------------------- generic operations

def search(base: str, filt: str, attributes: Iterable[str] = ("*",), *, scope: str = "SUBTREE",
           page_size: int = 500) -> list[tuple[str, dict]]:
    """Paged search; `filt` must come from escaping.eq/all_of/any_of. A missing base gives []."""
    scope_value = {"BASE": ldap3.BASE, "LEVEL": ldap3.LEVEL, "SUBTREE": ldap3.SUBTREE}[scope]
    out: list[tuple[str, dict]] = []
    cookie = None
    with service() as conn:
        while True:
            ok = conn.search(base, filt, search_scope=scope_value, attributes=list(attributes),
                             paged_size=page_size, paged_cookie=cookie)
            code = check_result(conn, ok, dn=base, accept=(NO_SUCH_OBJECT,))
            if code == NO_SUCH_OBJECT:
                return []
            out.extend((r["dn"], dict(r["attributes"])) for r in conn.response if r.get("type") == "searchResEntry")
            controls = conn.result.get("controls", {}) or {}
            cookie = controls.get("1.2.840.113556.1.4.319", {}).get("value", {}).get("cookie")
            if not cookie:
                return out


def read(dn: str, attributes: Iterable[str] = ("*",)) -> dict | None:
    found = search(dn, "(objectClass=*)", attributes, scope="BASE")
    return found[0][1] if found else None


def _as_list(v) -> list[str]:
    if v is None:
        return []
    if isinstance(v, list):
        return [x if isinstance(x, str) else str(x) for x in v]
    return [v if isinstance(v, str) else str(v)]


def _validate(attrs: dict[str, list[str]]) -> None:
    for name, values in attrs.items():
        for v in values:
            esc.check_text(v, field=name)


def ensure_entry(dn: str, object_classes: Iterable[str], attrs: dict[str, list[str]],
                 managed: Iterable[str], optional_classes: Iterable[str] = ()) -> str:
    """Make the entry at `dn` have these object classes and, for each managed attribute, exactly
    these values (an empty list removes the attribute). An optional class that is not wanted is
    removed together with its attributes. Returns 'added', 'modified' or 'unchanged'."""
    _validate(attrs)
    classes = list(object_classes)
    present = {k: v for k, v in attrs.items() if v}
    with service() as conn:
        ok = conn.add(dn, classes, present)
        if check_result(conn, ok, dn=dn, accept=(ALREADY_EXISTS,)) != ALREADY_EXISTS:
            return "added"
    managed = list(managed)
    current = read(dn, ["objectClass", *managed]) or {}
    changes: dict[str, list] = {}
    have_classes = {c.lower() for c in _as_list(current.get("objectClass"))}
    missing_classes = [c for c in classes if c.lower() not in have_classes]
    unwanted = [c for c in optional_classes if c.lower() in have_classes and c.lower() not in
                {x.lower() for x in classes}]
    lower_current = {k.lower(): _as_list(v) for k, v in current.items()}
    for name in managed:
        want = attrs.get(name, [])
        have = lower_current.get(name.lower(), [])
        if sorted(want) == sorted(have):
            continue
        if want:
            changes[name] = [(ldap3.MODIFY_REPLACE, want)]
        elif have:
            changes[name] = [(ldap3.MODIFY_DELETE, [])]
    class_ops = ([(ldap3.MODIFY_ADD, missing_classes)] if missing_classes else []) + \
                ([(ldap3.MODIFY_DELETE, unwanted)] if unwanted else [])
    if class_ops:
        changes["objectClass"] = class_ops  # after the attribute changes: one atomic modify
    if not changes:
        return "unchanged"
    with service() as conn:
        ok = conn.modify(dn, changes)
        check_result(conn, ok, dn=dn)
    return "modified"


def delete_entry(dn: str) -> bool:
    """Delete one leaf entry; True if it was there."""
    with service() as conn:
        ok = conn.delete(dn)
        return check_result(conn, ok, dn=dn, accept=(NO_SUCH_OBJECT,)) != NO_SUCH_OBJECT


def delete_subtree(dn: str) -> int:
    """Delete an entry and everything below it, deepest first. Returns how many were deleted."""
    found = search(dn, "(objectClass=*)", ["1.1"])
    found.sort(key=lambda item: item[0].count(","), reverse=True)
    return sum(delete_entry(d) for d, _ in found)


def modify_values(dn: str, attr: str, *, add: Iterable[str] = (), remove: Iterable[str] = ()) -> None:
    """Add or remove single values; a value already there (add) or already gone (remove) is fine."""
    for op, values, accepted in ((ldap3.MODIFY_ADD, list(add), VALUE_EXISTS),
                                 (ldap3.MODIFY_DELETE, list(remove), NO_SUCH_ATTRIBUTE)):
        for v in values:
            esc.check_text(v, field=attr)
            with service() as conn:
                ok = conn.modify(dn, {attr: [(op, [v])]})
                check_result(conn, ok, dn=dn, accept=(accepted,))


def ping() -> None:
    """Bind as the service account and read the base entry; raises on any problem."""
    cfg = config.current()
    if read(cfg.base_dn, ["1.1"]) is None:
        raise NoSuchEntry(f"base entry {cfg.base_dn} not found", dn=cfg.base_dn)


# ---------------------------------------------------------------- people

def person_dn(uid: str) -> str:
    return esc.dn("uid", esc.check_uid(uid), config.current().people_dn)


def person_put(entry: PersonEntry) -> str:
    esc.check_uid(entry.uid)
    if not entry.family_name.strip():
        raise InvalidValue("family name must not be empty")
    return ensure_entry(person_dn(entry.uid), entry.object_classes(), entry.to_attrs(), PERSON_ATTRS,
                        optional_classes=(MAIL_CLASS,))


def person_get(uid: str) -> PersonEntry | None:
    attrs = read(person_dn(uid), PERSON_ATTRS)
    return PersonEntry.from_attrs(attrs) if attrs is not None else None


def person_delete(uid: str) -> bool:
    return delete_entry(person_dn(uid))


def person_set_password_hash(uid: str, hashed: str) -> None:
    """Replace userPassword with an already-hashed value ({ARGON2}$argon2id$...)."""
    if not hashed.startswith("{"):
        raise InvalidValue("only a hashed password with a {SCHEME} prefix is written")
    dn = person_dn(uid)
    with service() as conn:
        ok = conn.modify(dn, {"userPassword": [(ldap3.MODIFY_REPLACE, [hashed])]})
        check_result(conn, ok, dn=dn)


def people_find(*, uid: str | None = None, mail: str | None = None, name_contains: str | None = None,
                unit_code: str | None = None) -> list[PersonEntry]:
    """Search people; every value is escaped, so `*` or `)(` match only themselves."""
    parts = ["(objectClass=vnCivilServant)"]
    if uid is not None:
        parts.append(esc.eq("uid", uid))
    if mail is not None:
        parts.append(esc.any_of(esc.eq("mail", mail), esc.eq("mailAlias", mail)))
    if name_contains is not None:
        parts.append(f"(cn=*{esc.filter_value(name_contains)}*)")
    if unit_code is not None:
        parts.append(esc.eq("vnOrgUnitCode", unit_code))
    found = search(config.current().people_dn, esc.all_of(*parts), PERSON_ATTRS)
    return sorted((PersonEntry.from_attrs(a) for _, a in found), key=lambda p: p.uid)


def people_uids() -> set[str]:
    return {PersonEntry.from_attrs(a).uid for _, a in search(config.current().people_dn,
                                                                "(objectClass=vnCivilServant)", ["uid"])}


def uid_for_login(login: str) -> str | None:
    """The uid of the person who may log in as `login` (a uid or an official address)."""
    login = login.strip().lower()
    if "@" in login:
        found = people_find(mail=login)
    else:
        try:
            esc.check_uid(login)
        except InvalidValue:
            return None
        found = people_find(uid=login)
    return found[0].uid if len(found) == 1 else None


# ---------------------------------------------------------------- units

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
        out.append(UnitEntry.from_attrs(a, parent_code=_as_list(parent.get("vnOrgUnitCode"))[0] if parent else None))
    return out


def unit_get(code: str) -> UnitEntry | None:
    return next((u for u in units_all() if u.code == code), None)


def unit_delete(code: str) -> int:
    dn = _unit_locate(code)
    return delete_subtree(dn) if dn else 0


# ---------------------------------------------------------------- groups

def group_dn(name: str) -> str:
    return esc.dn("cn", name, config.current().groups_dn)


def group_put(entry: GroupEntry) -> str:
    members = [person_dn(u) for u in sorted(set(entry.member_uids))]
    if not members:
        members = [f"{EMPTY_MEMBER_RDN},{config.current().groups_dn}"]
    attrs = {"cn": [entry.name], "description": [entry.description] if entry.description else [], "member": members}
    return ensure_entry(group_dn(entry.name), GROUP_CLASSES, attrs, ("cn", "description", "member"))


def mail_list_put(name: str, *, description: str, address: str, aliases: list[str], member_uids: list[str]) -> str:
    """A distribution list: a groupOfNames with the vnMailList class; the mail server expands
    it to its members' addresses."""
    members = [person_dn(u) for u in sorted(set(member_uids))] or [f"{EMPTY_MEMBER_RDN},{config.current().groups_dn}"]
    attrs = {"cn": [name], "description": [description] if description else [], "member": members,
             "mail": [address], "mailAlias": sorted(aliases), "mailEnabled": ["TRUE"]}
    return ensure_entry(group_dn(name), (*GROUP_CLASSES, "vnMailList"), attrs,
                        ("cn", "description", "member", "mail", "mailAlias", "mailEnabled"))


def functional_dn(address: str) -> str:
    return esc.dn("cn", address, f"ou=mailboxes,{config.current().base_dn}")


def functional_put(*, address: str, name: str, quota_kib: int, enabled: bool, delegate_uids: list[str]) -> str:
    """A unit's functional mailbox (e.g. vanthu@...): an entry the mail server serves, which
    nobody logs in to directly; its delegates open it with their own password (the Dovecot
    master-user login `address*uid`), as listed in the group delegates-<address>."""
    attrs = {"cn": [address], "description": [name], "mail": [address], "mailEnabled": ["TRUE" if enabled else "FALSE"],
             "mailQuota": [str(quota_kib)], "vnAccountStatus": ["active" if enabled else "suspended"]}
    result = ensure_entry(functional_dn(address), ("top", "organizationalRole", "PostfixBookMailAccount",
                                                   "vnCivilServant"), attrs,
                          ("cn", "description", "mail", "mailEnabled", "mailQuota", "vnAccountStatus"))
    group_put(GroupEntry(name=f"delegates-{address}", description=name, member_uids=delegate_uids))
    return result


def mail_list_members(name: str) -> list[str]:
    group = group_get(name)
    return group.member_uids if group else []


def group_get(name: str) -> GroupEntry | None:
    attrs = read(group_dn(name), ["cn", "description", "member"])
    if attrs is None:
        return None
    people = config.current().people_dn
    uids = []
    for m in _as_list(attrs.get("member")):
        if esc.dn_is_under(m, people):
            uids.append(ldap3.utils.dn.parse_dn(m)[0][1])
    return GroupEntry(name=name, description=(_as_list(attrs.get("description")) or [""])[0], member_uids=sorted(uids))


def group_add_member(name: str, uid: str) -> None:
    placeholder = f"{EMPTY_MEMBER_RDN},{config.current().groups_dn}"
    modify_values(group_dn(name), "member", add=[person_dn(uid)], remove=[placeholder])


def group_remove_member(name: str, uid: str) -> None:
    group = group_get(name)
    if group is None or uid not in group.member_uids:
        return
    group.member_uids.remove(uid)
    group_put(group)  # the last member out leaves the placeholder in (groupOfNames needs one)


def group_delete(name: str) -> bool:
    return delete_entry(group_dn(name))


def memberships(uid: str) -> list[str]:
    """Group names the person belongs to, from the memberOf overlay."""
    attrs = read(person_dn(uid), ["memberOf"]) or {}
    groups = config.current().groups_dn
    return sorted(ldap3.utils.dn.parse_dn(g)[0][1] for g in _as_list(attrs.get("memberOf"))
                  if esc.dn_is_under(g, groups))
