"""Every DN and filter value is escaped here, exactly once (LD-01..LD-04).

Nothing outside directory/ formats a DN or a filter; inside directory/, only these functions put a
value into one. `ldap3.utils.dn.safe_dn` is never used as an escape (LD-03: it leaves commas), and
ldap3's `escape_rdn` is not used either: it crashes on '' (ldap3 #1086) and turns NUL into a
backslash followed by a raw NUL instead of RFC 4514's `\\00`.
"""

from __future__ import annotations

import re
import unicodedata

from ldap3.utils.conv import escape_filter_chars

from .errors import InvalidValue

UID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
UNIT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,34}$")
# an application's account name (its cn): what its administrators type into its LDAP settings
APPLICATION_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")

_RDN_SPECIAL = set('\\,+"<>;=')


def check_text(value: str, *, field: str = "value", allow_empty: bool = False) -> str:
    """Refuse what must never reach the directory: NUL and other control characters, and
    (unless allowed) empty or whitespace-only text. Returns the value unchanged."""
    if not isinstance(value, str):
        raise InvalidValue(f"{field}: expected text, got {type(value).__name__}")
    if not allow_empty and not value.strip():
        raise InvalidValue(f"{field}: must not be empty")
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
            raise InvalidValue(f"{field}: contains a control or invisible character (U+{ord(ch):04X})")
    return value


def rdn_value(value: str) -> str:
    """Escape one RDN attribute value per RFC 4514 section 2.4."""
    check_text(value, field="RDN value")
    out = []
    for i, ch in enumerate(value):
        if ch in _RDN_SPECIAL:
            out.append("\\" + ch)
        elif i == 0 and ch in "# ":
            out.append("\\" + ch)
        elif i == len(value) - 1 and ch == " ":
            out.append("\\ ")
        else:
            out.append(ch)
    return "".join(out)


def dn(rdn_attr: str, value: str, parent: str) -> str:
    """`rdn_attr=<escaped value>,parent`. `parent` is a DN this module built (or configuration)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", rdn_attr):
        raise InvalidValue(f"bad RDN attribute name {rdn_attr!r}")
    return f"{rdn_attr}={rdn_value(value)},{parent}"


def filter_value(value: str) -> str:
    """Escape one assertion value per RFC 4515 (`* ( ) \\ NUL`)."""
    if not isinstance(value, str):
        raise InvalidValue("filter value must be text")
    return escape_filter_chars(value)


def eq(attr: str, value: str) -> str:
    """An equality filter `(attr=value)` with the value escaped."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*", attr):
        raise InvalidValue(f"bad attribute name {attr!r}")
    return f"({attr}={filter_value(value)})"


def all_of(*filters: str) -> str:
    return "(&" + "".join(filters) + ")"


def any_of(*filters: str) -> str:
    return "(|" + "".join(filters) + ")"


def check_uid(uid: str) -> str:
    """uid allow-list (LD-04), on top of escaping."""
    if not isinstance(uid, str) or not UID_RE.fullmatch(uid):
        raise InvalidValue(f"uid {uid!r} is not allowed: lower-case letters, digits, '.', '_' or '-', 2 to 32 long")
    return uid


def check_unit_code(code: str) -> str:
    if not isinstance(code, str) or not UNIT_CODE_RE.fullmatch(code):
        raise InvalidValue(f"unit code {code!r} is not allowed: letters, digits, '.', '_' or '-', at most 35 long")
    return code


def check_application_name(name: str) -> str:
    if not isinstance(name, str) or not APPLICATION_NAME_RE.fullmatch(name):
        raise InvalidValue(f"application name {name!r} is not allowed: lower-case letters, digits and '-', 2 to 63")
    return name


def dn_is_under(child: str, base: str) -> bool:
    """True when `child` is `base` or lies below it, compared RDN by RDN, case-insensitively
    (AC-07: a DN from a client or a stored reference must stay inside the expected branch)."""
    from ldap3.utils.dn import parse_dn

    try:
        c = [(a.lower(), v.lower()) for a, v, _ in parse_dn(child, escape=False)]
        b = [(a.lower(), v.lower()) for a, v, _ in parse_dn(base, escape=False)]
    except Exception:
        return False
    return len(c) >= len(b) and c[len(c) - len(b):] == b


def same_dn(a: str, b: str) -> bool:
    return dn_is_under(a, b) and dn_is_under(b, a)
