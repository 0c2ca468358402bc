from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from provisioning.common.naming import NameOrder
from provisioning.people.models import Person, PersonCategory, PersonStatus
from provisioning.units.forms import unit_picker


class PersonForm(forms.Form):
    """Onboarding one person (and editing HR facts). The unit list is the HR officer's subtree."""

    employee_code = forms.CharField(label=_("Employee code"), max_length=64)
    family_name = forms.CharField(label=_("Family name"), max_length=64)
    middle_name = forms.CharField(label=_("Middle name"), max_length=128, required=False)
    given_name = forms.CharField(label=_("Given name"), max_length=64)
    name_order = forms.ChoiceField(label=_("Name order"), choices=NameOrder.choices, initial=NameOrder.FAMILY_FIRST,
                                   required=False,
                                   help_text=_("How the name is written out on pages, letters and in the address "
                                               "book; the address itself does not change."))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    position = forms.CharField(label=_("Position"), max_length=255, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=PersonCategory.choices)
    personal_email = forms.CharField(label=_("Personal email"), max_length=254, required=False,
                                     help_text=_("Used to send the activation code and password resets."))
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    citizen_id = forms.CharField(label=_("Citizen ID (CCCD)"), max_length=20, required=False,
                                 help_text=_("12 digits; stored encrypted and never shown in lists."))
    mailbox_decision = forms.ChoiceField(label=_("Official mailbox"), required=False,
                                         choices=Person.MailboxDecision.choices)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        unit_picker(self.fields["unit"], units)


class FilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    unit = forms.CharField(required=False, max_length=35)
    status = forms.ChoiceField(required=False, choices=[("", "")] + list(PersonStatus.choices))
    sort = forms.CharField(required=False, max_length=10)
