"""scim2-tester's conformance checks against the live /scim/v2/ endpoint (a real HTTP server, the HR
officer's token), with the server's own resource models given to the client and only sample values added:
Vietnamese names, the officer's unit codes and Vietnamese mobile numbers (what idm's checks accept;
random strings would be refused as names)."""

from __future__ import annotations

import random
from typing import Annotated

import httpx2
import pytest
from pydantic import Field
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import Required, ScimProvider
from scim2_tester import Status, check_server

from provisioning.scim import resources

pytestmark = pytest.mark.django_db(transaction=True)


def _client_models(unit_codes: list[str]):
    class Name(resources.Name):
        family_name: Annotated[str | None, Required.true] = Field(None, examples=["Nguyễn", "Trần", "Lê", "Phạm"])
        middle_name: str | None = Field(None, examples=["Văn", "Thị", "Minh", "Ngọc"])
        given_name: Annotated[str | None, Required.true] = Field(None, examples=["An", "Bình", "Hà", "Lan"])

    class PhoneNumber(resources.PhoneNumber):
        value: str | None = Field(None, examples=["+84912345678", "+84987654321"])

    class User(resources.User):
        name: Annotated[Name | None, Required.true] = None
        phone_numbers: list[PhoneNumber] | None = None

    class EnterpriseUser(resources.EnterpriseUser):
        # employee codes as idm stores them (upper case): what is written is what is read back
        employee_number: Annotated[str | None, Required.true] = Field(
            None, examples=[f"SCIM{i:06d}" for i in range(1_000_000)])
        department: Annotated[str | None, Required.true] = Field(None, examples=unit_codes)

    return [User, EnterpriseUser, resources.Group]


def test_scim2_tester_finds_no_error(live_server, cast):
    random.seed(9)
    http = httpx2.Client(base_url=f"{live_server.url}/scim/v2",
                         headers={"Authorization": f"Bearer {cast['token']}"}, timeout=30)
    provider = ScimProvider(_client_models([cast["stc"].code, cast["ns"].code]),
                            resource_types=resources.resource_types())
    client = SyncSCIMClient(http, provider=provider)
    results = check_server(client, resource_types=["User"])
    for r in results:
        print(r.status.name, r.title, (r.reason or "")[:300])
    bad = [r for r in results if r.status in (Status.ERROR, Status.CRITICAL)]
    assert not bad, "\n".join(f"{r.title}: {r.reason}" for r in bad)
