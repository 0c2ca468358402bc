"""The fields of each CA form (Decree 68/2024, 2024 versions), which are required for which
request, and how they are checked. Pure: no database."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _

from provisioning.certificates.models import CertKind, DeviceType, RequestType, RevocationReason

LABELS = {
    "full_name": _("full name"),
    "birth_date": _("date of birth"),
    "id_number": _("personal identification number"),
    "id_issued_on": _("issued on"),
    "id_issued_at": _("issued at"),
    "email": _("official email"),
    "agency": _("agency"),
    "province": _("province or ministry"),
    "position": _("position"),
    "phone": _("mobile phone"),
    "old_serial": _("serial of the old certificate"),
    "device_type": _("device type"),
    "carrier": _("mobile carrier"),
    "org_name": _("organisation name"),
    "address": _("address"),
    "tax_code": _("tax code"),
    "budget_code": _("budget-relation code"),
    "legal_representative": _("legal representative"),
    "custodian": _("custodian of the token"),
    "device_name": _("device, service or software name"),
    "device_identifier": _("domain name or identifier"),
    "managing_unit": _("managing unit"),
    "change_field": _("field to change"),
    "new_value": _("new value"),
    "serial": _("certificate serial"),
    "token_serial": _("token serial"),
    "reason": _("reason"),
    "contact_name": _("contact person"),
    "contact_id_number": _("contact's identification number"),
    "contact_position": _("contact's position"),
    "contact_phone": _("contact's phone"),
    "contact_email": _("contact's official email"),
    "delivery_address": _("delivery address"),
}

CONTACT = ("contact_name", "contact_id_number", "contact_position", "contact_phone", "contact_email",
           "delivery_address")
PERSONAL_NEW = ("full_name", "birth_date", "id_number", "id_issued_on", "id_issued_at", "email", "agency",
                "province", "position", "phone", "device_type")
ORGANISATION_NEW = ("org_name", "address", "tax_code", "budget_code", "province", "email", "legal_representative",
                    "custodian")
# Mẫu 03 (2024): the device, service or software, its domain name (or IP address, or another identifier), the
# unit that manages it, and the contact person every dossier names
DEVICE_NEW = ("device_name", "device_identifier", "managing_unit", "address", "province")
# what a request names its holder by, per kind
HOLDER_NAME = {CertKind.PERSONAL: "full_name", CertKind.ORGANISATION: "org_name", CertKind.DEVICE: "device_name"}
# the fields a change of information (Mẫu 04) may change
CHANGEABLE = ("full_name", "position", "agency", "email", "phone", "id_number", "org_name", "address", "tax_code",
              "budget_code", "legal_representative", "custodian", "device_name", "device_identifier",
              "managing_unit")


def required(kind: str, type_: str, form: dict) -> tuple[str, ...]:
    """The fields a request must have before IT may put it in a batch."""
    name = HOLDER_NAME[kind]
    # a device is named by its identifier; people and organisations by their official email
    ident = "device_identifier" if kind == CertKind.DEVICE else "email"
    if type_ == RequestType.NEW:
        fields = {CertKind.PERSONAL: PERSONAL_NEW, CertKind.ORGANISATION: ORGANISATION_NEW,
                  CertKind.DEVICE: DEVICE_NEW}[kind]
        if form.get("device_type") == DeviceType.PKI_SIM:
            fields += ("carrier",)
    elif type_ == RequestType.RENEWAL:
        fields = (name, ident, "serial")
    elif type_ == RequestType.CHANGE:
        fields = (name, ident, "serial", "change_field", "new_value")
    elif type_ == RequestType.REVOCATION:
        fields = (name, ident, "serial", "reason")
        fields += {CertKind.PERSONAL: ("id_number", "token_serial"),
                   CertKind.ORGANISATION: ("tax_code", "token_serial"), CertKind.DEVICE: ()}[kind]
    else:  # unlock
        fields = (name, "agency", "email", "token_serial")
    return fields + CONTACT


def optional(kind: str, type_: str) -> tuple[str, ...]:
    """Fields the form offers beyond the required ones."""
    if type_ == RequestType.NEW:
        return {CertKind.PERSONAL: ("old_serial", "carrier"), CertKind.ORGANISATION: ("old_serial",),
                CertKind.DEVICE: ("email", "old_serial")}[kind]
    if type_ == RequestType.REVOCATION and kind == CertKind.DEVICE:
        return ("token_serial",)
    return ()


def known_fields() -> tuple[str, ...]:
    return tuple(LABELS)


PHONE = re.compile(r"^(\+84|0)[1-9][0-9]{8,9}$")
DIGITS = re.compile(r"^[0-9]+$")
TAX_CODE = re.compile(r"^[0-9]{10}(-[0-9]{3})?$")
SERIAL = re.compile(r"^[0-9A-Fa-f: ]{1,96}$")
# a DNS name (labels of letters, digits and hyphens; a leading "*." for a wildcard), an IPv4 address, or an
# identifier such as an application code: letters, digits and . _ : / - only
IDENTIFIER = re.compile(r"^(\*\.)?[A-Za-z0-9](?:[A-Za-z0-9._:/-]{0,252}[A-Za-z0-9])?$")


def check(form: dict) -> dict[str, list[str]]:
    """Problems with the values given (missing ones are counted by `missing`)."""
    errors: dict[str, list[str]] = {}

    def bad(name: str, message) -> None:
        errors.setdefault(name, []).append(str(message))

    for name, value in form.items():
        if name not in LABELS:
            bad(name, _("This form has no such field."))
        elif not isinstance(value, str) or len(value) > 255 or any(c in value for c in "\r\n\0"):
            bad(name, _("Enter one line of at most 255 characters."))
    if errors:
        return errors
    for name in ("birth_date", "id_issued_on"):
        if form.get(name):
            try:
                day = dt.date.fromisoformat(form[name])
            except ValueError:
                bad(name, _("Enter a date as YYYY-MM-DD."))
            else:
                if day > dt.date.today() or day.year < 1900:
                    bad(name, _("Enter a date in the past."))
    for name in ("id_number", "contact_id_number"):
        if form.get(name) and not (DIGITS.match(form[name]) and len(form[name]) in (9, 12)):
            bad(name, _("An identification number has 12 digits (or 9 on an old card)."))
    for name in ("phone", "contact_phone"):
        if form.get(name) and not PHONE.match(form[name].replace(" ", "")):
            bad(name, _("Enter a Vietnamese mobile number such as 0912345678 or +84912345678."))
    if form.get("tax_code") and not TAX_CODE.match(form["tax_code"]):
        bad("tax_code", _("A tax code has 10 digits, or 10 digits, a hyphen and 3 digits."))
    for name in ("serial", "old_serial", "token_serial"):
        if form.get(name) and not SERIAL.match(form[name]):
            bad(name, _("Enter the serial in hexadecimal."))
    if form.get("device_type") and form["device_type"] not in DeviceType.values:
        bad("device_type", _("Choose a token, a PKI SIM or a remote signing account."))
    if form.get("reason") and form["reason"] not in RevocationReason.values:
        bad("reason", _("Choose one of the reasons on the revocation form."))
    if form.get("change_field") and form["change_field"] not in CHANGEABLE:
        bad("change_field", _("Choose one of the fields a change of information may change."))
    if form.get("device_identifier") and not IDENTIFIER.match(form["device_identifier"]):
        bad("device_identifier", _("Enter a domain name such as dichvucong.quangtri.gov.vn, an IP address or an "
                                   "identifier made of letters, digits and . _ : / -."))
    return errors


def missing(kind: str, type_: str, form: dict) -> list[str]:
    return [f for f in required(kind, type_, form) if not (form.get(f) or "").strip()]
