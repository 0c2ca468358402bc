"""An IT lead reads mailbox use in a real browser, after real deliveries and logins collected
from the private Dovecot."""

from __future__ import annotations

import pytest

from accounts.models import Role, RoleAssignment
from provisioning.mailboxes.usage import collect_from_dovecot
from tests import factories
from tests.mail.test_dovecot import deliver, imap_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lead_reads_mailbox_use(live_server, page, dovecot):
    unit = factories.unit(factories.province(), "000.00.03.H45", "Sở Tài chính")
    lead = factories.person(unit, "Phạm", "Thị", "Lan")
    RoleAssignment.objects.create(person=lead, role=Role.IT_LEAD, unit=unit)
    user = factories.person(unit, "Nguyễn", "Tiến", "Hoàng")
    receiver = factories.person(unit, "Trần", "Thị Minh", "Khai")
    deliver(dovecot, user.mail)
    deliver(dovecot, receiver.mail)
    imap_login(dovecot, user.mail, factories.PASSWORD).logout()
    collect_from_dovecot()

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", lead.uid)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button.primary")
    page.click("text=Hộp thư")
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    page.select_option("select[name=activity]", "never")
    page.click("text=Xem")
    text = page.locator("tbody").inner_text()
    assert receiver.mail in text and user.mail not in text  # a delivery is not use
