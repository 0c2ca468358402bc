"""People: onboarding and the lifecycle as HR makes it. Each change is one transaction with its
audit row and its outbox row; uids and addresses come from naming.py and are never reused."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.sessions import end_sessions
from provisioning.audit.services import audit_entry, audit_record, audit_save_all, snapshot
from provisioning.common import naming, protect
from provisioning.common.naming import NameOrder
from provisioning.outbox.models import DirectoryChange
from provisioning.outbox.services import directory_change_enqueue_many
from provisioning.people import hooks, validation
from provisioning.people.models import MailAddress, Person, PersonPeriod, PersonStatus
from provisioning.units.models import Unit
from provisioning.units.selectors import unit_paths, unit_resolved_settings

PERSON_FIELDS = ("uid", "employee_code", "family_name", "middle_name", "given_name", "name_order", "unit", "position",
                 "category", "status", "mail", "personal_email", "phone", "senior", "left_on", "mailbox_kept_until",
                 "mailbox_decision", "quota_mb")


HR_FIELDS = ("family_name", "middle_name", "given_name", "name_order", "position", "category", "personal_email",
             "phone", "senior")


MAILBOX_FIELDS = ("mailbox_decision",)


SENIOR_TITLES = ("giám đốc", "chủ tịch", "bí thư", "chánh văn phòng ubnd", "trưởng ban", "chánh thanh tra")


def looks_senior(position: str) -> bool:
    p = position.casefold()
    return any(p.startswith(t) or p.startswith("phó " + t) for t in SENIOR_TITLES)


def _raise_if(checked: validation.Checked) -> None:
    if checked.problems:  # coded, so the import can store the codes (shown in the reader's language)
        raise ValidationError({k: [validation.error(p["code"], **p.get("params", {})) for p in ps]
                               for k, ps in checked.problems.items()})


def _enqueue(person: Person) -> None:
    directory_change_enqueue_many(kind=DirectoryChange.Kind.PERSON, object_ids=[person.pk])


def _address_taken(address: str) -> bool:
    return MailAddress.objects.filter(address=address).exists()


def allocate_identity(stem: str, domain: str, *, taken_uids: set[str] | None = None,
                      taken_addresses: set[str] | None = None, cursor: dict[str, int] | None = None,
                      ) -> tuple[str, str]:
    """The first free (uid, address) for a stem; callers still rely on the unique constraints
    and retry on IntegrityError, so concurrent onboardings never share one. A bulk caller passes
    `cursor` (stem -> the suffix to try next) with sets of taken values that only grow: the candidates
    before it were taken when it was set, so the 10,000th Nguyễn Văn An costs one step, not 10,000."""
    taken = taken_uids if taken_uids is not None else set(
        Person.objects.filter(uid__startswith=stem).values_list("uid", flat=True))
    for n, uid in naming.numbered_candidates(stem, cursor.get(stem, 1) if cursor is not None else 1):
        if uid in taken:
            continue
        address = f"{uid}@{domain}" if domain else ""
        if address and (address in taken_addresses if taken_addresses is not None else _address_taken(address)):
            taken.add(uid)
            continue
        if cursor is not None:
            cursor[stem] = n + 1
        return uid, address
    raise AssertionError("unreachable")


def new_person(*, unit: Unit, values: dict, status: str, warnings: list | None, uid: str, address: str,
               citizen_id: str) -> Person:
    """An unsaved Person from checked values and an allocated identity."""
    person = Person(
        uid=uid, unit=unit, status=status, mail=address or None,
        employee_code=values["employee_code"], family_name=values["family_name"],
        middle_name=values["middle_name"], given_name=values["given_name"],
        name_order=values.get("name_order") or NameOrder.FAMILY_FIRST, position=values["position"],
        category=values["category"], personal_email=values.get("personal_email", ""),
        phone=values.get("phone", ""), citizen_id_encrypted=protect.encrypt(citizen_id),
        citizen_id_digest=protect.digest(citizen_id), senior=values.get("senior", looks_senior(values["position"])),
        name_warning="; ".join(str(w) for w in (warnings or []))[:255],
    )
    person.search_text, person.sort_key = person.searchable(), person.collation_key()
    return person


def periods_open(people: list[Person], day: dt.date | None = None) -> None:
    """The first period of newly created people (their unit and status from ``day``, today by default)."""
    day = day or timezone.localdate()
    PersonPeriod.objects.bulk_create(PersonPeriod(person=p, unit_id=p.unit_id, status=p.status, valid_from=day)
                                     for p in people)


def _period_follow(person: Person, day: dt.date | None) -> None:
    """The person's unit or status changed from ``day``: close the open period there and open the next.
    A change dated on or before the open period's first day corrects that period instead."""
    day = day or timezone.localdate()
    current = PersonPeriod.objects.select_for_update().filter(person=person, valid_to__isnull=True).first()
    if current is not None and (current.unit_id, current.status) == (person.unit_id, person.status):
        return
    if current is not None and current.valid_from >= day:
        current.unit_id, current.status = person.unit_id, person.status
        current.save(update_fields=["unit", "status"])
        return
    if current is not None:
        current.valid_to = day
        current.save(update_fields=["valid_to"])
    PersonPeriod.objects.create(person=person, unit_id=person.unit_id, status=person.status, valid_from=day)


