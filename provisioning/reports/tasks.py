"""Celery entry point: the nightly snapshot of every unit's figures."""

from __future__ import annotations

from celery import shared_task

from provisioning.reports.services import snapshot_build

BUILD_SNAPSHOT = "reports.build_snapshot"


@shared_task(name=BUILD_SNAPSHOT, ignore_result=True, acks_late=True)
def build_snapshot() -> int:
    return snapshot_build()
