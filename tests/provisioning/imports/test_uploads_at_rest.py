"""Uploaded spreadsheets hold names and citizen IDs: private while they wait, deleted once committed or
refused, and after IDM_IMPORT_RETENTION_DAYS whatever happened to them (issue 15)."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from provisioning.imports import services as imports
from provisioning.imports.models import ImportBatch
from tests import factories
from tests.provisioning.imports.test_imports import xlsx

pytestmark = pytest.mark.django_db
ROWS = [["QT-1", "Lê Văn Tám", "", "", "", "000.00.03.H45", "Chuyên viên", "", "", "001190000001"]]


@pytest.fixture
def tree():
    p = factories.province()
    return factories.unit(p, "000.00.03.H45", "Sở Tài chính")


def upload(content: bytes, name: str = "ds.xlsx") -> ImportBatch:
    old = os.umask(0o022)  # the usual umask, under which files were 0644
    try:
        return imports.import_create(actor=None, fileobj=io.BytesIO(content), filename=name, scope=None)
    finally:
        os.umask(old)


def stored(batch: ImportBatch):
    return imports.upload_dir() / batch.stored_name


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_upload_waits_in_a_file_only_the_service_can_read(tree):
    batch = upload(xlsx(ROWS))
    assert mode(stored(batch)) == 0o600 and mode(imports.upload_dir()) == 0o700
    imports.import_validate(batch.pk)
    assert stored(batch).exists()  # a preview may be checked again


def test_the_upload_is_deleted_once_committed(tree):
    batch = imports.import_validate(upload(xlsx(ROWS)).pk)
    done = imports.import_commit(batch.pk)
    assert done.created == 1 and not stored(batch).exists()
    assert imports.error_report(done, "csv")  # the rows keep what the report needs


def test_the_upload_is_deleted_once_refused(tree):
    batch = imports.import_validate(upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls").pk)
    assert batch.status == ImportBatch.Status.FAILED and not stored(batch).exists()


def test_uploads_left_over_are_deleted_after_the_retention_period_by_the_beat_task(tree, settings):
    from idm.celery import app
    from provisioning.imports.tasks import PURGE

    settings.IDM_IMPORT_RETENTION_DAYS = 7
    old = imports.import_validate(upload(xlsx(ROWS)).pk)
    recent = upload(xlsx(ROWS))
    eight_days_ago = (timezone.now() - dt.timedelta(days=8)).timestamp()
    os.utime(stored(old), (eight_days_ago, eight_days_ago))
    app.tasks[PURGE].apply()
    assert not stored(old).exists() and stored(recent).exists()
    assert imports.import_commit(old.pk).created == 1  # the preview's rows outlive the file
    assert any(entry["task"] == PURGE for entry in django_settings.CELERY_BEAT_SCHEDULE.values())
