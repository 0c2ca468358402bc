"""The PostgreSQL pass of `make test` really runs on PostgreSQL (IDM_TEST_DB, tests/postgres.py)."""

import pytest
from django.db import connection

from tests.postgres import ENGINE


@pytest.mark.django_db
def test_the_suite_runs_on_the_engine_it_was_asked_for():
    assert connection.vendor == {"sqlite": "sqlite", "postgres": "postgresql"}[ENGINE]
    if ENGINE == "postgres":
        with connection.cursor() as cur:
            cur.execute("SELECT current_database(), current_setting('fsync'), inet_server_addr()::text")
            assert cur.fetchone() == ("test_idm", "off", "127.0.0.1/32")
