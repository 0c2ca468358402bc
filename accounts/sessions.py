"""Ending a person's sessions (RS-15, SE-04, the issue's "every other session ends").

Django checks, on every request, that the session's stored auth hash still matches the user's
password field. Directory users' Django password is an unusable marker ("!" + random), so drawing
a new marker ends every session of that user at once, on every device, without scanning session
storage; ``keep`` re-stamps the one session that made the change so it stays signed in."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash

from accounts.models import User


def end_sessions(username: str, *, keep=None) -> bool:
    """End every session of ``username`` (a directory user), except the request ``keep``'s own.
    Returns False when there is no such user (nobody was ever signed in)."""
    user = User.objects.filter(username=username, source=User.Source.DIRECTORY).first()
    if user is None:
        return False
    user.set_unusable_password()
    user.save(update_fields=["password"])
    if keep is not None and getattr(keep, "user", None) is not None and keep.user.pk == user.pk:
        update_session_auth_hash(keep, user)
    return True
