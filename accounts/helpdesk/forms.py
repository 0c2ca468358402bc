from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ActivationCode


class HelpdeskResetForm(forms.Form):
    """No password field anywhere: the officer never chooses or sees one (PW-18)."""

    employee_code = forms.CharField(label=_("Employee code, as the person states it"), max_length=64)
    citizen_id = forms.CharField(label=_("Citizen ID (CCCD), read from the person's card"), max_length=32,
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    channel = forms.ChoiceField(label=_("Send the new activation code"), widget=forms.RadioSelect,
                                choices=[(ActivationCode.Channel.EMAIL, _("by email to the personal address on file")),
                                         (ActivationCode.Channel.LETTER, _("on a printed letter, handed over in "
                                                                          "person"))])
