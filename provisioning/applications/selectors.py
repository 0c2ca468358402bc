from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from directory import gateway
from directory.errors import DirectoryError
from provisioning.applications.models import Application


@dataclass
class ApplicationRow:
    application: Application
    last_bound: dt.datetime | None
    in_directory: bool | None  # None: the directory did not answer


def applications_with_last_bind() -> list[ApplicationRow]:
    """Every application, active first, with when its account last bound (one directory search).
    When the directory is away the page still lists them, without that column."""
    apps = list(Application.objects.select_related("unit").order_by("revoked_at", "name", "pk"))
    try:
        seen = gateway.applications_last_bound()
    except DirectoryError:
        return [ApplicationRow(a, None, None) for a in apps]
    return [ApplicationRow(a, seen.get(a.account), a.account in seen) for a in apps]
