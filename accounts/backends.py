"""Who may log in: staff through the directory, and the local superadmin for bootstrap only."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django_auth_ldap.backend import LDAPBackend, LDAPSettings, ldap_error

from accounts.models import User
from directory import gateway
from directory.auth import directory_urls, django_auth_ldap_settings, mark_down
from directory.errors import DirectoryUnavailable
from directory.passwords import normalise

log = logging.getLogger(__name__)
_seen = threading.local()


def _record_ldap_error(sender, context=None, exception=None, **kwargs) -> None:
    # django-auth-ldap swallows LDAPError and returns None, which would look like a wrong
    # password; remember it so the backend can fail closed with "directory unavailable" (AU-06).
    errors = getattr(_seen, "errors", None)
    if errors is not None:
        errors.append(exception)


ldap_error.connect(_record_ldap_error, dispatch_uid="accounts.backends.ldap_error")


def normalise_login(login: str) -> str:
    return login.strip().lower()


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap, with our settings, uid-or-address login, and a loud failure when the
    directory cannot answer."""

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
        if "@" in login:
            uid = gateway.uid_for_login(login)  # raises DirectoryUnavailable when it is down
            if uid is None:
                return None
        else:
            uid = login
        # several providers: libldap moves on only when a TCP connection fails, so a provider that
        # accepts and then says nothing (paused) costs one receive timeout, is put last, and the
        # login is tried once more on the next (C-03)
        for _attempt in range(max(1, len(directory_urls()))):
            _seen.errors = []
            try:
                self._settings = None  # the URL order may have changed since the last attempt
                first_url = self.settings.SERVER_URI.split()[0]
                try:
                    with transaction.atomic():
                        user = super().authenticate(request, username=uid, password=normalise(password), **kwargs)
                except IntegrityError:
                    # two first logins of one person at once both created the Django user: the other
                    # one's row is there now, so the same login again simply finds it
                    user = super().authenticate(request, username=uid, password=normalise(password), **kwargs)
                if not _seen.errors:
                    return user
                log.warning("directory error during login on %s: %s", first_url,
                            _seen.errors[0].__class__.__name__)
                mark_down(first_url)
            finally:
                _seen.errors = None
        raise DirectoryUnavailable("the directory could not check the password")

    def get_or_build_user(self, username, ldap_user):
        user, built = super().get_or_build_user(username, ldap_user)
        if not built and user.source != User.Source.DIRECTORY:
            # a directory entry must never log in as a local account of the same name
            raise PermissionDenied
        user.source = User.Source.DIRECTORY
        return user, built


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
