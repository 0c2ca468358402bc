"""`manage.py check` refuses a password policy weaker than PW-01 allows (or a typo in the setting)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

MIN_LENGTH_FLOOR = 8  # PW-01: never below 8 (ASVS 5.0 6.2.1); 15 is the default for single-factor staff
MIN_LENGTH_CEILING = 64  # PW-02: every length up to 64 must be accepted, so the minimum cannot exceed it


@register(Tags.security)
def check_password_settings(app_configs=None, **kwargs):
    value = getattr(settings, "PASSWORD_MIN_LENGTH", None)
    if not isinstance(value, int) or isinstance(value, bool):
        return [Error(f"PASSWORD_MIN_LENGTH must be a whole number of characters, not {value!r}.",
                      hint="Set IDM_PASSWORD_MIN_LENGTH to a number such as 15.", id="accounts.E001")]
    if value < MIN_LENGTH_FLOOR:
        return [Error(f"PASSWORD_MIN_LENGTH is {value}; it cannot be below {MIN_LENGTH_FLOOR} (PW-01).",
                      hint="Use 15 when the password is the only factor.", id="accounts.E002")]
    if value > MIN_LENGTH_CEILING:
        return [Error(f"PASSWORD_MIN_LENGTH is {value}; it cannot be above {MIN_LENGTH_CEILING} (PW-02).",
                      id="accounts.E003")]
    return []
