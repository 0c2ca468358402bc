"""Checking what HR types or uploads about a person: one place for the form, the import and the
API. Every problem is a message in the user's language, keyed by field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from provisioning.common import naming, protect
from provisioning.people.models import Person, PersonCategory

EMPLOYEE_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
CITIZEN_ID_RE = re.compile(r"^\d{12}$")
# letters (any script, checked for mixing separately), spaces, apostrophes, hyphens, dots
NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '’.\-][^\W\d_]*)*$")
LIMITS = {"family_name": 64, "middle_name": 128, "given_name": 64, "position": 255, "employee_code": 64,
          "personal_email": 254, "unit": 255}
CATEGORY_WORDS = {
    "can_bo": PersonCategory.CAN_BO, "can bo": PersonCategory.CAN_BO, "cán bộ": PersonCategory.CAN_BO,
    "cong_chuc": PersonCategory.CONG_CHUC, "cong chuc": PersonCategory.CONG_CHUC, "công chức": PersonCategory.CONG_CHUC,
    "vien_chuc": PersonCategory.VIEN_CHUC, "vien chuc": PersonCategory.VIEN_CHUC, "viên chức": PersonCategory.VIEN_CHUC,
    "hop_dong": PersonCategory.HOP_DONG, "hop dong": PersonCategory.HOP_DONG, "hợp đồng": PersonCategory.HOP_DONG,
    "lao động hợp đồng": PersonCategory.HOP_DONG,
}


@dataclass
class Checked:
    values: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(str(message))


def _invisible(value: str) -> str | None:
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
            return f"U+{ord(ch):04X}"
    return None


def text(c: Checked, name: str, value: str | None, *, required: bool = False, is_name: bool = False) -> str:
    value = naming.clean_name(value or "")
    bad = _invisible(value)
    if bad:
        c.error(name, _("Contains an invisible or control character (%(code)s); retype this cell.") % {"code": bad})
        return ""
    if required and not value:
        c.error(name, _("This field is required."))
    elif len(value) > LIMITS.get(name, 255):
        c.error(name, _("Too long: at most %(max)s characters.") % {"max": LIMITS.get(name, 255)})
    elif is_name and value and not NAME_RE.match(value):
        c.error(name, _("A name may contain only letters, spaces, apostrophes and hyphens."))
    return value


def employee_code(c: Checked, value: str | None) -> str:
    value = text(c, "employee_code", value, required=True)
    if value and "employee_code" not in c.errors and not EMPLOYEE_CODE_RE.match(value):
        c.error("employee_code", _("Use letters, digits, '.', '_', '-' or '/' only (at most 64)."))
    return value


def email(c: Checked, value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if any(ch in value for ch in "\r\n") or _invisible(value):
        c.error("personal_email", _("Enter a single valid email address."))
        return ""
    local, _sep, domain = value.rpartition("@")
    value = f"{local}@{domain.lower()}" if local else value
    try:
        EmailValidator()(value)
    except ValidationError:
        c.error("personal_email", _("“%(value)s” is not a valid email address.") % {"value": value[:80]})
        return ""
    return value


def phone(c: Checked, value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if value.isdigit() and len(value) == 9:  # Excel drops the leading 0 of 0912345678
        value = "0" + value
    try:
        number = phonenumbers.parse(value, "VN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number) or number.country_code != 84:
        c.error("phone", _("“%(value)s” is not a Vietnamese mobile number (for example 0912 345 678).")
                % {"value": value[:40]})
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def citizen_id(c: Checked, value: str | None) -> str:
    value = re.sub(r"\s", "", value or "")
    if value and not CITIZEN_ID_RE.match(value):
        c.error("citizen_id", _("The citizen ID (CCCD) has exactly 12 digits."))
        return ""
    return value


def category(c: Checked, value: str | None) -> str:
    key = naming.clean_name(value or "").lower()
    if not key:
        return PersonCategory.CONG_CHUC
    found = CATEGORY_WORDS.get(key)
    if found is None:
        c.error("category", _("Unknown category “%(value)s”: use cán bộ, công chức, viên chức or hợp đồng.")
                % {"value": (value or "")[:40]})
        return ""
    return found


def name_order(c: Checked, value: str | None) -> str:
    if not value:
        return naming.NameOrder.FAMILY_FIRST
    if value not in naming.NameOrder.values:
        c.error("name_order", _("Choose family name first or given name first."))
        return ""
    return value


def person(raw: dict) -> Checked:
    """Check one person's fields (already mapped to our field names). The unit is resolved by
    the caller. Names: explicit family/middle/given win; otherwise the full name is split."""
    c = Checked()
    v = c.values
    v["employee_code"] = employee_code(c, raw.get("employee_code"))
    family, middle, given = raw.get("family_name") or "", raw.get("middle_name") or "", raw.get("given_name") or ""
    if not (family.strip() or given.strip()) and (raw.get("full_name") or "").strip():
        family, middle, given = naming.split_full_name(raw["full_name"])
        if not family:
            c.error("full_name", _("Give at least a family name and a given name."))
    v["family_name"] = text(c, "family_name", family, required="full_name" not in c.errors, is_name=True)
    v["middle_name"] = text(c, "middle_name", middle, is_name=True)
    v["given_name"] = text(c, "given_name", given, required="full_name" not in c.errors, is_name=True)
    if v["given_name"] and not naming.ascii_word(v["given_name"]):
        c.error("given_name", _("The given name has no letter that can be written in an address."))
    v["name_order"] = name_order(c, raw.get("name_order"))
    v["position"] = text(c, "position", raw.get("position"))
    v["category"] = category(c, raw.get("category"))
    v["personal_email"] = email(c, raw.get("personal_email"))
    v["phone"] = phone(c, raw.get("phone"))
    v["citizen_id"] = citizen_id(c, raw.get("citizen_id"))
    if naming.mixed_script(v["family_name"], v["middle_name"], v["given_name"]):
        c.warnings.append(_("The name mixes alphabets (for example a Cyrillic letter that looks Latin); check it."))
    return c


def holders(*, employee_code: str = "", citizen_id: str = "", exclude_pk: int | None = None) -> dict[str, Person]:
    """Who already holds a value that must be unique: field name -> that person (with their unit).
    One query. The personal email is not unique (a family may share one), so it is not checked."""
    from django.db.models import Q

    q = Q(pk__in=[])
    if employee_code:
        q |= Q(employee_code=employee_code)
    if citizen_id:
        q |= Q(citizen_id_digest=protect.digest(citizen_id))
    found = {}
    for p in Person.objects.filter(q).exclude(pk=exclude_pk).select_related("unit"):
        if employee_code and p.employee_code == employee_code:
            found["employee_code"] = p
        if citizen_id and p.citizen_id_digest == protect.digest(citizen_id):
            found["citizen_id"] = p
    return found
