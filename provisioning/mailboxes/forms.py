"""Input shapes for the mailbox pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from provisioning.people.models import Person, PersonStatus
from provisioning.units.models import Unit


class FunctionalMailboxForm(forms.Form):
    """A functional mailbox of a unit: its address's local part and name when created, and its
    delegates (active people of the unit's subtree) whenever it is saved."""

    local_part = forms.CharField(label=_("Address"), max_length=64, required=False)
    name = forms.CharField(label=_("Name"), max_length=255, required=False)
    delegates = forms.ModelMultipleChoiceField(label=_("Delegates"), queryset=Person.objects.none(), required=False)

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegates"].queryset = Person.objects.filter(unit__path__startswith=unit.path,
                                                                  status=PersonStatus.ACTIVE)

    def clean_delegates(self):
        delegates = list(self.cleaned_data["delegates"])
        if len(delegates) > 100:
            raise forms.ValidationError(_("At most 100 delegates."))
        return delegates
