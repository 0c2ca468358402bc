"""Telling a person what happened to their account (AU-10), on every channel on file: the personal
email, and the phone by SMS once it is verified. Messages never carry a secret: no password, no
code, no link with a token. They are written in the site language (Vietnamese) and name the
support path, because the person reading "your password was changed" who did not change it must
know what to do next.

Sending happens in a Celery task (``accounts.tasks.notify_person``), never in the request."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.sms import send_sms

log = logging.getLogger(__name__)


def _messages() -> dict[str, tuple[str, str]]:
    base = settings.IDM_BASE_URL.rstrip("/")
    warning = _("If this was not you, reset your password at %(url)s/password/forgot/ and tell your unit's "
                "HR officer or the provincial IT department at once.") % {"url": base}
    return {
        "password_changed": (_("Your password was changed"),
                             _("The password of your official account %(uid)s was changed on %(when)s. "
                               "Every other signed-in session has been ended.") + " " + warning),
        "password_reset": (_("Your password was reset"),
                           _("The password of your official account %(uid)s was reset with a code on %(when)s. "
                             "Every signed-in session has been ended.") + " " + warning),
        "account_unlocked": (_("Your account was unlocked"),
                             _("Sign-in to your official account %(uid)s was unlocked with a code on %(when)s.")
                             + " " + warning),
        "helpdesk_reset": (_("Your account is waiting for a new password"),
                           _("Your unit's HR officer started a reset of your official account %(uid)s on %(when)s. "
                             "Your old password no longer works; use the new activation code you receive to choose "
                             "a new password. If you did not ask for this, contact the provincial IT department.")),
        "contact_changed": (_("Your contact details were changed"),
                            _("The %(what)s on file for your official account %(uid)s was changed on %(when)s. "
                              "Codes for password resets now go to the new one.") + " " + warning),
    }


def notify(*, kind: str, uid: str, email: str = "", phone: str = "", what: str = "", when: str = "") -> list[str]:
    """Send message ``kind`` to ``email`` and/or ``phone``; returns the channels used. Raises the
    channel's error so that the task retries."""
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _messages()[kind]
        body = body % {"uid": uid, "when": when, "what": what}
        sent = []
        if email:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
            sent.append("email")
        if phone:
            send_sms(phone, f"{subject}. {body}"[:480])
            sent.append("sms")
    return sent
