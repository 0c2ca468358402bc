from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from provisioning.applications.models import ACCOUNT_VALIDATOR
from provisioning.units.models import Unit


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Application"), max_length=255,
                           help_text=_("For example: iOffice document management of the Department of Health"))
    account = forms.CharField(label=_("Account name"), max_length=63, validators=[ACCOUNT_VALIDATOR],
                              help_text=_("Its bind DN will be cn=<account name>,ou=applications,ou=services,…"))
    unit = forms.ModelChoiceField(label=_("May read the unit and everything below it"), queryset=Unit.objects.none())
    contact = forms.CharField(label=_("Contact (who runs it, how to reach them)"), max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(closed_on__isnull=True).order_by("path")


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
