"""Usage collected from the test Dovecot matches what really happened."""

from __future__ import annotations

import pytest

from provisioning.mailboxes.models import MailboxUsage, UsageCollection
from provisioning.mailboxes.usage import UsageSourceUnavailable, collect_from_dovecot
from tests import factories
from tests.mail.test_dovecot import deliver, imap_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    return {"user": factories.person(unit, "Nguyễn", "Tiến", "Hoàng"),
            "receiver": factories.person(unit, "Trần", "Thị Minh", "Khai"),
            "idle": factories.person(unit, "Đặng", "Văn", "Đức")}


def test_deliveries_and_logins_are_collected_and_a_delivery_is_not_use(dovecot, people):
    for _ in range(2):
        deliver(dovecot, people["user"].mail)
    deliver(dovecot, people["receiver"].mail)
    imap_login(dovecot, people["user"].mail, factories.PASSWORD).logout()
    run = collect_from_dovecot()
    assert run.status == UsageCollection.Status.COMPLETE and run.mailboxes == 3
    usage = {u.person.uid: u for u in MailboxUsage.objects.select_related("person")}
    assert usage["hoangnt"].last_login is not None and usage["hoangnt"].messages == 2
    assert usage["hoangnt"].bytes_used > 0
    assert usage["khaittm"].last_login is None and usage["khaittm"].messages == 1  # received mail, never used it
    assert usage["ducdv"].last_login is None and usage["ducdv"].bytes_used is None  # nothing known: not zero
    collect_from_dovecot()  # again the same day: brought up to date, not duplicated
    assert MailboxUsage.objects.count() == 3


def test_the_mail_servers_store_unreachable_means_partial_not_zero(people, settings):
    from scripts.dev.slapd import free_port

    settings.IDM_MAIL_USAGE_REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(UsageSourceUnavailable):
        collect_from_dovecot()
    run = UsageCollection.objects.get()
    assert run.status == UsageCollection.Status.PARTIAL and run.error
    assert MailboxUsage.objects.count() == 0
