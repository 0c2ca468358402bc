"""Certificates and mailbox use in the report: a certificate counts on the days it was valid (begun,
not ended, not revoked by then); a request counts as pending until it was decided; mailbox use is
shown to every reader as totals, each mailbox only within the reader's IT-lead scope."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from provisioning.certificates.models import Certificate, CertificateRequest, CertKind, RequestType, Stage
from provisioning.mailboxes.models import MailboxUsage
from provisioning.people.models import PersonPeriod
from provisioning.reports.selectors import figures
from provisioning.reports.services import snapshot_build
from provisioning.units.models import Unit, UnitVersion
from tests import factories

pytestmark = pytest.mark.django_db


def _ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _certificate(*, kind, unit, person=None, begun: int, ends: int, revoked: int | None = None) -> Certificate:
    """A recorded certificate (its X.509 checks are the certificates tests' business)."""
    return Certificate.objects.create(
        kind=kind, person=person, unit=unit, serial=secrets.token_hex(8), issuer="CN=Test CA", subject="CN=x",
        not_before=_ago(begun), not_after=_ago(-ends), fingerprint=secrets.token_hex(32), spki_sha256="0" * 64,
        der=b"-", status=Certificate.Status.REVOKED if revoked is not None else Certificate.Status.ACTIVE,
        revoked_at=_ago(revoked) if revoked is not None else None)


@pytest.fixture
def tree(slapd_config):
    long_ago = timezone.localdate() - dt.timedelta(days=400)
    p = factories.province()
    finance = factories.unit(p, "000.00.03.H45", "Sở Tài chính")
    health = factories.unit(p, "000.00.05.H45", "Sở Y tế")
    people = {"an": factories.person(finance, "Trần", "Thị", "An"),
              "binh": factories.person(finance, "Lê", "Văn", "Bình"),
              "chi": factories.person(finance, "Phạm", "Minh", "Chi"),
              "dung": factories.person(health, "Võ", "Văn", "Dũng")}
    UnitVersion.objects.update(valid_from=long_ago)
    Unit.objects.update(valid_from=long_ago)
    PersonPeriod.objects.update(valid_from=long_ago)
    return {"province": p, "finance": finance, "health": health, **people}


def _read(day_offset: int, unit):
    """The figures of that day: a past day's from its snapshot (the nightly task's), today's live."""
    day = timezone.localdate() - dt.timedelta(days=day_offset)
    if day_offset:
        snapshot_build(day)
    [top] = figures(day, unit)
    return top


def test_a_certificate_counts_only_on_the_days_it_was_valid(tree):
    fin = tree["finance"]
    _certificate(kind=CertKind.PERSONAL, unit=fin, person=tree["an"], begun=100, ends=-10)  # expired 10 days ago
    _certificate(kind=CertKind.PERSONAL, unit=fin, person=tree["binh"], begun=100, ends=900, revoked=5)
    _certificate(kind=CertKind.PERSONAL, unit=fin, person=tree["chi"], begun=3, ends=900)  # issued 3 days ago
    _certificate(kind=CertKind.PERSONAL, unit=fin, person=tree["chi"], begun=2, ends=900)  # her renewal: still one
    _certificate(kind=CertKind.ORGANISATION, unit=fin, begun=30, ends=900)
    now, then, long_before = _read(0, fin), _read(20, fin), _read(60, fin)
    assert (now.personal_cert, now.cert_pct, now.org_certs, now.org_cert) == (1, 33.3, 1, True)
    assert (then.personal_cert, then.org_certs, then.org_cert) == (2, 1, True)  # An and Bình, the seal
    assert (long_before.personal_cert, long_before.org_certs, long_before.org_cert) == (2, 0, False)
    province = _read(0, tree["province"])
    assert (province.personal_cert, province.org_certs, province.org_cert_units, province.units) == (1, 1, 1, 3)


def test_a_certificate_request_is_pending_until_it_was_decided(tree):
    requester = User.objects.create_user("hr")
    asked = CertificateRequest.objects.create(person=tree["dung"], unit=tree["health"], kind=CertKind.PERSONAL,
                                              type=RequestType.NEW, requested_by=requester)
    CertificateRequest.objects.filter(pk=asked.pk).update(created_at=_ago(30), stage=Stage.REFUSED,
                                                          it_decided_at=_ago(10))
    CertificateRequest.objects.create(person=tree["an"], unit=tree["finance"], kind=CertKind.PERSONAL,
                                      type=RequestType.NEW, requested_by=requester)
    assert [_read(d, tree["province"]).pending for d in (40, 20, 0)] == [0, 1, 1]
    assert [_read(d, tree["health"]).pending for d in (40, 20, 0)] == [0, 1, 0]


@pytest.fixture
def usage(tree):
    today = timezone.localdate()
    for who, login, size in (("an", _ago(2), 5 << 20), ("binh", _ago(45), 1 << 20), ("chi", None, None),
                             ("dung", _ago(100), 3 << 20)):
        person = tree[who]
        MailboxUsage.objects.create(day=today, address=person.mail, person=person, last_login=login, bytes_used=size,
                                    source="dovecot")
    return tree


def _login(client, person, *grants):
    for role, unit in grants:
        RoleAssignment.objects.create(person=person, role=role, unit=unit)
    client.force_login(User.objects.create_user(username=person.uid), backend="accounts.backends.DirectoryBackend")


def test_mailbox_use_is_totalled_per_unit(usage):
    fin, province = _read(0, usage["finance"]), _read(0, usage["province"])
    assert (fin.mailbox, fin.regular, fin.never_logged_in, fin.inactive_30, fin.inactive_90) == (3, 1, 1, 2, 1)
    assert (fin.bytes_used, fin.quota_bytes) == (6 << 20, 3 << 30)  # the default quota: 1 GB each
    assert (province.never_logged_in, province.inactive_30, province.inactive_90) == (1, 3, 2)


def test_a_lead_sees_each_mailbox_only_within_their_it_scope_and_totals_above(client, usage):
    """HR officer of the province and IT lead of Finance: the province's figures as totals for both
    departments, each mailbox only for Finance."""
    lead = factories.person(usage["finance"], "Đỗ", "Minh", "Tuấn")
    _login(client, lead, (Role.HR_ADMIN, usage["province"]), (Role.IT_LEAD, usage["finance"]))
    page = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Chi and the lead (onboarded today) never logged in; Bình 45 days ago, Dũng 100
    assert "Of the mailboxes: 2 never logged in, 4 without a login for 30 days, 3 for 90 days" in page
    assert f"/mailboxes/?unit={usage['finance'].code}&amp;activity=inactive30" in page
    assert f"/mailboxes/?unit={usage['health'].code}" not in page
    assert page.count("aggregates only") == 1
    health_rows = client.get("/mailboxes/", {"unit": usage["health"].code}).content.decode()
    assert usage["dung"].mail not in health_rows  # no per-person row outside the IT scope, even by URL
    export = client.get("/mailboxes/", {"export": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert usage["an"].mail in text and usage["dung"].mail not in text


def test_an_hr_officer_reads_the_totals_but_no_mailbox(client, usage):
    hr = factories.person(usage["finance"], "Lê", "Thị", "Hoa")
    _login(client, hr, (Role.HR_ADMIN, usage["finance"]))
    page = client.get(f"/reports/units/{usage['finance'].code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Of the mailboxes: 2 never logged in, 3 without a login for 30 days, 2 for 90 days" in page
    assert "/mailboxes/?" not in page
    assert client.get("/mailboxes/").status_code == 403


def test_a_pending_request_counts_in_the_unit_the_person_was_in_that_day(tree):
    """Bình asked for a larger quota and a personal certificate 30 days ago, was moved to Health 15 days
    ago; both still wait. Read as of 20 days ago they are Finance's, today Health's."""
    from provisioning.approvals.models import QuotaRequest
    from provisioning.people.services import person_transfer

    requester = User.objects.create_user("hr")
    binh = tree["binh"]
    quota = QuotaRequest.objects.create(person=binh, requested_by=requester, requested_mb=4096, reason="Hồ sơ")
    cert = CertificateRequest.objects.create(person=binh, unit=tree["finance"], kind=CertKind.PERSONAL,
                                             type=RequestType.NEW, requested_by=requester)
    QuotaRequest.objects.filter(pk=quota.pk).update(created_at=_ago(30))
    CertificateRequest.objects.filter(pk=cert.pk).update(created_at=_ago(30))
    person_transfer(actor=None, person=binh, unit=tree["health"], on=timezone.localdate() - dt.timedelta(days=15),
                    reason="Điều động")
    assert [_read(d, tree["finance"]).pending for d in (40, 20, 0)] == [0, 2, 0]
    assert [_read(d, tree["health"]).pending for d in (40, 20, 0)] == [0, 0, 2]
    assert [_read(d, tree["province"]).pending for d in (40, 20, 0)] == [0, 2, 2]
