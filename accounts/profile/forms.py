from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def _password(label, autocomplete: str) -> forms.CharField:
    # PW-11: a plain password input (paste and password managers work); max_length only bounds the
    # request, the policy's maximum (PW-03) gives the reason
    return forms.CharField(label=label, strip=False, max_length=1024,
                           widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}))


class PasswordChangeForm(forms.Form):
    current = _password(_("Current password"), "current-password")
    password = _password(_("New password"), "new-password")
    password2 = _password(_("New password again"), "new-password")


class ContactChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to change"), choices=[("email", _("Personal email")),
                                                                 ("phone", _("Mobile phone"))])
    value = forms.CharField(label=_("New personal email or mobile number"), max_length=254)
    current = _password(_("Current password"), "current-password")


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=16,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