def _duplicate_code() -> ValidationError:
    return ValidationError({"employee_code": [validation.error("employee_code.taken")]})


def person_create(*, actor, unit: Unit, values: dict, status: str = PersonStatus.STAGED, warnings: list | None = None,
                  taken_uids: set[str] | None = None, taken_addresses: set[str] | None = None,
                  resolved: tuple[str, str] | None = None, enqueue: bool = True,
                  cursor: dict[str, int] | None = None) -> Person:
    """Create a checked person (values from validation.person) in the current transaction.
    A bulk caller passes the sets of uids and addresses it knows are taken, which saves two
    queries a person; the unique constraints still decide."""
    if taken_uids is None and Person.objects.filter(employee_code=values["employee_code"]).exists():
        raise _duplicate_code()
    cid = values.get("citizen_id") or ""
    if cid and Person.objects.filter(citizen_id_digest=protect.digest(cid)).exists():
        raise ValidationError({"citizen_id": [validation.error("citizen_id.taken")]})
    domain, rule = resolved or unit_resolved_settings(unit)
    stem = naming.local_part(values["family_name"], values["middle_name"], values["given_name"], rule)
    taken = taken_uids if taken_uids is not None else set(
        Person.objects.filter(uid__startswith=stem).values_list("uid", flat=True))
    for _attempt in range(50):
        uid, address = allocate_identity(stem, domain, taken_uids=taken, taken_addresses=taken_addresses,
                                         cursor=cursor if taken_uids is not None else None)
        person = new_person(unit=unit, values=values, status=status, warnings=warnings, uid=uid, address=address,
                            citizen_id=cid)
        try:
            with transaction.atomic():
                person.save()
                if address:
                    MailAddress.objects.create(address=address, person=person, kind=MailAddress.Kind.PRIMARY)
        except IntegrityError:
            if Person.objects.filter(employee_code=values["employee_code"]).exists():
                raise _duplicate_code() from None
            taken.add(uid)  # taken between our read and our write: the next candidate
            if taken_addresses is not None and address:
                taken_addresses.add(address)
            continue
        taken.add(uid)
        if taken_addresses is not None and address:
            taken_addresses.add(address)
        periods_open([person])
        audit_record(actor=actor, action="person.onboarded", target=person, after=snapshot(person, PERSON_FIELDS))
        if enqueue:
            _enqueue(person)
        return person
    raise ValidationError(_("Could not find a free user name; try again."))


