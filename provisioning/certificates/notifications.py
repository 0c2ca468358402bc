"""Mail about certificate requests and certificates, in the site language, to official
mailboxes. Sent from Celery tasks (tasks.py), never from a web request."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from provisioning.certificates.models import Certificate, CertificateRequest
from provisioning.people.models import Person


def _subjects() -> dict[str, str]:
    return {
        "requested": _("Your certificate request was received"),
        "head_approved": _("Your certificate request was approved by the unit head"),
        "batched": _("Your certificate request was sent to the certification authority"),
        "refused": _("Your certificate request was refused"),
        "issued": _("Your certificate was issued"),
        "done": _("The certification authority carried out your request"),
    }


def request_notify(*, request_id: int, event: str) -> list[str]:
    """Tell the requester and the holder what happened to a request; returns the addresses."""
    req = CertificateRequest.objects.select_related("person", "requested_by").filter(pk=request_id).first()
    if req is None:
        return []
    requester = Person.objects.filter(uid=req.requested_by.username).first()
    to = sorted({a for a in (req.person.mail, requester.mail if requester else None) if a})
    if not to:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _subjects()[event]
        body = _("%(what)s for %(who)s: %(subject)s.") % {"what": req, "who": req.person.full_name,
                                                          "subject": subject}
        if req.decision_note and event == "refused":
            body += " " + _("Reason: %(note)s") % {"note": req.decision_note}
        body += " " + _("Details: %(url)s/certificates/") % {"url": settings.IDM_BASE_URL.rstrip("/")}
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    return to


def expiry_notify(*, certificate_id: int, days: int, to: list[str]) -> None:
    cert = Certificate.objects.select_related("person", "unit").get(pk=certificate_id)
    with translation.override(settings.LANGUAGE_CODE):
        holder = cert.person.full_name if cert.person else cert.unit.name
        subject = _("A digital certificate expires in %(days)s days") % {"days": days}
        body = _("The certificate %(serial)s of %(holder)s expires on %(day)s. A renewal request was drafted; "
                 "complete it at %(url)s/certificates/.") % {
            "serial": cert.serial, "holder": holder, "day": cert.not_after.date().strftime("%d/%m/%Y"),
            "url": settings.IDM_BASE_URL.rstrip("/")}
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
