from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from provisioning.units.models import Unit, UnitKind


class MergeForm(forms.Form):
    sources = forms.ModelMultipleChoiceField(label=_("Units to merge"), queryset=Unit.objects.none(),
                                             widget=forms.SelectMultiple(attrs={"size": 8}))
    target = forms.ModelChoiceField(label=_("Into an existing unit"), queryset=Unit.objects.none(), required=False)
    new_code = forms.CharField(label=_("…or a new unit: code"), max_length=35, required=False)
    new_name = forms.CharField(label=_("New unit's name"), max_length=255, required=False)
    new_kind = forms.ChoiceField(label=_("New unit's kind"), choices=[("", "—"), *UnitKind.choices], required=False)
    new_parent = forms.ModelChoiceField(label=_("New unit's parent"), queryset=Unit.objects.none(), required=False)
    new_domain = forms.CharField(label=_("New unit's mail domain"), max_length=253, required=False)
    effective = forms.DateField(label=_("Effective date"), initial=timezone.localdate,
                                widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Decision or reason"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        open_units = Unit.objects.filter(closed_on__isnull=True).order_by("path")
        for name in ("sources", "target", "new_parent"):
            self.fields[name].queryset = open_units


class PlanActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("apply", "apply"), ("cancel", "cancel")])


class DissolveForm(forms.Form):
    units = forms.ModelMultipleChoiceField(label=_("Units to dissolve (each into its own parent)"),
                                           queryset=Unit.objects.none(), widget=forms.SelectMultiple(attrs={"size": 8}))
    effective = forms.DateField(label=_("Effective date"), initial=timezone.localdate,
                                widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Decision or reason"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        open_units = Unit.objects.filter(closed_on__isnull=True, parent__isnull=False)
        self.fields["units"].queryset = open_units.order_by("path")
