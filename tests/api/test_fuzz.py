"""The API fuzzed from its own OpenAPI schema (schemathesis) with an HR officer's token: whatever the
input, no answer is a server error. Examples are few per operation so the run stays short."""

from __future__ import annotations

import time
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from idm.wsgi import application

pytestmark = pytest.mark.django_db
EXAMPLES = 10  # per operation and mode: inputs that fit the schema, then inputs that do not


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Like Django's test client: the test's database connection (and transaction) must survive the
    end of each request made through the WSGI application."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.timeout(300)
def test_no_input_makes_the_api_fail_with_a_server_error(cast, wsgi_keeps_the_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    headers = {"Authorization": f"Bearer {cast['token']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures, statuses, started = [], Counter(), time.monotonic()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def run(case):
                response = case.call(headers=headers)
                statuses[response.status_code // 100 * 100] += 1
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                    f"{case.path_parameters} {case.query} {str(case.body)[:200]}")

            run()
    print(f"schemathesis: {len(operations)} operations, {sum(statuses.values())} calls in "
          f"{time.monotonic() - started:.1f} s, by status class {dict(sorted(statuses.items()))}")
    assert failures == []
    assert statuses[200] > 0  # the token was taken: not every answer was a refusal
