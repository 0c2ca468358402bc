"""Celery entry points of accounts' base: notifications and contact-check codes. Task arguments
carry ids and kinds, never a secret (LG-02)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.codes import CODE_MINUTES, code_issue
from accounts.models import OneTimeCode
from accounts.notify import notify
from accounts.sms import send_sms
from provisioning.people.models import Person

NOTIFY = "accounts.notify"


@shared_task(name=NOTIFY, ignore_result=True, acks_late=True, autoretry_for=(Exception,), retry_backoff=30,
             retry_backoff_max=900, max_retries=20)
def notify_task(*, kind: str, uid: str, email: str = "", phone: str = "", what: str = "", at: str = "") -> None:
    when = at or formats.date_format(timezone.localtime(), "DATETIME_FORMAT")
    notify(kind=kind, uid=uid, email=email, phone=phone, what=what, when=when)


SEND_CONTACT_CODE = "accounts.send_contact_code"


@shared_task(name=SEND_CONTACT_CODE, ignore_result=True, acks_late=True, autoretry_for=(Exception,),
             retry_backoff=10, max_retries=5)
def send_contact_code(*, person_id: int, kind: str, target: str, flow: str) -> None:
    """Make a code for checking a new personal email or phone and send it there. The code is made
    here, so it never travels through the broker; a retry makes a new one (a late code is never stale)."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return
    purpose = OneTimeCode.Purpose.VERIFY_EMAIL if kind == "email" else OneTimeCode.Purpose.VERIFY_PHONE
    channel = OneTimeCode.Channel.EMAIL if kind == "email" else OneTimeCode.Channel.SMS
    code = code_issue(person=person, purpose=purpose, channel=channel, flow=flow, target=target)
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Your code to confirm this contact for the official account %(uid)s is %(code)s. It expires in "
                 "%(minutes)s minutes. If you did not ask for it, ignore this message.") % {
            "uid": person.uid, "code": code, "minutes": CODE_MINUTES}
        if kind == "email":
            send_mail(_("Confirm your personal email"), text, settings.DEFAULT_FROM_EMAIL, [target])
        else:
            send_sms(target, text)
    OneTimeCode.objects.filter(person=person, purpose=purpose, used_at__isnull=True, superseded=False,
                               sent_at__isnull=True).update(sent_at=timezone.now())