@transaction.atomic
def person_onboard(*, actor, unit: Unit, family: str, middle: str, given: str, employee_code: str,
                   position: str = "", category: str = "cong_chuc", status: str = PersonStatus.STAGED,
                   personal_email: str = "", phone: str = "", citizen_id: str = "",
                   name_order: str = NameOrder.FAMILY_FIRST) -> Person:
    """Onboard one person: check every field, give them a uid and an official address from
    their unit's rule and domain, and queue their directory entry."""
    checked = validation.person({"employee_code": employee_code, "family_name": family, "middle_name": middle,
                                 "given_name": given, "name_order": name_order, "position": position,
                                 "category": category, "personal_email": personal_email, "phone": phone,
                                 "citizen_id": citizen_id})
    _raise_if(checked)
    return person_create(actor=actor, unit=unit, values=checked.values, status=status, warnings=checked.warnings)


@transaction.atomic
def person_update(*, actor, person: Person, **changes) -> Person:
    """Change HR facts. uid and address stay (a unit change goes through person_transfer). The employee
    code may be corrected (SCIM's employeeNumber); it stays unique, case-insensitively."""
    allowed = set(HR_FIELDS) | set(MAILBOX_FIELDS) | {"citizen_id", "unit", "status", "employee_code"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    person = Person.objects.select_for_update().get(pk=person.pk)
    if "unit" in changes and changes["unit"] != person.unit:
        person = person_transfer(actor=actor, person=person, unit=changes.pop("unit"))
    changes.pop("unit", None)
    status = changes.pop("status", None)
    if status and status != person.status:
        person = person_set_status(actor=actor, person=person, status=status)
    raw = {f: getattr(person, f) for f in HR_FIELDS if f != "senior"} | {"employee_code": person.employee_code}
    raw.update({k: v for k, v in changes.items() if k != "senior"})
    checked = validation.person(raw)
    _raise_if(checked)
    new = {f: checked.values[f] for f in HR_FIELDS if f != "senior"}
    if "senior" in changes:
        new["senior"] = bool(changes["senior"])
    if "mailbox_decision" in changes:
        if changes["mailbox_decision"] not in Person.MailboxDecision.values:
            raise ValidationError({"mailbox_decision": [_("Choose issued, withheld or the unit's policy.")]})
        new["mailbox_decision"] = changes["mailbox_decision"]
    cid = checked.values.get("citizen_id") if "citizen_id" in changes else None
    changed = {k: v for k, v in new.items() if getattr(person, k) != v}
    if "employee_code" in changes and checked.values["employee_code"] != person.employee_code:
        if Person.objects.filter(employee_code=checked.values["employee_code"]).exclude(pk=person.pk).exists():
            raise _duplicate_code()
        changed["employee_code"] = checked.values["employee_code"]
    if cid is not None and protect.digest(cid) != person.citizen_id_digest:
        if cid and Person.objects.filter(citizen_id_digest=protect.digest(cid)).exclude(pk=person.pk).exists():
            raise ValidationError({"citizen_id": [validation.error("citizen_id.taken")]})
        changed["citizen_id_encrypted"] = protect.encrypt(cid)
        changed["citizen_id_digest"] = protect.digest(cid)
    if not changed:
        return person
    # a new personal email or phone has not been proved yet: no reset code goes there until it is (RS-16)
    if "personal_email" in changed:
        changed["personal_email_verified_at"] = None
    if "phone" in changed:
        changed["phone_verified_at"] = None
    before = snapshot(person, PERSON_FIELDS)
    for k, v in changed.items():
        setattr(person, k, v)
    person.name_warning = "; ".join(str(w) for w in checked.warnings)[:255]
    person.search_text, person.sort_key = person.searchable(), person.collation_key()
    person.save(update_fields=[*changed, "name_warning", "search_text", "sort_key", "updated_at"])
    audit_record(actor=actor, action="person.updated", target=person, before=before,
                 after=snapshot(person, PERSON_FIELDS) | ({"citizen_id": "changed"} if cid is not None else {}))
    _enqueue(person)
    return person


def _effective(on: dt.date | None) -> dict:
    """The effective day a lifecycle step's audit row keeps (its reason has a column of its own). Nothing
    can be scheduled yet: a step takes effect when it is made, so a later day is refused rather than
    recorded falsely."""
    if on is not None and on > timezone.localdate():
        raise ValidationError({"effective_on": [_("A change cannot be scheduled for a later day yet: choose "
                                                  "today, or come back on that day.")]})
    return {"effective_on": on.isoformat()} if on is not None else {}


def _readdress(person: Person, new_domain: str) -> None:
    """A primary address in ``new_domain`` (same local part, a number added when it is taken); the old
    primary stays the person's as an alias, so mail to it keeps arriving. The caller saves the person."""
    stem = person.mail.rpartition("@")[0]
    address = f"{stem}@{new_domain}"
    n = 1
    while MailAddress.objects.filter(address=address).exclude(person=person).exists():
        n += 1
        address = f"{stem}{n}@{new_domain}"
    MailAddress.objects.filter(person=person, kind=MailAddress.Kind.PRIMARY).update(kind=MailAddress.Kind.ALIAS)
    MailAddress.objects.update_or_create(address=address, defaults={"person": person,
                                                                     "kind": MailAddress.Kind.PRIMARY})
    person.mail = address
    person.search_text = person.searchable()


def _save_addresses(people: list[Person]) -> None:
    """mail, search_text and updated_at of many people: one prepared UPDATE run for each (executemany).
    bulk_update's CASE expression over a batch costs more than the rest of a merger's SQL together
    (about 4 ms a person on SQLite, mostly building the expression)."""
    meta = Person._meta
    q = connection.ops.quote_name
    columns = [meta.get_field(f).column for f in ("mail", "search_text", "updated_at")]
    sql = (f"UPDATE {q(meta.db_table)} SET " + ", ".join(f"{q(c)} = %s" for c in columns)
           + f" WHERE {q(meta.pk.column)} = %s")
    updated_at = meta.get_field("updated_at")
    rows = [(p.mail, p.search_text, updated_at.get_db_prep_value(p.updated_at, connection), p.pk) for p in people]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def people_follow_domain(*, actor, people: list[Person], reason: str = "") -> int:
    """After their units moved to a tree with another mail domain: each person gets a primary address in
    the domain their unit now has (a number added when taken), the old one kept as an alias, so mail to
    it keeps arriving. In bulk (a merger readdresses tens of thousands): a handful of statements per
    batch. Returns how many were readdressed."""
    domains: dict[int, str] = {}
    moving = []
    for p in people:
        if p.unit_id not in domains:
            domains[p.unit_id] = unit_resolved_settings(p.unit)[0]
        if p.mail and domains[p.unit_id] and p.mail.rpartition("@")[2] != domains[p.unit_id]:
            moving.append(p)
    if not moving:
        return 0
    owners = {}
    for domain in {domains[p.unit_id] for p in moving}:
        owners.update(MailAddress.objects.filter(address__endswith="@" + domain).values_list("address", "person_id"))
    with transaction.atomic():
        before = {p.pk: p.mail for p in moving}
        reuse, fresh = [], []
        for p in moving:
            stem, domain = p.mail.rpartition("@")[0], domains[p.unit_id]
            address, n = f"{stem}@{domain}", 1
            while address in owners and owners[address] != p.pk:
                n += 1
                address = f"{stem}{n}@{domain}"
            (reuse if owners.get(address) == p.pk else fresh).append(address)
            owners[address] = p.pk
            p.mail = address
            p.search_text = p.searchable()
        MailAddress.objects.filter(person__in=moving, kind=MailAddress.Kind.PRIMARY).update(kind=MailAddress.Kind.ALIAS)
        MailAddress.objects.filter(address__in=reuse).update(kind=MailAddress.Kind.PRIMARY)
        by_address = {p.mail: p for p in moving}
        MailAddress.objects.bulk_create(MailAddress(address=a, person=by_address[a], kind=MailAddress.Kind.PRIMARY)
                                        for a in fresh)
        now = timezone.now()
        for p in moving:
            p.updated_at = now
        _save_addresses(moving)
        extra = {"reason": reason[:500]} if reason else {}
        audit_save_all([audit_entry(actor=actor, action="person.readdressed", target=p,
                                    before={"mail": before[p.pk]}, after={"mail": p.mail} | extra) for p in moving])
        directory_change_enqueue_many(kind=DirectoryChange.Kind.PERSON, object_ids=[p.pk for p in moving])
    return len(moving)


@transaction.atomic
def person_transfer(*, actor, person: Person, unit: Unit, position: str | None = None, on: dt.date | None = None,
                    reason: str = "") -> Person:
    """Move a person to another unit, with their position there (None keeps the old one). The
    directory entry keeps its DN; when the mail domain changes the person gets an address in
    the new domain and keeps the old one as an alias. The audit row names both unit paths."""
    effective = _effective(on)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if position is not None:
        checked = validation.Checked()
        position = validation.text(checked, "position", position)
        _raise_if(checked)
    if unit.pk == person.unit_id:
        return person
    before = snapshot(person, PERSON_FIELDS)
    old_unit = Unit.objects.get(pk=person.unit_id)
    old_domain = (person.mail or "").rpartition("@")[2]
    new_domain, _rule = unit_resolved_settings(unit)
    person.unit = unit
    fields = ["unit", "updated_at"]
    if position is not None and position != person.position:
        person.position = position
        fields.append("position")
    if person.mail and new_domain and new_domain != old_domain:
        _readdress(person, new_domain)
        fields += ["mail", "search_text"]
    person.save(update_fields=fields)
    _period_follow(person, on)
    paths = unit_paths([old_unit, unit])
    audit_record(actor=actor, action="person.transferred", target=person,
                 before=before | {"unit_label": paths[old_unit.pk]},
                 after=snapshot(person, PERSON_FIELDS) | {"unit_label": paths[unit.pk]} | effective,
                 reason=(reason or "").strip()[:500])
    hooks.person_changed(actor=actor, person=person, event="transferred", before=before,
                         after=snapshot(person, PERSON_FIELDS))
    _enqueue(person)
    # the old unit's distribution lists (and those above it) must drop the person
    with_lists = [u.pk for u in Unit.objects.exclude(list_address="") if old_unit.path.startswith(u.path)]
    directory_change_enqueue_many(kind=DirectoryChange.Kind.UNIT, object_ids=with_lists)
    return person


def retention_months(person: Person) -> int:
    return settings.IDM_MAILBOX_RETENTION_MONTHS_SENIOR if person.senior else settings.IDM_MAILBOX_RETENTION_MONTHS


ALLOWED_MOVES = {
    PersonStatus.STAGED: {PersonStatus.ACTIVE, PersonStatus.SUSPENDED, PersonStatus.LEFT},
    PersonStatus.ACTIVE: {PersonStatus.SUSPENDED, PersonStatus.LEFT},
    PersonStatus.SUSPENDED: {PersonStatus.ACTIVE, PersonStatus.LEFT},
    PersonStatus.LEFT: {PersonStatus.ACTIVE},  # rehire
}


@transaction.atomic
def person_set_status(*, actor, person: Person, status: str, on: dt.date | None = None, reason: str = "",
                      source_ip: str | None = None) -> Person:
    """activate, suspend, leave, reinstate or rehire. Login (and mail) stop at once for anyone not
    active: the directory entry says so, and every web session of theirs ends now (SE-04). `on`
    (today or earlier) and `reason` go into the audit row; a departure's retention counts from `on`."""
    effective = _effective(on)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if status == person.status:
        return person
    if status not in ALLOWED_MOVES.get(person.status, set()):
        raise ValidationError({"status": [_("A person who is %(old)s cannot become %(new)s.")
                                          % {"old": person.get_status_display(),
                                             "new": PersonStatus(status).label}]})
    before = snapshot(person, PERSON_FIELDS)
    action = {PersonStatus.SUSPENDED: "person.suspended", PersonStatus.LEFT: "person.left",
              PersonStatus.ACTIVE: {PersonStatus.LEFT: "person.rehired",
                                    PersonStatus.STAGED: "person.activated"}.get(person.status, "person.reinstated")}
    person_action = action[status]
    fields = ["status", "updated_at"]
    if status == PersonStatus.LEFT:
        day = on or timezone.localdate()
        person.left_on = day
        person.mailbox_kept_until = day + relativedelta(months=retention_months(person))
        fields += ["left_on", "mailbox_kept_until"]
    elif person.status == PersonStatus.LEFT:  # rehire: same uid and address back
        person.left_on = person.mailbox_kept_until = person.mailbox_removed_on = None
        fields += ["left_on", "mailbox_kept_until", "mailbox_removed_on"]
    if status == PersonStatus.ACTIVE and person.activated_at is None and person.status == PersonStatus.STAGED:
        person.activated_at = timezone.now()
        fields.append("activated_at")
    person.status = status
    person.save(update_fields=fields)
    _period_follow(person, on)
    if status in (PersonStatus.SUSPENDED, PersonStatus.LEFT):
        # at once, on every device; ActivePersonMiddleware would also end them on their next request
        end_sessions(person.uid)
    audit_record(actor=actor, action=person_action, target=person, before=before,
                 after=snapshot(person, PERSON_FIELDS) | effective, source_ip=source_ip,
                 reason=(reason or "").strip()[:500])
    hooks.person_changed(actor=actor, person=person, event=person_action, before=before,
                         after=snapshot(person, PERSON_FIELDS) | effective | {"reason": (reason or "").strip()[:500]})
    _enqueue(person)
    return person


def mailboxes_past_retention(today: dt.date | None = None):
    today = today or timezone.localdate()
    return Person.objects.filter(status=PersonStatus.LEFT, mailbox_removed_on__isnull=True,
                                 mailbox_kept_until__lte=today)


@transaction.atomic
def remove_expired_mailboxes(*, today: dt.date | None = None) -> int:
    """After the retention period the mailbox goes; the address stays reserved for good."""
    today = today or timezone.localdate()
    n = 0
    for person in mailboxes_past_retention(today).select_for_update():
        before = snapshot(person, PERSON_FIELDS)
        person.mailbox_removed_on = today
        person.save(update_fields=["mailbox_removed_on", "updated_at"])
        audit_record(actor=None, action="person.mailbox_removed", target=person, before=before,
                     after=snapshot(person, PERSON_FIELDS) | {"mailbox_removed_on": today.isoformat()})
        _enqueue(person)
        n += 1
    return n


def citizen_ids_reencrypt(*, batch_size: int = 500) -> int:
    """Move every stored citizen ID to the current field key, and its look-up digest to the current
    digest key (after a key is added, before the old one is removed). Returns how many rows changed."""
    changed = 0
    ids = list(Person.objects.exclude(citizen_id_encrypted="").order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            rows = list(Person.objects.select_for_update().filter(pk__in=ids[start:start + batch_size])
                        .only("pk", "citizen_id_encrypted", "citizen_id_digest"))
            for p in rows:
                p.citizen_id_digest = protect.digest(protect.decrypt(p.citizen_id_encrypted))
                p.citizen_id_encrypted = protect.reencrypt(p.citizen_id_encrypted)
            Person.objects.bulk_update(rows, ["citizen_id_encrypted", "citizen_id_digest"])
            changed += len(rows)
    return changed
