"""Importing the staff spreadsheet HR already keeps: upload -> dry-run preview -> commit.

Validation reads the file once, streamed, and records one ImportRow per data row with what
will happen (create / update / unchanged / reject), the generated address, every problem by field
as a code (a worker checks the file; the reader sees the problems in their own language) and the
row's cells as the file had them, for an error report HR can correct and upload again. Commit
applies the good rows, each all-or-nothing, in chunks; re-importing updates by employee code and
never deletes or disables anyone missing from the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import logging
import os
import time
import uuid
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from provisioning.audit.services import audit_entry, audit_record, audit_save_all, snapshot
from provisioning.common import naming, protect, spreadsheets
from provisioning.imports.models import ImportBatch, ImportRow
from provisioning.outbox.models import DirectoryChange
from provisioning.outbox.services import directory_change_enqueue_many, directory_changes_in_bulk
from provisioning.people import validation
from provisioning.people.models import MailAddress, Person, PersonStatus
from provisioning.people.services import (
    PERSON_FIELDS,
    allocate_identity,
    new_person,
    periods_open,
    person_create,
    person_update,
)
from provisioning.units.models import Unit
from provisioning.units.selectors import unit_resolved_settings

log = logging.getLogger(__name__)
CHUNK = 500
SQLITE_PAUSE = 0.12  # seconds between commit chunks; 20 chunks (10,000 rows) cost 2.4 s
IMPORT_COMMIT_LOCK = 0x1D3_1300  # pg_advisory_xact_lock key: one import chunk commits at a time
COMPARED = ("family_name", "middle_name", "given_name", "position", "category", "personal_email", "phone")
Status = ImportBatch.Status
Action = ImportRow.Action


def upload_dir() -> Path:
    """Where uploads wait to be checked: private to the service's user (they hold citizen IDs)."""
    d = Path(settings.VAR_DIR) / "imports"
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    if d.stat().st_mode & 0o077:
        d.chmod(0o700)
    return d


def _discard_upload(batch: ImportBatch) -> None:
    """The uploaded file is not needed once the batch is committed or refused: the rows keep what the
    preview and the error report show (the citizen ID encrypted)."""
    if batch.stored_name:
        (upload_dir() / batch.stored_name).unlink(missing_ok=True)


def import_uploads_purge(*, now: dt.datetime | None = None) -> int:
    """Delete uploaded files older than IDM_IMPORT_RETENTION_DAYS (previews nobody committed or
    discarded, files of batches that died). The batch and its rows stay; a preview can still be
    committed. Returns how many files went."""
    cutoff = (now or timezone.now()).timestamp() - settings.IDM_IMPORT_RETENTION_DAYS * 86400
    removed = 0
    for path in upload_dir().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker got there first
            continue
    if removed:
        log.info("import uploads older than %s days removed: %s", settings.IDM_IMPORT_RETENTION_DAYS, removed)
    return removed


