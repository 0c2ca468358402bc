from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from provisioning.people.models import Person
from provisioning.units.forms import unit_picker


class RoleFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    role = forms.ChoiceField(required=False, choices=[("", "")] + list(Role.choices))
    who = forms.CharField(required=False, max_length=100)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.full_name} ({obj.uid}) · {obj.unit.name}"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return "\u00a0\u00a0" * obj.depth + f"{obj.name} ({obj.code})"  # the tree, indented


class GrantForm(forms.Form):
    """Grant a role. The unit and person lists are the grantor's reach; the picker shows only the
    people found by the search (`candidates`), while any person in reach is accepted on POST."""

    person = PersonChoiceField(label=_("Person"), queryset=Person.objects.none(),
                               empty_label=_("Choose a person"))
    role = forms.ChoiceField(label=_("Role"))
    unit = UnitChoiceField(label=_("Over the unit (and everything below it)"), queryset=None,
                                  empty_label=_("Choose a unit"))
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False,
                             help_text=_("Kept in the audit trail, e.g. the decision number."))

    def __init__(self, *args, units, people, candidates, roles, **kwargs):
        super().__init__(*args, **kwargs)
        unit_picker(self.fields["unit"], units)  # paths ("Sở Y tế › Văn phòng Sở") and type-to-find
        self.fields["person"].queryset = people
        field = self.fields["person"]
        field.widget.choices = [("", field.empty_label)] + [(p.pk, field.label_from_instance(p)) for p in candidates]
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False,
                             help_text=_("Kept in the audit trail, e.g. the decision number."))
