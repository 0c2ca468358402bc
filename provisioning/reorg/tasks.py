"""Celery entry points: plans whose date has come are applied (and interrupted ones finished); old
addresses whose period ended stop delivering."""

from __future__ import annotations

from celery import shared_task

from provisioning.reorg.services import aliases_expire, plans_apply_due

APPLY_DUE = "reorg.apply_due_plans"
EXPIRE_ALIASES = "reorg.expire_old_addresses"


@shared_task(name=APPLY_DUE, ignore_result=True, acks_late=True)
def apply_due_plans() -> int:
    return plans_apply_due()


@shared_task(name=EXPIRE_ALIASES, ignore_result=True, acks_late=True)
def expire_old_addresses() -> int:
    return aliases_expire()
