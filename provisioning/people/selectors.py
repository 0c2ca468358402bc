from __future__ import annotations

from django.db.models import Case, F, Q, QuerySet, Value, When

from accounts.models import Role, User
from accounts.scopes import one_in_scope, within
from provisioning.common import naming
from provisioning.outbox.models import DirectoryChange
from provisioning.people.forms import FilterForm
from provisioning.people.models import Person, PersonPeriod, PersonStatus
from provisioning.units.selectors import units_for_hr


def filtered_people(request):
    form = FilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data if form.is_valid() else {}
    qs = people_for_hr(request.user).select_related("unit")
    for word in naming.search_query(data.get("q") or ""):  # word starts: "an" finds An and Anh, not Toàn
        qs = qs.filter(search_text__contains=word)
    if data.get("unit"):
        unit = units_for_hr(request.user).filter(code=data["unit"]).first()
        qs = qs.filter(unit__path__startswith=unit.path) if unit else qs.none()
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    return form, qs.order_by(*people_order(data.get("sort") or ""))


# statuses in lifecycle order, not in the alphabetical order of their codes
_LIFECYCLE = Case(*(When(status=s, then=Value(i)) for i, s in enumerate(PersonStatus.values)), default=Value(9))
# the people list's sortable columns; every order ends on uid so pages never overlap
SORTS = {"name": (F("sort_key"),), "uid": (), "unit": (F("unit__name"), F("sort_key")),
         "status": (_LIFECYCLE, F("sort_key"))}


def people_order(sort: str) -> list:
    """`name`, `uid`, `unit` or `status`, descending with a leading "-"; Vietnamese name order otherwise."""
    key = sort.removeprefix("-")
    descending = sort.startswith("-") and key in SORTS
    fields = [*SORTS.get(key, SORTS["name"]), F("uid")]
    return [f.desc() if descending else f.asc() for f in fields]


def directory_state(person: Person) -> dict:
    last = DirectoryChange.objects.filter(kind=DirectoryChange.Kind.PERSON, object_id=person.pk).order_by("-pk").first()
    return {"status": last.status if last else "applied", "error": last.last_error if last else "",
            "label": last.get_status_display() if last else DirectoryChange.Status.APPLIED.label}


def people_for_hr(user: User) -> QuerySet:

    return within(Person.objects.all(), user, Role.HR_ADMIN, "unit__path")


def person_for_hr(user: User, pk: int):
    """The person, if this HR officer may act on them; 404 otherwise (no hint it exists)."""
    return one_in_scope(people_for_hr(user).select_related("unit"), user, pk, "person")


def periods_as_of(day):
    """Each person's period on ``day`` (their unit and status then): one row per person who existed."""
    return PersonPeriod.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)
