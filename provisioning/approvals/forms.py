"""Input shapes for requests and decisions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class QuotaRequestForm(forms.Form):
    requested_mb = forms.IntegerField(label=_("requested quota (MB)"), min_value=1, max_value=10_000_000)
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)  # the service says why it is needed


class DecisionForm(forms.Form):
    request = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(max_length=500, required=False)
