"""Groups, distribution lists and functional mailboxes (with their delegates' group)."""

from __future__ import annotations

import ldap3

from directory import config
from directory import escaping as esc
from directory.entries import GROUP_ATTRS, GROUP_CLASSES, GroupEntry

from .base import as_list, delete_entry, ensure_entry, modify_values, read
from .people import person_dn

# groupOfNames needs at least one member; an empty group points at this (never created) entry.
EMPTY_MEMBER_CN = "empty-group-placeholder"


def _placeholder_dn() -> str:
    return esc.dn("cn", EMPTY_MEMBER_CN, config.current().groups_dn)


def group_dn(name: str) -> str:
    return esc.dn("cn", name, config.current().groups_dn)


def _unit(code: str) -> list[str]:
    return [esc.check_unit_code(code)] if code else []


def group_put(entry: GroupEntry) -> str:
    members = [person_dn(u) for u in sorted(set(entry.member_uids))] or [_placeholder_dn()]
    attrs = {"cn": [entry.name], "description": [entry.description] if entry.description else [], "member": members,
             "ou": _unit(entry.unit_code)}
    return ensure_entry(group_dn(entry.name), GROUP_CLASSES, attrs, GROUP_ATTRS)


def mail_list_put(name: str, *, description: str, address: str, aliases: list[str], member_uids: list[str],
                  unit_code: str = "") -> str:
    """A distribution list: a groupOfNames with the vnMailList class; the mail server expands
    it to its members' addresses. `unit_code` (ou) names the unit whose list it is."""
    members = [person_dn(u) for u in sorted(set(member_uids))] or [_placeholder_dn()]
    attrs = {"cn": [name], "description": [description] if description else [], "member": members,
             "mail": [address], "mailAlias": sorted(aliases), "mailEnabled": ["TRUE"], "ou": _unit(unit_code)}
    return ensure_entry(group_dn(name), (*GROUP_CLASSES, "vnMailList"), attrs,
                        (*GROUP_ATTRS, "mail", "mailAlias", "mailEnabled"))


def functional_dn(address: str) -> str:
    return esc.dn("cn", address, config.current().mailboxes_dn)


def functional_put(*, address: str, name: str, quota_kib: int, enabled: bool, delegate_uids: list[str],
                   unit_code: str = "") -> str:
    """A unit's functional mailbox (e.g. vanthu@...): an entry the mail server serves, which
    nobody logs in to directly; its delegates open it with their own password (the Dovecot
    master-user login `address*uid`), as listed in the group delegates-<address>."""
    attrs = {"cn": [address], "description": [name], "mail": [address], "mailEnabled": ["TRUE" if enabled else "FALSE"],
             "mailQuota": [str(quota_kib)], "vnAccountStatus": ["active" if enabled else "suspended"]}
    result = ensure_entry(functional_dn(address), ("top", "organizationalRole", "PostfixBookMailAccount",
                                                   "vnCivilServant"), attrs,
                          ("cn", "description", "mail", "mailEnabled", "mailQuota", "vnAccountStatus"))
    group_put(GroupEntry(name=f"delegates-{address}", description=name, member_uids=delegate_uids,
                         unit_code=unit_code))
    return result


def mail_list_members(name: str) -> list[str]:
    group = group_get(name)
    return group.member_uids if group else []


def group_get(name: str) -> GroupEntry | None:
    attrs = read(group_dn(name), GROUP_ATTRS)
    if attrs is None:
        return None
    people = config.current().people_dn
    uids = []
    for m in as_list(attrs.get("member")):
        if esc.dn_is_under(m, people):
            uids.append(ldap3.utils.dn.parse_dn(m)[0][1])
    return GroupEntry(name=name, description=(as_list(attrs.get("description")) or [""])[0], member_uids=sorted(uids),
                      unit_code=(as_list(attrs.get("ou")) or [""])[0])


def group_add_member(name: str, uid: str) -> None:
    modify_values(group_dn(name), "member", add=[person_dn(uid)], remove=[_placeholder_dn()])


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
    return sorted(ldap3.utils.dn.parse_dn(g)[0][1] for g in as_list(attrs.get("memberOf"))
                  if esc.dn_is_under(g, groups))
