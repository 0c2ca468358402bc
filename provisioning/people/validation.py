"""Checking what HR types or uploads about a person: one place for the form, the import and the
API. Every problem is a code with its parameters, keyed by field (what the import stores: it is
checked by a worker whose language is not the reader's), rendered in the reader's language when
it is shown (`render`, `Checked.errors`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from provisioning.common import naming, protect
from provisioning.people.models import Person, PersonCategory

EMPLOYEE_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,63}$")  # after normalise_employee_code
# RFC 5321 dot-atom: no quoted local part ("a\\"@b"@evil.test is one address to a mail server, two to a
# careless parser), no comments; the whole address at most 254 characters (RFC 3696 erratum 1690)
LOCAL_PART_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
EMAIL_MAX = 254
LOCAL_PART_MAX = 64
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


# code -> message template (English source, translated when rendered). A stored code whose
# template is gone renders as the code, never as an error page.
MESSAGES = {
    "required": _("This field is required."),
    "invisible": naming.INVISIBLE_MESSAGE,
    "text.legacy_encoding": _("This text is in an old Vietnamese font encoding (VNI or TCVN3), not Unicode. "
                              "Convert the file to Unicode (for example with Unikey's converter), save it as "
                              "UTF-8 and upload it again."),
    "too_long": _("Too long: at most %(max)s characters."),
    "name.letters": _("A name may contain only letters, spaces, apostrophes and hyphens."),
    "name.split": _("Give at least a family name and a given name."),  # rows checked before one-word names
    "name.middle_without_family": _("A middle name needs a family name. For a one-word name fill in the given "
                                    "name only."),
    "name.no_ascii": _("The given name has no letter that can be written in an address."),
    "name.mixed_script": _("The name mixes alphabets (for example a Cyrillic letter that looks Latin); check it."),
    "name_order.invalid": _("Choose family name first or given name first."),
    "employee_code.chars": _("Use letters, digits, '.', '_', '-' or '/' only (at most 64)."),
    "email.single": _("Enter a single valid email address."),
    "email.invalid": _("“%(value)s” is not a valid email address."),
    "email.quoted": _("Write the email address without quotation marks or spaces before the @."),
    "email.too_long": _("An email address has at most %(max)s characters."),
    "phone.invalid": _("“%(value)s” is not a Vietnamese mobile number (for example 0912 345 678)."),
    "citizen_id.invalid": _("The citizen ID (CCCD) has exactly 12 digits."),
    "category.unknown": _("Unknown category “%(value)s”: use cán bộ, công chức, viên chức or hợp đồng."),
    # the import's own checks (provisioning/imports/services.py)
    "cell.formula": _("The cell holds a formula; paste the values only."),
    "cell.control": _("Contains an invisible or control character; retype this cell."),
    "unit.ambiguous": _("“%(value)s” matches several units: %(list)s. Use the unit code."),
    "unit.unknown_close": _("Unknown unit “%(value)s”. Did you mean: %(list)s?"),
    "unit.unknown": _("Unknown unit “%(value)s”: check the unit code."),
    "unit.outside_scope": _("“%(value)s” is outside the units you manage."),
    "employee_code.repeated": _("The same employee code is on row %(row)s."),
    "employee_code.outside_scope": _("This person belongs to a unit you do not manage."),
    "employee_code.taken": _("Another person already has this employee code."),
    "citizen_id.repeated": _("The same citizen ID is on row %(row)s."),
    "citizen_id.taken": _("Another person already has this citizen ID."),
    "columns.unused": _("Columns not used: %(list)s"),
    "file.uploaded_before": _("The same file was uploaded before (import #%(number)s). Rows that import already "
                              "brought in are shown as already imported and are not imported again."),
}


def problem(code: str, /, **params) -> dict:
    """A problem as stored: its code and the values its message needs (JSON: text and numbers)."""
    return {"code": code, "params": params} if params else {"code": code}


def render(item) -> str:
    """A stored problem in the active language. Plain strings (stored before codes) show as they are."""
    if not isinstance(item, dict):
        return str(item)
    template = MESSAGES.get(item.get("code", ""))
    if template is None:
        return str(item.get("text") or item.get("code", ""))
    return str(template) % item.get("params", {})


def render_all(problems: dict[str, list]) -> dict[str, list[str]]:
    return {name: [render(p) for p in items] for name, items in problems.items()}


def error(code: str, /, **params) -> ValidationError:
    """A ValidationError that keeps its code, so the import can store it as a code."""
    return ValidationError(MESSAGES[code], code=code, params=params or None)


@dataclass
class Checked:
    values: dict = field(default_factory=dict)
    problems: dict[str, list[dict]] = field(default_factory=dict)  # field -> [problem(...)]
    cautions: list[dict] = field(default_factory=list)  # [problem(...)]: warnings, not errors

    def error(self, name: str, code: str, /, **params) -> None:
        self.problems.setdefault(name, []).append(problem(code, **params))

    def warn(self, code: str, /, **params) -> None:
        self.cautions.append(problem(code, **params))

    @property
    def errors(self) -> dict[str, list[str]]:
        """The problems as messages in the active language."""
        return render_all(self.problems)

    @property
    def warnings(self) -> list[str]:
        return [render(w) for w in self.cautions]


def _invisible(value: str) -> str | None:
    return naming.invisible_character(value)


def text(c: Checked, name: str, value: str | None, *, required: bool = False, is_name: bool = False) -> str:
    value = naming.clean_name(value or "")
    bad = _invisible(value)
    if bad:
        c.error(name, "invisible", code=bad)
        return ""
    if value and (is_name or name == "position") and naming.legacy_vietnamese(value):
        c.error(name, "text.legacy_encoding")
        return ""
    if required and not value:
        c.error(name, "required")
    elif len(value) > LIMITS.get(name, 255):
        c.error(name, "too_long", max=LIMITS.get(name, 255))
    elif is_name and value and not NAME_RE.match(value):
        c.error(name, "name.letters")
    return value


def normalise_employee_code(value: str) -> str:
    """An employee code as stored and looked up: width-mapped, trimmed, upper case ("nv001" and "ＮＶ００１"
    are NV001: HR types codes in any case, and one code is one person)."""
    return naming.clean_name(value or "").upper()


def employee_code(c: Checked, value: str | None) -> str:
    value = normalise_employee_code(text(c, "employee_code", value, required=True))
    if value and "employee_code" not in c.errors and not EMPLOYEE_CODE_RE.match(value):
        c.error("employee_code", "employee_code.chars")
    return value


def email(c: Checked, value: str | None) -> str:
    value = naming.map_width(value or "").strip()
    if not value:
        return ""
    if any(ch in value for ch in "\r\n") or _invisible(value):
        c.error("personal_email", "email.single")
        return ""
    if len(value) > EMAIL_MAX:
        c.error("personal_email", "email.too_long", max=EMAIL_MAX)
        return ""
    local, _sep, domain = value.rpartition("@")
    if local and (len(local) > LOCAL_PART_MAX or not LOCAL_PART_RE.match(local)):
        c.error("personal_email", "email.quoted" if '"' in local or " " in local else "email.invalid",
                **({} if '"' in local or " " in local else {"value": value[:80]}))
        return ""
    value = f"{local}@{domain.lower()}" if local else value
    try:
        EmailValidator()(value)
    except ValidationError:
        c.error("personal_email", "email.invalid", value=value[:80])
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
        c.error("phone", "phone.invalid", value=value[:40])
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def citizen_id(c: Checked, value: str | None) -> str:
    value = re.sub(r"\s", "", value or "")
    if value and not CITIZEN_ID_RE.match(value):
        c.error("citizen_id", "citizen_id.invalid")
        return ""
    return value


def category(c: Checked, value: str | None) -> str:
    key = naming.clean_name(value or "").lower()
    if not key:
        return PersonCategory.CONG_CHUC
    found = CATEGORY_WORDS.get(key)
    if found is None:
        c.error("category", "category.unknown", value=(value or "")[:40])
        return ""
    return found


def name_order(c: Checked, value: str | None) -> str:
    if not value:
        return naming.NameOrder.FAMILY_FIRST
    if value not in naming.NameOrder.values:
        c.error("name_order", "name_order.invalid")
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
        # one word is a given name alone: some minority names have no family name (the directory's
        # sn then repeats it, see directory.entries)
        family, middle, given = naming.split_full_name(raw["full_name"])
    v["family_name"] = text(c, "family_name", family, is_name=True)
    v["middle_name"] = text(c, "middle_name", middle, is_name=True)
    v["given_name"] = text(c, "given_name", given, required=True, is_name=True)
    if v["middle_name"] and not v["family_name"] and "family_name" not in c.problems:
        c.error("family_name", "name.middle_without_family")
    if v["given_name"] and not naming.ascii_word(v["given_name"]):
        c.error("given_name", "name.no_ascii")
    v["name_order"] = name_order(c, raw.get("name_order"))
    v["position"] = text(c, "position", raw.get("position"))
    v["category"] = category(c, raw.get("category"))
    v["personal_email"] = email(c, raw.get("personal_email"))
    v["phone"] = phone(c, raw.get("phone"))
    v["citizen_id"] = citizen_id(c, raw.get("citizen_id"))
    if naming.mixed_script(v["family_name"], v["middle_name"], v["given_name"]):
        c.warn("name.mixed_script")
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
