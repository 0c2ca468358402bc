"""The Celery app. Configuration comes from Django settings (CELERY_*), read lazily."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idm.settings.base")

app = Celery("idm")
app.config_from_object("django.conf:settings", namespace="CELERY")
# each capability keeps its Celery entry points in its own tasks module
app.autodiscover_tasks(["accounts", "accounts.selfservice", "provisioning.audit", "provisioning.certificates",
                        "provisioning.imports", "provisioning.mailboxes", "provisioning.outbox", "provisioning.people",
                        "provisioning.reports", "provisioning.reorg"])
