"""Celery entry point: plans whose date has come are applied (and interrupted ones finished)."""

from __future__ import annotations

from celery import shared_task

from provisioning.reorg.services import plans_apply_due

APPLY_DUE = "reorg.apply_due_plans"


@shared_task(name=APPLY_DUE, ignore_result=True, acks_late=True)
def apply_due_plans() -> int:
    return plans_apply_due()
