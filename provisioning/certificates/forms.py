"""Input shapes of the certificate pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from provisioning.certificates import fields
from provisioning.certificates.fields import LABELS
from provisioning.certificates.models import CertKind, DeviceType, RequestType, RevocationReason

DATES = ("birth_date", "id_issued_on")
CHOICES = {"device_type": DeviceType.choices, "reason": RevocationReason.choices}
# What the directory record says and the service checks against it: shown, never typed.
LOCKED = {CertKind.PERSONAL: ("full_name", "email", "agency", "province"),
          CertKind.ORGANISATION: ("province",), CertKind.DEVICE: ("managing_unit", "province")}
# Taken from the certificate the request is about when left empty.
FROM_CERTIFICATE = ("serial", "token_serial", "old_serial")


class CertificateRequestForm(forms.Form):
    """Any request on its CA form (Mẫu 01..06): the fields that form has, prefilled from the
    directory record; the service (services.request_create) has the last word on every value."""

    def __init__(self, data=None, *, kind: str, type_: str, prefill: dict, certificates=(), people=None):
        super().__init__(data)
        self.kind, self.type = kind, type_
        if type_ != RequestType.NEW:
            self.fields["certificate"] = forms.TypedChoiceField(
                label=_("Certificate"), coerce=int,
                choices=[("", "—")] + [(c.pk, f"{c.serial} ({_('valid until')} {c.not_after:%d/%m/%Y})")
                                       for c in certificates])
        if people is not None:
            self.fields["person"] = forms.TypedChoiceField(
                label=LABELS["custodian"] if kind == CertKind.ORGANISATION else LABELS["contact_name"], coerce=int,
                choices=[("", "—")] + [(p.pk, f"{p.full_name} — {p.position or p.uid}") for p in people])
        required = [f for f in fields.required(kind, type_, {}) if f not in fields.CONTACT]
        names = required + [f for f in fields.optional(kind, type_) if f not in required] + list(fields.CONTACT)
        if kind == CertKind.ORGANISATION:  # the custodian is chosen from the unit's staff above
            names.remove("custodian")
        for name in names:
            # a personal request's contact is the holder: what is left empty is taken from their own fields
            # and what the record already gives is kept when the field comes back empty (the service refills it)
            contact = name in fields.CONTACT and kind != CertKind.PERSONAL
            self.fields[name] = self._field(name, required=(name in required or contact) and not prefill.get(name))
            if name in prefill:
                self.fields[name].initial = prefill[name]
            if name in LOCKED[kind] and prefill.get(name):
                self.fields[name].disabled = True

    def _field(self, name: str, *, required: bool) -> forms.Field:
        label = LABELS[name]
        required = required and name not in FROM_CERTIFICATE
        if name in DATES:
            return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
        if name in CHOICES:
            return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *CHOICES[name]])
        if name == "change_field":
            return forms.ChoiceField(label=label, required=required,
                                     choices=[("", "—")] + [(f, LABELS[f]) for f in fields.CHANGEABLE])
        if name in ("email", "contact_email"):
            return forms.EmailField(label=label, required=required, max_length=254)
        return forms.CharField(label=label, required=required, max_length=255)

    def clean(self):
        d = super().clean()
        if d.get("device_type") == DeviceType.PKI_SIM and not d.get("carrier") and "carrier" in self.fields:
            self.add_error("carrier", _("Name the mobile carrier of the PKI SIM."))
        return d

    def form_values(self) -> dict:
        """The values for the service (dates as YYYY-MM-DD); the person is the contact of a personal request."""
        d = self.cleaned_data
        out = {k: (v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in d.items()
               if v not in (None, "") and k not in ("certificate", "person") and not self.fields[k].disabled}
        if self.kind == CertKind.PERSONAL:
            out.setdefault("contact_id_number", out.get("id_number", ""))
            if out.get("phone"):
                out.setdefault("contact_phone", out["phone"])
        return {k: v for k, v in out.items() if v}


class CsrForm(forms.Form):
    csr = forms.FileField(label=_("Certificate request (PKCS#10, from your token)"))


class DecisionForm(forms.Form):
    request = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(max_length=500, required=False)


class CertificateFileForm(forms.Form):
    file = forms.FileField(label=_("Certificates from the CA (PEM, DER or PKCS#7)"))
    token_serial = forms.CharField(label=LABELS["token_serial"], max_length=64, required=False)


class BatchForm(forms.Form):
    batch = forms.IntegerField(min_value=1)


class RequestChoiceForm(forms.Form):
    request = forms.IntegerField(min_value=1)


class RevocationForm(forms.Form):
    """IT records a revocation: a revocation request of a sent batch, or any certificate by serial."""

    request = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    serial = forms.CharField(label=LABELS["serial"], max_length=96, required=False)
    reason = forms.ChoiceField(label=LABELS["reason"], required=False, choices=[("", "—"), *RevocationReason.choices])

    def clean(self):
        d = super().clean()
        if not d.get("request") and not (d.get("serial") and d.get("reason")):
            raise forms.ValidationError(_("Give the serial of the certificate and the reason for the revocation."))
        if d.get("serial") and not fields.SERIAL.match(d["serial"]):
            self.add_error("serial", _("Enter the serial in hexadecimal."))
        return d
