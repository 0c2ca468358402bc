"""Certificate requests (the forms of Decree 68/2024: Mẫu 01..06), the batches sent to the CA and
the certificates that came back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from provisioning.approvals.models import ApprovalRequest
from provisioning.people.models import Person
from provisioning.units.models import Unit


class CertKind(models.TextChoices):
    PERSONAL = "personal", _("personal certificate")
    ORGANISATION = "organisation", _("organisational certificate")
    DEVICE = "device", _("device or service certificate")


class RequestType(models.TextChoices):
    NEW = "new", _("new certificate")
    RENEWAL = "renewal", _("renewal")
    CHANGE = "change", _("change of information")
    REVOCATION = "revocation", _("revocation")
    UNLOCK = "unlock", _("token unlock")


class DeviceType(models.TextChoices):
    TOKEN = "token", _("USB token")
    PKI_SIM = "pki_sim", _("PKI SIM")
    REMOTE = "remote", _("remote signing account")


class RevocationReason(models.TextChoices):
    LOST = "lost", _("token lost")
    DAMAGED = "damaged", _("token damaged")
    KEY_COMPROMISE = "key_compromise", _("key compromised")
    NEW_POSITION = "new_position", _("new position")
    RETIREMENT = "retirement", _("retirement")
    RESIGNATION = "resignation", _("resignation")
    DEATH = "death", _("death")
    DISSOLVED = "dissolved", _("agency dissolved")
    SPLIT = "split", _("agency split")
    MERGED = "merged", _("agency merged")


class Stage(models.TextChoices):
    HEAD = "head", _("waiting for the unit head")
    IT = "it", _("waiting for the provincial IT department")
    BATCHED = "batched", _("in a batch for the CA")
    DONE = "done", _("done")
    REFUSED = "refused", _("refused")


class Origin(models.TextChoices):
    PERSON = "person", _("the person")
    HR = "hr", _("the HR officer")
    IT = "it", _("the IT department")
    AUTOMATIC = "automatic", _("automatically")


# The form each request type is sent on (Decree 68/2024, 2024 versions).
FORM_NUMBER = {
    (CertKind.PERSONAL, RequestType.NEW): "01",
    (CertKind.ORGANISATION, RequestType.NEW): "02",
    (CertKind.PERSONAL, RequestType.RENEWAL): "04", (CertKind.ORGANISATION, RequestType.RENEWAL): "04",
    (CertKind.PERSONAL, RequestType.CHANGE): "04", (CertKind.ORGANISATION, RequestType.CHANGE): "04",
    (CertKind.PERSONAL, RequestType.REVOCATION): "05", (CertKind.ORGANISATION, RequestType.REVOCATION): "05",
    (CertKind.PERSONAL, RequestType.UNLOCK): "06", (CertKind.ORGANISATION, RequestType.UNLOCK): "06",
    # a device, service or software (a server's TLS, a signing service): Mẫu 03, then 04/05 like the others;
    # its key lives in the device or an HSM, so there is no token to unlock
    (CertKind.DEVICE, RequestType.NEW): "03",
    (CertKind.DEVICE, RequestType.RENEWAL): "04", (CertKind.DEVICE, RequestType.CHANGE): "04",
    (CertKind.DEVICE, RequestType.REVOCATION): "05",
}


def types_for(kind: str) -> list[str]:
    """The request types a kind of certificate has a form for."""
    return [t for t in RequestType.values if (kind, t) in FORM_NUMBER]


class CertificateBatch(models.Model):
    """Approved requests sent together to the CA: draft -> sent -> partly issued -> closed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENT = "sent", _("sent to the CA")
        PARTLY = "partly", _("partly issued")
        CLOSED = "closed", _("closed")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"batch {self.pk}"


class CertificateRequest(ApprovalRequest):
    """One request on one CA form. `person` is the holder (personal), the custodian who keeps
    the unit's token (organisational) or the contact person for a device or service: the unit
    head over that person's unit decides, never the requester (provisioning.approvals.decide),
    then IT puts it in a batch."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificate_requests")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="certificate_requests")
    kind = models.CharField(_("kind"), max_length=16, choices=CertKind.choices)
    type = models.CharField(_("type"), max_length=16, choices=RequestType.choices)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.HEAD, db_index=True)
    origin = models.CharField(_("raised by"), max_length=16, choices=Origin.choices, default=Origin.PERSON)
    # the form's fields as they will be printed, prefilled from what idm knows
    form = models.JSONField(_("form"), default=dict)
    certificate = models.ForeignKey("Certificate", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="requests", verbose_name=_("certificate concerned"))
    batch = models.ForeignKey(CertificateBatch, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="requests")
    it_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    it_decided_at = models.DateTimeField(null=True, blank=True)
    # the internal-CA path only: the PKCS#10 the person uploaded (PEM), never a private key
    csr_pem = models.TextField(blank=True)
    key_sha256 = models.CharField(max_length=64, blank=True, db_index=True)  # the CSR's key (CR-06)

    class Meta(ApprovalRequest.Meta):
        indexes = [models.Index(fields=["unit", "stage"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.get_kind_display()} #{self.pk}"

    @property
    def form_number(self) -> str:
        return FORM_NUMBER[(self.kind, self.type)]


class Certificate(models.Model):
    """A certificate the CA issued, as recorded from its file. Active and unexpired ones are
    published in the directory (userCertificate;binary on the person or the unit entry)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("valid")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    kind = models.CharField(_("kind"), max_length=16, choices=CertKind.choices)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="certificates")
    request = models.ForeignKey(CertificateRequest, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="issued")
    serial = models.CharField(_("serial number"), max_length=64)
    issuer = models.CharField(_("issuer"), max_length=512)
    subject = models.CharField(_("subject"), max_length=512)
    email = models.CharField(_("email"), max_length=254, blank=True)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"), db_index=True)
    fingerprint = models.CharField(max_length=64, unique=True)  # SHA-256 of the DER
    spki_sha256 = models.CharField(max_length=64, db_index=True)  # the key, for CR-06
    der = models.BinaryField()
    token_serial = models.CharField(_("token serial"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=32, blank=True, choices=RevocationReason.choices)
    reminders_sent = models.JSONField(default=list, blank=True)  # days-before-expiry already reminded
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-not_after"]
        constraints = [models.UniqueConstraint(fields=["issuer", "serial"], name="certificate_serial_per_issuer")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial})"
