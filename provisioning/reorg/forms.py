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
    alias_days = forms.IntegerField(label=_("Old addresses kept for (days; empty: the default)"), required=False,
                                    min_value=0, max_value=3650)
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


def _open_units():
    return Unit.objects.filter(closed_on__isnull=True).order_by("path")


class RenameForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    new_name = forms.CharField(label=_("New legal name"), max_length=255)
    effective = forms.DateField(label=_("Effective date"), initial=timezone.localdate,
                                widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Decision or reason"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _open_units()


class ReparentForm(forms.Form):
    sources = forms.ModelMultipleChoiceField(label=_("Units to move"), queryset=Unit.objects.none(),
                                             widget=forms.SelectMultiple(attrs={"size": 8}))
    new_parent = forms.ModelChoiceField(label=_("Under"), queryset=Unit.objects.none())
    effective = forms.DateField(label=_("Effective date"), initial=timezone.localdate,
                                widget=forms.DateInput(attrs={"type": "date"}))
    alias_days = forms.IntegerField(label=_("Old addresses kept for (days; empty: the default)"), required=False,
                                    min_value=0, max_value=3650)
    note = forms.CharField(label=_("Decision or reason"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].queryset = self.fields["new_parent"].queryset = _open_units()


class SplitForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Unit to split"), queryset=Unit.objects.none())
    parts = forms.CharField(
        label=_("Parts, one a line: code | name | kind | words of the positions it takes | codes of the units "
                "below that go with it | * for the part that takes everyone else"),
        widget=forms.Textarea(attrs={"rows": 4}))
    effective = forms.DateField(label=_("Effective date"), initial=timezone.localdate,
                                widget=forms.DateInput(attrs={"type": "date"}))
    alias_days = forms.IntegerField(label=_("Old addresses kept for (days; empty: the default)"), required=False,
                                    min_value=0, max_value=3650)
    note = forms.CharField(label=_("Decision or reason"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = _open_units()

    def clean_parts(self) -> list[dict]:
        return parts_from_text(self.cleaned_data["parts"])


def parts_from_text(text: str) -> list[dict]:
    """'code | name | kind | positions, … | unit codes, … | *' lines into a split's parts."""
    parts = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("|")] + [""] * 6
        if not any(cells):
            continue
        parts.append({"code": cells[0], "name": cells[1], "kind": cells[2],
                      "positions": [p.strip() for p in cells[3].split(",") if p.strip()],
                      "units": [u.strip() for u in cells[4].split(",") if u.strip()], "default": cells[5] == "*"})
    return parts


def parts_to_text(parts: list[dict]) -> str:
    return "\n".join(" | ".join([p["code"], p["name"], p["kind"], ", ".join(p["positions"]), ", ".join(p["units"]),
                                 "*" if p["default"] else ""]).rstrip(" |") for p in parts)


class PlanEditForm(forms.Form):
    effective = forms.DateField(label=_("Effective date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Decision or reason"), max_length=500, required=False)
    alias_days = forms.IntegerField(label=_("Old addresses kept for (days; empty: the default)"), required=False,
                                    min_value=0, max_value=3650)
    new_name = forms.CharField(label=_("New legal name"), max_length=255, required=False)
    parts = forms.CharField(label=_("Parts"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, plan, **kwargs):
        initial = {"effective": plan.effective, "note": plan.note, "alias_days": plan.alias_days,
                   "new_name": plan.new_name, "parts": parts_to_text(plan.parts)}
        super().__init__(*args, initial=initial, **kwargs)
        if plan.kind != "rename":
            del self.fields["new_name"]
        if plan.kind != "split":
            del self.fields["parts"]
