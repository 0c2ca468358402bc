from __future__ import annotations

import datetime as dt

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from provisioning.common.naming import NameOrder
from provisioning.people import validation
from provisioning.people.models import Person, PersonCategory, PersonStatus
from provisioning.units.forms import unit_picker
from provisioning.units.selectors import unit_paths


class PersonForm(forms.Form):
    """Onboarding one person (and editing HR facts). The unit list is the HR officer's subtree."""

    employee_code = forms.CharField(label=_("Employee code"), max_length=64)
    family_name = forms.CharField(label=_("Family name"), max_length=64, required=False,
                                  help_text=_("Leave empty for a one-word name (given name only)."))
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

    def __init__(self, *args, units=None, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.units, self.person = units, person
        unit_picker(self.fields["unit"], units)

    def clean(self):
        """Every problem of a submission at once: the formats are checked even when a required field
        is missing, and values that must be unique are looked up alongside."""
        data = super().clean()
        checked = validation.person({f: data.get(f) or "" for f in (
            "employee_code", "family_name", "middle_name", "given_name", "name_order", "position", "category",
            "personal_email", "phone", "citizen_id")})
        for name, errors in checked.errors.items():
            if name in self.fields and not self.has_error(name):
                for message in errors:
                    self.add_error(name, message)
        unique = {f: checked.values.get(f, "") if not self.has_error(f) else "" for f in ("employee_code",
                                                                                         "citizen_id")}
        for name, holder in validation.holders(**unique, exclude_pk=self.person.pk if self.person else None).items():
            self.add_error(name, self._taken(name, unique[name], holder))
        return data

    def _taken(self, name: str, value: str, holder: Person) -> SafeString:
        """Who holds the value, linked, when the officer may see them; only that it is taken otherwise."""
        if self.units is not None and self.units.filter(pk=holder.unit_id).exists():
            who = format_html('<a href="{}">{} ({})</a>, {}', reverse("provisioning:person", args=[holder.pk]),
                              holder.full_name, holder.uid, unit_paths([holder.unit])[holder.unit_id])
            message = {"employee_code": gettext("Employee code %(code)s already belongs to %(holder)s."),
                       "citizen_id": gettext("This citizen ID already belongs to %(holder)s.")}[name]
        else:
            who = ""
            message = {"employee_code": gettext("Employee code %(code)s is already taken by someone outside the "
                                                "units you manage."),
                       "citizen_id": gettext("This citizen ID is already recorded for someone outside the units "
                                             "you manage.")}[name]
        return mark_safe(conditional_escape(message) % {"code": conditional_escape(value), "holder": who})


class FilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    unit = forms.CharField(required=False, max_length=35)
    status = forms.ChoiceField(required=False, choices=[("", "")] + list(PersonStatus.choices))
    sort = forms.CharField(required=False, max_length=10)


BACKDATE_DAYS = 90  # a late report of a departure, not a rewrite of last year


class LifecycleForm(forms.Form):
    """Confirming one lifecycle step: from which day, and why (both kept in the person's history).
    The step takes effect when confirmed; nothing can be scheduled for a later day yet."""

    effective_on = forms.DateField(label=_("Effective date"),
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    reason_required = ""  # the message when a reason is required and missing

    def __init__(self, *args, person, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["effective_on"].initial = timezone.localdate
        self.fields["effective_on"].help_text = gettext(
            "Today or up to %(days)s days back. The change takes effect as soon as you confirm; a later day "
            "cannot be scheduled yet.") % {"days": BACKDATE_DAYS}
        if self.reason_required:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = self.reason_required

    def clean_effective_on(self) -> dt.date:
        day = self.cleaned_data["effective_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(_("A change cannot be scheduled for a later day yet: choose today, or "
                                          "come back on that day."))
        if day < today - dt.timedelta(days=BACKDATE_DAYS):
            raise forms.ValidationError(gettext("At most %(days)s days back.") % {"days": BACKDATE_DAYS})
        return day


class SuspendForm(LifecycleForm):
    reason_required = _("Give the reason for the suspension; it is kept in the person's history.")


class ReinstateForm(LifecycleForm):
    pass


class LeaveForm(LifecycleForm):
    reason_required = _("Give the reason for leaving (retirement, resignation, transfer out of the "
                        "province...); it is kept in the person's history.")


class RehireForm(LifecycleForm):
    pass


class TransferForm(LifecycleForm):
    """A transfer names the new unit and the position there: the old title is kept only when asked."""

    unit = forms.ModelChoiceField(label=_("New unit"), queryset=None)
    position = forms.CharField(label=_("Position in the new unit"), max_length=255, required=False)
    keep_position = forms.BooleanField(required=False)
    field_order = ["unit", "position", "keep_position", "effective_on", "reason"]

    def __init__(self, *args, person, units=None, **kwargs):
        super().__init__(*args, person=person, **kwargs)
        unit_picker(self.fields["unit"], units.exclude(pk=person.unit_id))
        self.fields["keep_position"].label = gettext("Keep the current position (%(position)s)") % {
            "position": person.position or "—"}

    def clean(self):
        data = super().clean()
        if not (data.get("position") or "").strip():
            if data.get("keep_position"):
                data["position"] = self.person.position
            else:
                self.add_error("position", _("Enter the position in the new unit, or tick “Keep the current "
                                             "position”."))
        return data


class PersonActionForm(forms.Form):
    """A button of the person page (its name is `action`)."""

    action = forms.CharField(max_length=32)


class LettersForm(forms.Form):
    """The people to print activation letters for (at most 500 at once) and the page to go back to."""

    person = forms.TypedMultipleChoiceField(coerce=int, required=False)
    back = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # any id is a valid choice here: the view keeps only the officer's own, not yet activated, people
        ids = self.data.getlist("person") if hasattr(self.data, "getlist") else self.data.get("person", [])
        self.fields["person"].choices = [(x, x) for x in ids if str(x).isdigit()][:500]
