"""Celery entry points for self-service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import translation

from accounts.models import ActivationCode, User
from accounts.selfservice.services import activation_email, activation_issue
from provisioning.people.models import Person

SEND_ACTIVATION_EMAIL = "selfservice.send_activation_email"


@shared_task(name=SEND_ACTIVATION_EMAIL, ignore_result=True, acks_late=True)
def send_activation_email(person_id: int, actor_id: int | None = None, reset: bool = False) -> None:
    """The code is made here, in the worker, so it never travels through the broker (LG-02)."""
    person = Person.objects.get(pk=person_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    code = activation_issue(actor=actor, person=person, channel=ActivationCode.Channel.EMAIL, reset=reset)
    with translation.override(settings.LANGUAGE_CODE):  # the site's language, whoever pressed the button
        activation_email(person, code, reset=reset)
