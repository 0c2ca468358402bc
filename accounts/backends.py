"""Who may log in: staff through the directory, and the local superadmin for bootstrap only."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django_auth_ldap.backend import LDAPBackend, LDAPSettings

from accounts.models import User
from directory import gateway
from directory.auth import LoginEntry, django_auth_ldap_settings, login_bind, login_entry
from directory.passwords import normalise, verify_decoy


def normalise_login(login: str) -> str:
    return login.strip().lower()


class DirectoryBackend(LDAPBackend):
    """A staff login: uid or official address, one search and one bind (directory.auth), then the
    Django user made or brought up to date from the entry. django-auth-ldap's LDAPBackend underneath
    still restores the user of a session (get_user).

    The bind happens outside any SQL transaction: on SQLite a transaction holds the database's one write
    lock from its first statement, so a login that bound inside one made every other login wait for
    slapd's Argon2 check. The user row is then written only when the directory's values changed."""

    @property
    def settings(self):
        if self._settings is None:
            self._settings = LDAPSettings(self.settings_prefix, django_auth_ldap_settings())
        return self._settings

    @settings.setter
    def settings(self, value):
        self._settings = value

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password or len(password) > settings.PASSWORD_MAX_LENGTH:
            return None  # AU-03, PW-03: refused before any bind
        login = normalise_login(username)
        uid = gateway.uid_for_login(login) if "@" in login else login  # raises DirectoryUnavailable (AU-06)
        entry = login_entry(uid) if uid else None  # AU-07: active civil servants under ou=people only
        if entry is None:
            verify_decoy(password)  # AU-04: as long as a wrong password's Argon2 check, under any load
            return None
        if not login_bind(entry.dn, normalise(password)):
            return None
        user = self.user_from_entry(entry)
        user.directory_must_change = entry.must_change  # read by the login view (a forced change, PW-17)
        return user

    def user_from_entry(self, entry: LoginEntry) -> User:
        """The Django user of this directory entry, created on the first login (with an unusable
        password: no local password ever stands in for the directory, AU-06), its name and address
        updated when the directory's changed; nothing is written (no transaction begun) when nothing
        changed. A local account of the same name refuses (PermissionDenied)."""
        user = User.objects.filter(username=entry.uid).first()
        if user is None:
            user = User(username=entry.uid, source=User.Source.DIRECTORY, **entry.fields)
            user.set_unusable_password()
            try:
                with transaction.atomic():
                    user.save(force_insert=True)
                return user
            except IntegrityError:
                # two first logins of one person at once: the other one created the row first
                user = User.objects.get(username=entry.uid)
        if user.source != User.Source.DIRECTORY:
            raise PermissionDenied  # a directory entry must never log in as a local account of that name
        changed = [f for f, value in entry.fields.items() if getattr(user, f) != value]
        if changed:
            for f in changed:
                setattr(user, f, entry.fields[f])
            user.save(update_fields=changed)
        return user


class LocalSuperadminBackend(ModelBackend):
    """Only local superadmins, for bootstrap; never a directory user (AU-06: their Django
    password is unusable, and this backend does not look at them anyway)."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and user.is_superuser and user.source == User.Source.LOCAL

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password or len(password) > settings.PASSWORD_MAX_LENGTH:
            return None
        username = username.strip()
        # one indexed look-up first: a staff login (every login but the bootstrap one) must not pay
        # ModelBackend's PBKDF2 "timing equaliser" for a name that is no local superadmin
        if not User.objects.filter(username=username, source=User.Source.LOCAL, is_superuser=True).exists():
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
