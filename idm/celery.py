"""The Celery app. Configuration comes from Django settings (CELERY_*), read lazily."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "idm.settings.base")

app = Celery("idm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
