from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OneTimeCode


class RecoveryRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("User name, official email or employee code"), max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}))
    # RS-16: email first; the page never says which channels an account has
    channel = forms.ChoiceField(
        label=_("Send the code by"), widget=forms.RadioSelect, initial=OneTimeCode.Channel.EMAIL,
        choices=[(OneTimeCode.Channel.EMAIL, _("Email to my personal address on file")),
                 (OneTimeCode.Channel.SMS, _("SMS to my mobile phone, only if I have confirmed it in My account "
                                             "(less safe: a text message can be read on the lock screen or "
                                             "diverted by a SIM swap)"))])


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=16,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


class NewPasswordForm(forms.Form):
    # PW-11: a plain password input; the policy's maximum (PW-03) gives the reason
    password = forms.CharField(label=_("New password"), strip=False, max_length=1024,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("New password again"), strip=False, max_length=1024,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class UsernameReminderForm(forms.Form):
    email = forms.CharField(label=_("Your personal email"), max_length=254,
                            widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))
