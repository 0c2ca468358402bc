from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ActivationForm(forms.Form):
    uid = forms.CharField(label=_("User name"), max_length=32,
                          widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))
    code = forms.CharField(label=_("Activation code"), max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "autocapitalize": "characters"}))
    password = forms.CharField(label=_("New password"), strip=False, max_length=1024,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("New password again"), strip=False, max_length=1024,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
