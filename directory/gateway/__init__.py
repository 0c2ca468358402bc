"""The LDAP gateway: typed, idempotent reads and writes, one module per kind of entry.

    base    search, read, "make it so" writes, deletes, ping
    people  civil servants under the people branch
    units   the unit tree
    applications  other government systems' bind accounts
    groups  groups, distribution lists, functional mailboxes and their delegates

Callers use `from directory import gateway` and the names below.
"""

from __future__ import annotations

from .applications import (
    application_delete,
    application_dn,
    application_put,
    application_scope,
    applications_last_bound,
)
from .base import delete_entry, delete_subtree, ensure_entry, modify_values, ping, read, search
from .groups import (
    functional_dn,
    functional_put,
    group_add_member,
    group_delete,
    group_dn,
    group_get,
    group_put,
    group_remove_member,
    mail_list_members,
    mail_list_put,
    memberships,
)
from .people import (
    people_find,
    people_uids,
    person_certificates,
    person_delete,
    person_dn,
    person_get,
    person_must_change_password,
    person_put,
    person_set_certificates,
    person_set_password_hash,
    person_verify_password,
    uid_for_login,
)
from .units import unit_certificates, unit_delete, unit_dn, unit_get, unit_put, unit_set_certificates, units_all

__all__ = [
    "application_delete", "application_dn", "application_put", "application_scope", "applications_last_bound",
    "delete_entry", "delete_subtree", "ensure_entry", "modify_values", "ping", "read", "search",
    "functional_dn", "functional_put", "group_add_member", "group_delete", "group_dn", "group_get", "group_put",
    "group_remove_member", "mail_list_members", "mail_list_put", "memberships",
    "people_find", "people_uids", "person_certificates", "person_delete", "person_dn", "person_get", "person_put",
    "person_must_change_password", "person_set_certificates", "person_set_password_hash", "person_verify_password",
    "uid_for_login",
    "unit_certificates", "unit_delete", "unit_dn", "unit_get", "unit_put", "unit_set_certificates", "units_all",
]
