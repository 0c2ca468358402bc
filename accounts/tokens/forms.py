"""Input shapes for the tokens page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("The system that will use it, e.g. “HR software of Sở Nội vụ”."))
    expires_on = forms.DateField(label=_("Last day it works"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text=_("Leave empty to keep it until you revoke it."))


class RevokeForm(forms.Form):
    token = forms.IntegerField(min_value=1)
