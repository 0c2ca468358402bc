from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from provisioning.common.naming import NamingRule, validate_visible
from provisioning.people.models import PersonCategory
from provisioning.units.models import UnitKind
from provisioning.units.selectors import unit_choices


def unit_picker(field: forms.ModelChoiceField, units) -> None:
    """Let a unit field offer `units` by their paths ("Sở Y tế › Văn phòng Sở"), with a search box
    (idm.js) in front of it; the queryset still decides what is valid."""
    field.queryset = units
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = empty + [(u.pk, label) for u, label in unit_choices(units)]
    field.widget.attrs["data-unit-picker"] = _("Type to find a unit")


class UnitForm(forms.Form):
    """Create or change a unit, from a date (history keeps the earlier state)."""

    @staticmethod
    def initial_for(unit) -> dict:
        """The form's starting values: the unit as it is today (or a new unit from today)."""
        initial = {"effective": timezone.localdate()}
        if unit is not None:
            initial |= {"code": unit.code, "name": unit.name, "kind": unit.kind, "parent": unit.parent,
                        "mail_domain": unit.mail_domain, "naming_rule": unit.naming_rule,
                        "mailbox_policy": unit.mailbox_policy, "default_quota_mb": unit.default_quota_mb,
                        "list_local_part": unit.list_address.partition("@")[0],
                        "category_quotas": ", ".join(f"{k}={v}" for k, v in sorted(unit.category_quota_mb.items()))}
        return initial

    code = forms.CharField(label=_("Unit code"), max_length=35)
    name = forms.CharField(label=_("Name"), max_length=255, validators=[validate_visible])
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    parent = forms.ModelChoiceField(label=_("Parent unit"), queryset=None, required=False)
    mail_domain = forms.CharField(label=_("Mail domain"), max_length=253, required=False,
                                  help_text=_("Leave empty to inherit the parent unit's domain."))
    naming_rule = forms.ChoiceField(label=_("Address rule"), required=False,
                                    choices=[("", _("inherit from the parent unit"))] + list(NamingRule.choices))
    mailbox_policy = forms.CharField(
        label=_("Who gets a mailbox"), max_length=64, required=False,
        help_text=_("all, none, or categories separated by commas (can_bo, cong_chuc, vien_chuc, hop_dong); "
                    "empty inherits from the parent unit."))
    default_quota_mb = forms.IntegerField(label=_("Default mailbox quota (MB)"), required=False, min_value=10,
                                          max_value=1_000_000,
                                          help_text=_("Leave empty to inherit the parent unit's quota."))
    category_quotas = forms.CharField(
        label=_("Default quota by category (MB)"), max_length=200, required=False,
        help_text=_("For example vien_chuc=512, hop_dong=256; categories not listed use the default quota."))
    list_local_part = forms.CharField(
        label=_("Distribution list address"), max_length=64, required=False,
        help_text=_("The part before the @, e.g. sotaichinh: everyone with a mailbox in this unit and below "
                    "receives mail sent to it."))
    effective = forms.DateField(label=_("In effect from"), widget=forms.DateInput(attrs={"type": "date"}),
                                help_text=_("Today or a past date; the tree as of earlier dates keeps the "
                                            "old details."))

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        unit_picker(self.fields["parent"], parents)


    def clean_category_quotas(self):
        out = {}
        for part in (self.cleaned_data.get("category_quotas") or "").replace(";", ",").split(","):
            if not part.strip():
                continue
            key, _eq, value = part.partition("=")
            key, value = key.strip().lower(), value.strip()
            if key not in PersonCategory.values or not value.isdigit() or not 10 <= int(value) <= 1_000_000:
                raise forms.ValidationError(_("Write category=MB pairs, e.g. vien_chuc=512 (10 to 1,000,000 MB)."))
            out[key] = int(value)
        return out

    def clean_mailbox_policy(self):
        value = "".join(self.cleaned_data.get("mailbox_policy", "").split()).lower()
        if value in ("", "all", "none"):
            return value
        parts = value.split(",")
        unknown = [p for p in parts if p not in PersonCategory.values]
        if unknown:
            raise forms.ValidationError(_("Unknown category: %(list)s.") % {"list": ", ".join(unknown)})
        return ",".join(parts)


class TreeImportForm(forms.Form):
    file = forms.FileField(label=_("Unit list (XLSX or CSV)"))
    dry_run = forms.BooleanField(label=_("Only check and show what would change"), required=False, initial=True)