def import_create(*, actor, fileobj, filename: str, scope: Unit | None, source: str = "web") -> ImportBatch:
    """Store the upload under a server-generated name (never the user's) and open a batch.
    `source` (web, command) goes into the audit entry with the actor."""
    suffix = Path(filename).suffix.lower()
    stored = f"{uuid.uuid4().hex}{suffix if suffix in ('.xlsx', '.csv', '.txt', '.xls') else ''}"
    path = upload_dir() / stored
    limit = settings.IDM_IMPORT_MAX_BYTES
    size = 0
    sha256 = hashlib.sha256()
    # 0600 from the first byte: the file holds citizen IDs (O_EXCL: the name is ours alone)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
            size += len(chunk)
            if size > limit:
                break
            sha256.update(chunk)
            out.write(chunk)
    batch = ImportBatch.objects.create(uploaded_by=actor if actor is not None and actor.pk else None, scope=scope,
                                       filename=Path(filename).name[:255], stored_name=stored,
                                       sha256=sha256.hexdigest() if size <= limit else "")
    if size > limit:
        path.unlink(missing_ok=True)
        _fail(batch, _("The file is larger than %(mb)s MB. Split it into smaller files.") % {"mb": limit // 2**20})
    audit_record(actor=actor, action="import.uploaded", target=batch,
                 after={"filename": batch.filename, "scope": scope.code if scope else None, "bytes": size,
                        "sha256": batch.sha256, "status": batch.status, "source": source})
    return batch


def _fail(batch: ImportBatch, message: str) -> None:
    batch.status, batch.file_error, batch.finished_at = Status.FAILED, str(message), timezone.now()
    batch.save(update_fields=["status", "file_error", "finished_at"])


class UnitResolver:
    """A unit column holds a code or a name as HR writes it (no regard to case or extra spaces)."""

    def __init__(self, scope: Unit | None):
        units = list(Unit.objects.only("pk", "code", "name", "path"))
        self.scope_path = scope.path if scope else "/"
        self.by_code = {u.code.casefold(): u for u in units}
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for u in units:
            self.by_name[self.key(u.name)].append(u)

    @staticmethod
    def key(text: str) -> str:
        return naming.clean_name(text).casefold()

    def resolve(self, value: str, c: validation.Checked) -> Unit | None:
        value = naming.clean_name(value)
        if not value:
            c.error("unit", "required")
            return None
        unit = self.by_code.get(value.casefold())
        if unit is None:
            found = self.by_name.get(self.key(value), [])
            if len(found) > 1:
                c.error("unit", "unit.ambiguous", value=value,
                        list="; ".join(f"{u.name} ({u.code})" for u in found[:5]))
                return None
            if not found:
                close = difflib.get_close_matches(self.key(value), list(self.by_name), n=3, cutoff=0.75)
                hint = "; ".join(f"{self.by_name[k][0].name} ({self.by_name[k][0].code})" for k in close)
                if hint:
                    c.error("unit", "unit.unknown_close", value=value, list=hint)
                else:
                    c.error("unit", "unit.unknown", value=value)
                return None
            unit = found[0]
        if not unit.path.startswith(self.scope_path):
            c.error("unit", "unit.outside_scope", value=value)
            return None
        return unit


def import_validate(batch_id: int) -> ImportBatch:
    """Read the file and record the preview. Safe to run again (it starts the preview over)."""
    batch = ImportBatch.objects.select_related("scope").get(pk=batch_id)
    if batch.status not in (Status.VALIDATING, Status.PREVIEW):
        return batch
    batch.rows.all().delete()
    path = upload_dir() / batch.stored_name
    try:
        with open(path, "rb") as f:
            table = spreadsheets.open_table(f, batch.filename)
            batch.warnings = ([validation.problem("columns.unused", list=", ".join(table.unknown_columns))]
                              if table.unknown_columns else [])
            earlier = _same_file_before(batch)
            if earlier is not None:
                batch.warnings.append(validation.problem("file.uploaded_before", number=earlier.pk))
            batch.headers = table.headers
            _validate_rows(batch, table)
    except spreadsheets.FileError as exc:
        batch.rows.all().delete()
        _fail(batch, exc.message)
        _discard_upload(batch)
    except FileNotFoundError:
        _fail(batch, _("The uploaded file is gone; upload it again."))
    else:
        batch.status = Status.PREVIEW
        batch.save()
    # checked on the uploader's behalf (a worker runs it): the audit names the uploader
    audit_record(actor=batch.uploaded_by, action="import.checked", target=batch,
                 after={"status": batch.status, "total": batch.total, "to_create": batch.to_create,
                        "to_update": batch.to_update, "unchanged": batch.unchanged, "rejected": batch.rejected})
    return batch


def _same_file_before(batch: ImportBatch) -> ImportBatch | None:
    """The latest earlier upload of the same file (a re-upload after a crash, C-16), if any."""
    if not batch.sha256:
        return None
    return (ImportBatch.objects.filter(sha256=batch.sha256).exclude(pk=batch.pk).exclude(status=Status.FAILED)
            .order_by("-created_at").first())


def content_hash(values: dict, unit_code: str, citizen_id_digest: str | None) -> str:
    """sha256 of a row's checked values (the citizen ID by its keyed digest, never in clear): the
    same row in another upload has the same hash."""
    payload = {"values": values, "unit": unit_code, "citizen_id": citizen_id_digest or ""}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _imported_hashes(hashes: set[str], batch_id: int) -> set[str]:
    """Which of these row hashes another import has already committed."""
    if not hashes:
        return set()
    return set(ImportRow.objects.filter(content_hash__in=hashes, action__in=[Action.CREATE, Action.UPDATE],
                                        done=True, outcome_errors={}).exclude(batch_id=batch_id)
               .values_list("content_hash", flat=True))


def _flush_rows(batch: ImportBatch, rows: list[ImportRow], counts: dict) -> None:
    """Store checked rows; an unchanged row that an earlier import brought in says so."""
    found = _imported_hashes({r.content_hash for r in rows if r.action == Action.UNCHANGED}, batch.pk)
    for r in rows:
        if r.action == Action.UNCHANGED and r.content_hash in found:
            r.action = Action.ALREADY
        counts[r.action] += 1
    ImportRow.objects.bulk_create(rows)


def _validate_rows(batch: ImportBatch, table) -> None:
    resolver = UnitResolver(batch.scope)
    existing = {p.employee_code: p for p in Person.objects.select_related("unit").only(
        "pk", "employee_code", "unit__path", "unit__code", "citizen_id_digest", *COMPARED)}
    cid_owner = {p.citizen_id_digest: p.employee_code for p in existing.values() if p.citizen_id_digest}
    taken_uids = set(Person.objects.values_list("uid", flat=True))
    taken_addresses = set(MailAddress.objects.values_list("address", flat=True))
    settings_of: dict[int, tuple[str, str]] = {}
    cursor: dict[str, int] = {}  # stem -> next suffix: N equal names cost N steps (issue 15)
    seen_codes: dict[str, int] = {}
    seen_cids: dict[str, int] = {}
    rows: list[ImportRow] = []
    counts = defaultdict(int)
    total = 0
    cid_column = next((i for i, name in table.mapping.items() if name == "citizen_id"), None)
    for number, raw in table.rows(cells=True):
        total += 1
        c = validation.person(raw)
        for name in raw.get(spreadsheets.FORMULAS, []):
            c.error(name, "cell.formula")
        for name in raw.get(spreadsheets.CONTROL, []):
            c.error(name, "cell.control")
        cells = raw.pop(spreadsheets.CELLS)
        if cid_column is not None:
            cells[cid_column] = None  # never in clear: the report decrypts it from data
        unit = resolver.resolve(raw.get("unit", ""), c)
        code = c.values.get("employee_code", "")
        if code:
            if code in seen_codes:
                c.error("employee_code", "employee_code.repeated", row=seen_codes[code])
            else:
                seen_codes[code] = number
        cid = c.values.pop("citizen_id", "")
        digest = protect.digest(cid)
        if digest:
            if digest in seen_cids:
                c.error("citizen_id", "citizen_id.repeated", row=seen_cids[digest])
            elif cid_owner.get(digest, code) != code:
                c.error("citizen_id", "citizen_id.taken")
            seen_cids.setdefault(digest, number)
        person = existing.get(code) if code else None
        row = ImportRow(batch=batch, row_number=number, employee_code=code[:64], warnings=c.cautions, cells=cells)
        if person is not None and not person.unit.path.startswith(resolver.scope_path):
            c.error("employee_code", "employee_code.outside_scope")
        if c.problems:
            row.action, row.errors = Action.REJECT, c.problems
            row.data = {k: v for k, v in raw.items() if not k.startswith("__") and k != "citizen_id"}
            if raw.get("citizen_id"):  # as written, even when invalid: the report gives it back to fix
                row.data["citizen_id_encrypted"] = protect.encrypt(raw["citizen_id"])
        else:
            data = dict(c.values, unit_id=unit.pk, unit_code=unit.code)
            row.content_hash = content_hash(c.values, unit.code, digest)
            if cid:
                data["citizen_id_encrypted"] = protect.encrypt(cid)
            row.data = data
            if person is None:
                row.action = Action.CREATE
                if unit.pk not in settings_of:
                    settings_of[unit.pk] = unit_resolved_settings(unit)
                domain, rule = settings_of[unit.pk]
                stem = naming.local_part(data["family_name"], data["middle_name"], data["given_name"], rule)
                uid, address = allocate_identity(stem, domain, taken_uids=taken_uids,
                                                 taken_addresses=taken_addresses, cursor=cursor)
                taken_uids.add(uid)
                if address:
                    taken_addresses.add(address)
                row.proposed_uid, row.proposed_mail = uid, address
            else:
                changed = any(getattr(person, f) != data[f] for f in COMPARED) or person.unit_id != unit.pk \
                    or (digest is not None and digest != person.citizen_id_digest)
                row.action = Action.UPDATE if changed else Action.UNCHANGED
                row.person = person
        rows.append(row)
        if len(rows) >= CHUNK:
            _flush_rows(batch, rows, counts)
            rows = []
            ImportBatch.objects.filter(pk=batch.pk).update(processed=total, total=total)
    _flush_rows(batch, rows, counts)
    batch.total = batch.processed = total
    batch.to_create, batch.to_update = counts[Action.CREATE], counts[Action.UPDATE]
    batch.unchanged, batch.rejected = counts[Action.UNCHANGED], counts[Action.REJECT]
    batch.already = counts[Action.ALREADY]


def import_commit(batch_id: int, *, actor=None) -> ImportBatch:
    """Apply the previewed good rows. Each row is all-or-nothing; a row that fails (someone
    took the employee code meanwhile) is reported and the others go in. Safe to resume.
    `actor` is who confirmed the import (the uploader when not given): the people it creates
    and changes are audited as theirs."""
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)
    if batch.status not in (Status.PREVIEW, Status.COMMITTING):
        return batch
    actor = actor or batch.uploaded_by
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.COMMITTING, processed=0)
    todo = batch.rows.filter(action__in=[Action.CREATE, Action.UPDATE], done=False).order_by("row_number")
    units = {u.pk: u for u in Unit.objects.all()}
    for u in units.values():  # each unit's domain and rule, resolved once for the whole file
        u.resolved = unit_resolved_settings(u, [units[i] for i in u.ancestor_ids if i in units])
    taken = set(Person.objects.values_list("uid", flat=True))
    taken_addresses = set(MailAddress.objects.values_list("address", flat=True))
    cursor: dict[str, int] = {}
    processed = batch.rows.filter(done=True).count()
    ids = list(todo.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = list(ImportRow.objects.filter(pk__in=ids[start:start + CHUNK]).select_related("person")
                     .order_by("row_number"))
        # the import's directory changes queue behind any interactive one (idm/queues.py)
        size = len(chunk)
        with transaction.atomic(), directory_changes_in_bulk():
            _one_import_chunk_at_a_time()
            chunk = _skip_already_imported(batch, chunk)
            created: list[int] = []
            fresh = [r for r in chunk if r.action == Action.CREATE]
            if fresh and _bulk_create(fresh, units, taken, taken_addresses, cursor, actor, created):
                chunk_rest = [r for r in chunk if r.action != Action.CREATE]
            else:
                chunk_rest = chunk
            for row in chunk_rest:
                try:
                    with transaction.atomic():
                        person = _apply_row(row, units, taken, taken_addresses, cursor, actor, created)
                    row.person, row.done, row.outcome_errors = person, True, {}
                except ValidationError as exc:
                    row.done, row.outcome_errors = True, _problems(exc)
            if chunk_rest:
                ImportRow.objects.bulk_update(chunk_rest, ["person", "done", "outcome_errors"])
            if len(chunk_rest) < len(chunk):  # the fast path's rows: one UPDATE (bulk_update costs ~1 ms a row)
                fast = [r.pk for r in chunk if r.action == Action.CREATE]
                ImportRow.objects.filter(pk__in=fast).update(done=True, outcome_errors={})
            directory_change_enqueue_many(kind=DirectoryChange.Kind.PERSON, object_ids=created)
            processed += size
            ImportBatch.objects.filter(pk=batch.pk).update(processed=processed)
        _let_others_write()
    batch.refresh_from_db()
    rows = batch.rows.filter(action__in=[Action.CREATE, Action.UPDATE])
    batch.created = rows.filter(action=Action.CREATE, done=True, outcome_errors={}).count()
    batch.updated = rows.filter(action=Action.UPDATE, done=True, outcome_errors={}).count()
    batch.failed = rows.exclude(outcome_errors={}).count()
    batch.already = batch.rows.filter(action=Action.ALREADY).count()
    batch.status, batch.finished_at = Status.DONE, timezone.now()
    batch.save()
    _discard_upload(batch)
    audit_record(actor=actor, action="import.committed", target=batch,
                 after={"created": batch.created, "updated": batch.updated, "failed": batch.failed,
                        "rejected": batch.rejected, "already": batch.already})
    return batch


def _skip_already_imported(batch: ImportBatch, chunk: list[ImportRow]) -> list[ImportRow]:
    """Rows another import committed since this one was checked (the same file uploaded again after
    the web server died, and both previews confirmed: C-16) are marked already imported, not created
    a second time or failed: a row to create whose employee code now exists, or a row to update whose
    person already holds its values, when a committed row of another import has the same hash.
    Returns the rows left to apply. Runs under the commit lock, so two imports cannot both create."""
    found = _imported_hashes({r.content_hash for r in chunk}, batch.pk)
    if not found:
        return chunk
    candidates = [r for r in chunk if r.content_hash in found]
    people = {p.employee_code: p for p in Person.objects.select_related("unit").filter(
        employee_code__in=[r.employee_code for r in candidates])}
    done = []
    for row in candidates:
        person = people.get(row.employee_code)
        if person is None:
            continue
        if row.action == Action.UPDATE and (person.unit_id != row.data["unit_id"] or any(
                getattr(person, f) != row.data[f] for f in COMPARED)):
            continue  # changed since: the update still applies
        row.action, row.person, row.done, row.outcome_errors = Action.ALREADY, person, True, {}
        done.append(row)
    if done:
        ImportRow.objects.bulk_update(done, ["action", "person", "done", "outcome_errors"])
    skipped = {r.pk for r in done}
    return [r for r in chunk if r.pk not in skipped]


def _one_import_chunk_at_a_time() -> None:
    """Two imports committing at once on PostgreSQL deadlocked on the people's unique uid index (both
    allocate from the same names); their chunks now take turns, as SQLite's single writer makes them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_COMMIT_LOCK])


def _let_others_write() -> None:
    """SQLite has one writer and no queue: a waiting transaction retries on its own timer (up to
    100 ms apart), so two imports handing the lock to each other between chunks could keep a
    person's suspension waiting for many seconds. A short pause between chunks lets it in."""
    if connection.vendor == "sqlite":
        time.sleep(SQLITE_PAUSE)


def _bulk_create(rows: list[ImportRow], units: dict, taken: set, taken_addresses: set, cursor: dict, actor,
                 created: list[int]) -> bool:
    """The fast path for new people: one INSERT each for the people, their addresses, the audit
    rows. If anything collides (someone onboarded the same code or address meanwhile) nothing of
    it stays and the caller takes the rows one by one."""
    uids, addresses, next_suffix = set(taken), set(taken_addresses), dict(cursor)
    people = []
    for row in rows:
        data = dict(row.data)
        unit = units[data.pop("unit_id")]
        data.pop("unit_code", None)
        cid = protect.decrypt(data.pop("citizen_id_encrypted", ""))
        domain, rule = unit.resolved
        stem = naming.local_part(data["family_name"], data["middle_name"], data["given_name"], rule)
        uid, address = allocate_identity(stem, domain, taken_uids=uids, taken_addresses=addresses,
                                         cursor=next_suffix)
        uids.add(uid)
        if address:
            addresses.add(address)
        people.append(new_person(unit=unit, values=data, status=PersonStatus.STAGED, warnings=_warnings(row), uid=uid,
                                 address=address, citizen_id=cid))
    try:
        with transaction.atomic():
            Person.objects.bulk_create(people)
            periods_open(people)
            MailAddress.objects.bulk_create(MailAddress(address=p.mail, person=p, kind=MailAddress.Kind.PRIMARY)
                                            for p in people if p.mail)
            audit_save_all([audit_entry(actor=actor, action="person.onboarded", target=p,
                                        after=snapshot(p, PERSON_FIELDS)) for p in people])
    except IntegrityError:
        return False
    taken.update(uids)
    taken_addresses.update(addresses)
    cursor.update(next_suffix)
    created.extend(p.pk for p in people)  # the row finds its person by employee code
    return True


def _problems(exc: ValidationError) -> dict[str, list]:
    """A commit failure as stored: by field ("" for the row), as codes where validation knows the
    code, else (a message from elsewhere, in the worker's language) as text."""
    found: dict[str, list] = {}
    by_field = exc.error_dict if hasattr(exc, "error_dict") else {"": exc.error_list}
    for name, errors in by_field.items():
        for error in errors:
            if error.code in validation.MESSAGES and all(
                    isinstance(v, (str, int, float)) for v in (error.params or {}).values()):
                found.setdefault("" if name == NON_FIELD_ERRORS else name, []).append(
                    validation.problem(error.code, **(error.params or {})))
            else:
                found.setdefault("" if name == NON_FIELD_ERRORS else name, []).extend(error.messages)
    return found


def _apply_row(row: ImportRow, units: dict, taken: set, taken_addresses: set, cursor: dict, actor,
               created: list[int]) -> Person:
    data = dict(row.data)
    unit = units[data.pop("unit_id")]
    data.pop("unit_code", None)
    cid = protect.decrypt(data.pop("citizen_id_encrypted", ""))
    if row.action == Action.CREATE:
        person = person_create(actor=actor, unit=unit, values=dict(data, citizen_id=cid), status=PersonStatus.STAGED,
                               warnings=_warnings(row), taken_uids=taken, taken_addresses=taken_addresses,
                               resolved=unit.resolved, enqueue=False, cursor=cursor)
        created.append(person.pk)
        return person
    changes = {f: data[f] for f in COMPARED} | {"unit": unit}
    if cid:
        changes["citizen_id"] = cid
    return person_update(actor=actor, person=row.person, **changes)


def batch_warnings(batch: ImportBatch) -> list[str]:
    """The file's warnings in the active language."""
    return [validation.render(w) for w in batch.warnings]


def _warnings(row: ImportRow) -> list[str]:
    return [validation.render(w) for w in row.warnings]


def row_problems(row: ImportRow) -> list[tuple[str, str]]:
    """(field label, message) for every problem of a row, in the active language: the check's, then
    the commit's ("" for the row as a whole)."""
    labels = field_labels()
    return [(labels.get(name, name) if name else "", validation.render(p))
            for problems in (row.errors, row.outcome_errors) for name, items in problems.items() for p in items]


def rejected_rows(batch: ImportBatch):
    """The rows refused at the check or failed at the commit, in file order."""
    return batch.rows.filter(Q(action=Action.REJECT) | ~Q(outcome_errors={})).order_by("row_number")


def report_labels() -> tuple[str, str]:
    """The headers of the report's own columns (problems, row number) in the active language."""
    return _("Problems"), _("Row in the uploaded file")


def error_report(batch: ImportBatch, fmt: str) -> bytes:
    """Every rejected or failed row as the file had it (its cells under its headers; the citizen ID
    decrypted for the HR officer, who uploaded it), with a column listing the row's problems in the
    active language. HR corrects the cells and uploads the report as it is: the importer reads the
    file's headers and leaves the two added columns out."""
    problems_label, row_label = report_labels()
    ours = set()
    for language in ("vi", "en"):  # a re-uploaded report's old problem columns are not copied again
        with translation.override(language):
            ours.update(map(spreadsheets.header_key, report_labels()))
    headers = batch.headers or [field_labels()[name] for name in spreadsheets.FIELDS]  # checked before headers
    kept = [i for i, h in enumerate(headers) if spreadsheets.header_key(h) not in ours]
    columns = [(i, headers[i]) for i in kept] + [("problems", problems_label), ("row", row_label)]

    def lines():
        for row in rejected_rows(batch).iterator():
            cells = row.cells if batch.headers else [
                None if name == "citizen_id" else row.data.get(name, "") for name in spreadsheets.FIELDS]
            line = {i: cells[i] if i < len(cells) else "" for i in kept}
            for i in kept:
                if line[i] is None:
                    line[i] = protect.decrypt(row.data.get("citizen_id_encrypted", ""))
            line["problems"] = "\n".join(f"{label}: {message}" if label else message
                                         for label, message in row_problems(row))
            line["row"] = row.row_number
            yield line

    return spreadsheets.write_report(lines(), columns, fmt)


def field_labels() -> dict[str, str]:
    """The staff columns' names in the user's language."""
    return {k: str(v) for k, v in spreadsheets.FIELD_LABELS.items()}


def import_commit_claim(batch: ImportBatch) -> bool:
    """Move a previewed batch to committing, once: False when someone else already pressed commit."""
    return bool(ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEW).update(
        status=ImportBatch.Status.COMMITTING, processed=0))
