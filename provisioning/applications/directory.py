"""The outbox's applier for applications: state, not deltas. An active application's account is
made to hold its current secret hash and its scope (its unit's DN, as the unit sits now); a revoked
one's account is removed."""

from __future__ import annotations

from directory import gateway
from provisioning.applications.models import Application
from provisioning.outbox.appliers import permanent_failures
from provisioning.units.models import Unit
from provisioning.units.selectors import unit_ancestors


def application_apply(app: Application) -> None:
    if not app.active:
        gateway.application_delete(app.account)
        return
    path = [a.code for a in unit_ancestors(app.unit)] + [app.unit.code]
    gateway.application_put(name=app.account, description=app.name, scope_dn=gateway.unit_dn(path),
                            password_hash=app.secret_hash)


def apply_application_changes(ids_by_kind: dict[str, list[int]]) -> dict[tuple[str, int], Exception]:
    """Registered in ProvisioningConfig.ready, after units: a moved unit changes the DN that the
    scopes of the applications at or below it must name."""
    ids = set(ids_by_kind.get("application", []))
    units = ids_by_kind.get("unit", [])
    if units:
        paths = tuple(Unit.objects.filter(pk__in=units).values_list("path", flat=True))
        if paths:
            ids |= {a.pk for a in Application.objects.filter(revoked_at__isnull=True).select_related("unit")
                    if a.unit.path.startswith(paths)}
    if not ids:
        return {}
    apps = Application.objects.filter(pk__in=ids).select_related("unit")
    return {("application", pk): exc for pk, exc in
            permanent_failures(apps, application_apply, key=lambda a: a.pk).items()}
