"""Mail tests start with no mail stored (the directory is wiped by the main conftest)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _empty(empty_mailboxes):
    yield
