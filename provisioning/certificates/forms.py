"""Input shapes of the certificate pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from provisioning.certificates.fields import LABELS
from provisioning.certificates.models import DeviceType


class PersonalRequestForm(forms.Form):
    """What the directory does not know for Mẫu 01; the rest is prefilled."""

    birth_date = forms.DateField(label=LABELS["birth_date"], widget=forms.DateInput(attrs={"type": "date"}))
    id_number = forms.CharField(label=LABELS["id_number"], max_length=12)
    id_issued_on = forms.DateField(label=LABELS["id_issued_on"], widget=forms.DateInput(attrs={"type": "date"}))
    id_issued_at = forms.CharField(label=LABELS["id_issued_at"], max_length=255)
    phone = forms.CharField(label=LABELS["phone"], max_length=16, required=False)
    device_type = forms.ChoiceField(label=LABELS["device_type"], choices=DeviceType.choices)
    carrier = forms.CharField(label=LABELS["carrier"], max_length=64, required=False)
    delivery_address = forms.CharField(label=LABELS["delivery_address"], max_length=255)

    def form_values(self) -> dict:
        d = self.cleaned_data
        out = {k: str(v) for k, v in d.items() if v}
        out["contact_id_number"] = d["id_number"]
        if d.get("phone"):
            out["contact_phone"] = d["phone"]
        return out


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
