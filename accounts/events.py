"""Authentication events in the audit trail (LG-04): a sign-in, a refused sign-in, a sign-out, each
with the account, the time and the address it came from. The entry's unit is the person's, so their
HR officers see it.

A refused sign-in names the account only when the login names one we know (a staff member's user name
or official address, a local account): people sometimes type their password into the user name box, and
that text must not land in the trail (LG-01)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import HttpRequest

from accounts.backends import normalise_login
from accounts.models import User
from provisioning.audit.services import audit_record
from provisioning.people.models import Person


@dataclass(frozen=True)
class Account:
    """An audit target for a login name, whether or not a User row exists for it yet."""

    pk: str
    unit_id: int | None = None  # the person's unit: whose HR officers may read the entry

    def __str__(self) -> str:
        return self.pk


UNKNOWN = Account("-")


def login_recorded(request: HttpRequest, user: User) -> None:
    _record(request, "user.logged_in", user, user.get_username())


def logout_recorded(request: HttpRequest) -> None:
    if request.user.is_authenticated:
        _record(request, "user.logged_out", request.user, request.user.get_username())


def login_refused(request: HttpRequest, login: str) -> None:
    login = normalise_login(login or "")
    person = Person.objects.filter(Q(uid=login) | Q(mail=login)).only("uid", "unit_id").first() if login else None
    if person is not None:
        _record(request, "user.login_failed", None, person.uid, person=person)
    elif login and User.objects.filter(username=login, source=User.Source.LOCAL).exists():
        _record(request, "user.login_failed", None, login)
    else:
        _record(request, "user.login_failed", None, None)


def _record(request: HttpRequest, action: str, actor: User | None, uid: str | None, person: Person | None = None):
    if person is None and uid:
        person = Person.objects.filter(uid=uid).only("unit_id").first()
    target = Account(uid, person.unit_id if person is not None else None) if uid else UNKNOWN
    audit_record(actor=actor, action=action, target=target, source_ip=request.META.get("REMOTE_ADDR"))
