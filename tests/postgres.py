"""`IDM_TEST_DB=postgres pytest`: the whole suite on a private PostgreSQL started for the session
(scripts/dev/postgres.py), as slapd and Redis are. Unset, the tests keep SQLite.

Django's settings are read before any conftest is loaded, so the database is switched here, in
pytest-django's hook that runs just before the test database is created: the default connection's
settings dict (the one object Django's connection handler holds) is replaced in place."""

from __future__ import annotations

import os

import dj_database_url
import pytest

ENGINE = os.environ.get("IDM_TEST_DB", "sqlite").lower()
if ENGINE not in ("sqlite", "postgres"):
    raise pytest.UsageError(f"IDM_TEST_DB={ENGINE!r}: use sqlite (the default) or postgres")


def pytest_report_header(config) -> str:
    return f"idm test database: {ENGINE}"


def use_database(url: str) -> None:
    """Point the default connection at url, before any query is made."""
    from django.conf import settings
    from django.db import connections

    if hasattr(connections._connections, "default"):  # opened by something at import: reopen on the new engine
        connections["default"].close()
        del connections["default"]
    db = settings.DATABASES["default"]
    db.clear()
    # no persistent connections in tests: a thread's connection would outlive it and keep the
    # test database from being dropped
    db.update(dj_database_url.parse(url, conn_max_age=0))
    connections.configure_settings(settings.DATABASES)  # Django's defaults (TEST, OPTIONS, …) again


@pytest.fixture(scope="session")
def postgres_server():
    from scripts.dev import postgres

    cluster = postgres.start()
    yield cluster
    postgres.stop(cluster)


if ENGINE == "postgres":

    @pytest.fixture(scope="session")
    def django_db_modify_db_settings(request, postgres_server):
        # pytest-django creates test_idm next to it and drops it at the end
        use_database(postgres_server.url("idm"))
        # then, as pytest-django's own fixture would, a suffix per xdist worker or tox env
        request.getfixturevalue("django_db_modify_db_settings_parallel_suffix")
