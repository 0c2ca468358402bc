"""Celery entry points of the recovery flows. The code is made *here*, never in the request, so it never
travels through the broker, sending failures are never visible to the requester (RS-02), and a retry after
a mail or SMS outage makes a fresh code with a fresh 10 minutes instead of sending a stale one (C-13).
Arguments are ids and kinds only (LG-02); the address or number is read from the record (RS-09)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.codes import CODE_MINUTES, code_issue
from accounts.models import OneTimeCode
from accounts.sms import send_sms
from provisioning.people.models import Person, PersonStatus

SEND_RECOVERY_CODE = "accounts.recovery.send_code"
SEND_USERNAME_REMINDER = "accounts.recovery.send_username"


def recovery_target(person: Person | None, channel: str) -> str:
    """Where a recovery code for this person may go on this channel: the personal email on file, or the
    phone only once verified (RS-16); "" when nowhere (then nothing is sent)."""
    if person is None or person.status != PersonStatus.ACTIVE:
        return ""
    if channel == OneTimeCode.Channel.SMS:
        return person.phone if person.phone and person.phone_verified_at else ""
    return person.personal_email


def _base() -> str:
    return settings.IDM_BASE_URL.rstrip("/")  # RS-10: never the Host header


@shared_task(name=SEND_RECOVERY_CODE, ignore_result=True, acks_late=True, autoretry_for=(Exception,),
             retry_backoff=10, retry_backoff_max=120, max_retries=8)
def send_recovery_code(*, person_id: int, purpose: str, channel: str, flow: str) -> None:
    """Make and send a reset or unlock code for the flow whose digest is ``flow``. ``person_id`` 0 (an
    unknown name, a person without that channel) does nothing: every request enqueues the same work."""
    person = Person.objects.filter(pk=person_id).first() if person_id else None
    target = recovery_target(person, channel)
    if not target:
        return
    code = code_issue(person=person, purpose=OneTimeCode.Purpose.RESET, channel=channel, flow=flow)
    with translation.override(settings.LANGUAGE_CODE):
        values = {"uid": person.uid, "code": code, "url": _base(), "minutes": CODE_MINUTES}
        if purpose == "unlock":
            subject = _("Your code to unlock your account")
            text = _("Your code to unlock sign-in to the official account %(uid)s is %(code)s. Type it on the page "
                     "where you asked for it, in the same browser (%(url)s/password/unlock/). It expires in "
                     "%(minutes)s minutes. If you did not ask for it, ignore this message: nothing has changed.")
        else:
            subject = _("Your code to reset your password")
            text = _("Your code to reset the password of the official account %(uid)s is %(code)s. Type it on the "
                     "page where you asked for it, in the same browser (%(url)s/password/forgot/). It expires in "
                     "%(minutes)s minutes. If you did not ask for it, ignore this message: nothing has changed.")
        text = text % values
        if channel == OneTimeCode.Channel.SMS:
            send_sms(target, text)
        else:
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [target])
    OneTimeCode.objects.filter(person=person, purpose=OneTimeCode.Purpose.RESET, used_at__isnull=True,
                               superseded=False, sent_at__isnull=True).update(sent_at=timezone.now())


@shared_task(name=SEND_USERNAME_REMINDER, ignore_result=True, acks_late=True, autoretry_for=(Exception,),
             retry_backoff=30, retry_backoff_max=900, max_retries=10)
def send_username_reminder(*, person_id: int) -> None:
    """Mail a person's user name and official address to their personal email on file (0: nothing)."""
    person = Person.objects.filter(pk=person_id, status=PersonStatus.ACTIVE).first() if person_id else None
    if person is None or not person.personal_email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Your user name is %(uid)s and your official email address is %(mail)s. Log in at %(url)s/accounts/"
                 "login/ . If you did not ask for this reminder, ignore this message.") % {
            "uid": person.uid, "mail": person.mail or "-", "url": _base()}
        send_mail(_("Your user name"), text, settings.DEFAULT_FROM_EMAIL, [person.personal_email])
