"""Sessions and response headers, one test (or more) per statement of the security bar (SE-01..SE-10);
SE-06 (re-authentication to change recovery channels) is held by the profile tests."""

from __future__ import annotations

import datetime as dt
import io
import re
import string
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role, User
from accounts.roles.services import role_grant
from provisioning.audit.models import AuditEntry
from provisioning.imports import services as imports
from provisioning.mailboxes.services import functional_create
from provisioning.outbox.models import DirectoryChange
from provisioning.people.models import PersonStatus
from provisioning.people.services import person_set_status
from tests import factories
from tests.test_production_settings import production_settings

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent
LOGIN = "/accounts/login/"
SUPERADMIN_PASSWORD = "a local bootstrap password"


@pytest.fixture
def cast():
    """A province with one department: a staff member, its HR officer, the province's IT lead, the superadmin,
    and one of each object the pages show (a role, an import, a functional mailbox)."""
    province = factories.province()
    unit = factories.unit(province, "000.00.01.H45", "Sở Khoa học và Công nghệ")
    staff = factories.person(unit)
    hr = factories.person(unit, "Trần", "Thị", "Lan")
    it = factories.person(unit, "Lê", "Văn", "Nam")
    role = role_grant(actor=None, person=hr, role=Role.HR_ADMIN, unit=unit)
    role_grant(actor=None, person=it, role=Role.IT_LEAD, unit=province)
    User.objects.create_superuser("superadmin", password=SUPERADMIN_PASSWORD, source=User.Source.LOCAL)
    batch = imports.import_create(actor=None, fileobj=io.BytesIO("Mã cán bộ,Họ và tên,Đơn vị\n".encode()),
                                  filename="ds.csv", scope=None)
    mailbox = functional_create(actor=None, unit=unit, local_part="vanthu", name="Văn thư")
    return {"unit": unit, "staff": staff, "hr": hr, "it": it, "role": role, "batch": batch, "mailbox": mailbox}


def signed_in(who: str, password: str = factories.PASSWORD, **client_kw) -> Client:
    client = Client(**client_kw)
    r = client.post(LOGIN, {"username": who, "password": password}, secure=client_kw.get("secure", False))
    assert r.status_code == 302, (who, r.status_code)
    return client


ROLES = {"staff": "hoangnt", "hr officer": "lantt", "it lead": "namlv", "superadmin": "superadmin"}


TOKEN_HOLDERS = {"hr officer", "it lead", "superadmin"}  # accounts.tokens.services.may_hold_tokens
API = ("/api/", "/scim/")  # token-authenticated: a cookie never writes there, so CSRF does not apply


def clients_by_role() -> dict[str, Client]:
    """Each role signed in, and for the API routes holding that person's API token too (pages ignore it)."""
    from accounts.tokens.services import token_create

    clients = {role: signed_in(uid, SUPERADMIN_PASSWORD if role == "superadmin" else factories.PASSWORD)
               for role, uid in ROLES.items()}
    for role in TOKEN_HOLDERS:
        secret = token_create(actor=User.objects.get(username=ROLES[role]), name="route audit")[1]
        clients[role].defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return clients | {"anonymous": Client()}


def url_patterns(resolver: URLResolver | None = None, namespace: str = ""):
    """(name, pattern) for every route: the route audit covers what the URLconf has, not a list kept by hand."""
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from url_patterns(p, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def every_url(cast) -> list[str]:
    """Every route, with its parameters filled from the cast, so that each view really runs."""
    from django.utils import timezone

    from provisioning.approvals.models import QuotaRequest
    from provisioning.certificates.models import CertificateBatch, CertificateRequest
    from provisioning.certificates.services import system_user
    from provisioning.reorg.models import UnitPlan

    batch = CertificateBatch.objects.create()
    cert_request = CertificateRequest.objects.create(person=cast["staff"], unit=cast["unit"], kind="personal",
                                                     type="new", requested_by=system_user(), origin="automatic")
    plan = UnitPlan.objects.create(effective=timezone.localdate(), new_code="PLAN-X", new_name="Đơn vị mới",
                                   new_kind="department", new_domain="moi.gov.vn")
    certificate = CertificateRequest.objects.create(person=cast["staff"], unit=cast["unit"], kind="personal",
                                                    type="new", requested_by=User.objects.get(username="superadmin"))
    quota = QuotaRequest.objects.create(person=cast["staff"], requested_mb=2000, reason="route audit",
                                        requested_by=User.objects.get(username="superadmin"))
    pks = {"accounts:role_revoke": cast["role"].pk, "provisioning:functional_save": cast["mailbox"].pk,
           "provisioning:plan_detail": plan.pk, "provisioning:plan_action": plan.pk,
           "provisioning:certificate_dossier": batch.pk, "api:quota-request-detail": quota.pk,
           "api:quota-request-decide": quota.pk, "api:functional-mailbox-detail": cast["mailbox"].pk,
           "provisioning:certificate_request_detail": cert_request.pk,
           "provisioning:plan_edit": plan.pk, "provisioning:plan_assignments": plan.pk,
           "api:certificate-request-detail": certificate.pk}
    urls = []
    for name, pattern in url_patterns():
        names = set(pattern.pattern.regex.groupindex)
        kwargs = {}
        if "pk" in names:
            kwargs["pk"] = pks.get(name, cast["batch"].pk if "import" in name else cast["staff"].pk)
        if "code" in names:
            kwargs["code"] = cast["unit"].code
        if "fmt" in names:
            kwargs["fmt"] = "csv"
        if "schema_id" in names:
            kwargs["schema_id"] = "urn:ietf:params:scim:schemas:core:2.0:User"
        if "type_id" in names:
            kwargs["type_id"] = "User"
        urls.append(reverse(name, kwargs=kwargs))
    return urls


# ---- SE-01: cookies ----

HOST_COOKIES = {"SESSION_COOKIE_NAME": "__Host-idm_session", "CSRF_COOKIE_NAME": "__Host-csrftoken",
                "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True}


def test_se01_production_names_the_cookies_host_only_and_secure(tmp_path):
    prod = production_settings(tmp_path, *HOST_COOKIES, "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
                               "CSRF_COOKIE_SAMESITE", "SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN")
    assert prod == HOST_COOKIES | {"SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax",
                                   "CSRF_COOKIE_SAMESITE": "Lax", "SESSION_COOKIE_DOMAIN": None,
                                   "CSRF_COOKIE_DOMAIN": None}


def test_se01_cookies_are_secure_httponly_samesite_and_host_prefixed_under_https(cast, settings):
    for name, value in HOST_COOKIES.items():
        setattr(settings, name, value)
    client = Client()
    client.get(LOGIN, secure=True)
    client.post(LOGIN, {"username": "hoangnt", "password": factories.PASSWORD}, secure=True)
    session, csrf = client.cookies["__Host-idm_session"], client.cookies["__Host-csrftoken"]
    for cookie in (session, csrf):
        # a __Host- cookie must be Secure, have Path=/ and no Domain, or browsers drop it
        assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]
        assert cookie["samesite"] == "Lax"
    assert session["httponly"]


def test_se01_no_script_reads_a_cookie():
    # the CSRF token is read from the form, never from the cookie (whose name changes under HTTPS)
    for js in (ROOT / "static").rglob("*.js"):
        assert "cookie" not in js.read_text(encoding="utf-8").lower(), js


# ---- SE-02: session ids ----

def test_se02_session_ids_are_long_random_and_kept_on_the_server(cast):
    assert django_settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    keys = {signed_in("hoangnt").session.session_key for _ in range(3)}
    assert len(keys) == 3
    for key in keys:
        # 32 characters of [a-z0-9] from the secrets module: log2(36) * 32 = 165 bits
        assert len(key) == 32 and set(key) <= set(string.ascii_lowercase + string.digits)
        assert Session.objects.filter(session_key=key).exists()


# ---- SE-03: logout ----

def test_se03_logout_destroys_the_server_side_session(cast):
    client = signed_in("hoangnt")
    key = client.cookies["sessionid"].value
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = key
    r = replay.get("/me/")
    assert r.status_code == 302 and r["Location"].startswith(LOGIN)


# ---- SE-04: suspending or offboarding ends every session at once ----

@pytest.mark.parametrize("status", [PersonStatus.SUSPENDED, PersonStatus.LEFT])
def test_se04_suspending_or_offboarding_ends_all_of_the_persons_sessions(cast, settings, status):
    # without the middleware that would also catch them on their next request: the service ends them itself
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("ActivePersonMiddleware")]
    laptop, phone = signed_in("hoangnt"), signed_in("hoangnt")
    colleague = signed_in("lantt")
    assert laptop.get("/me/").status_code == phone.get("/me/").status_code == 200
    person_set_status(actor=None, person=cast["staff"], status=status)
    for client in (laptop, phone):
        r = client.get("/me/")
        assert r.status_code == 302 and r["Location"].startswith(LOGIN)
    assert colleague.get("/me/").status_code == 200  # nobody else's


# ---- SE-05: idle timeout and absolute lifetime ----

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def test_se05_a_session_idle_for_30_minutes_ends(cast):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in("hoangnt")
        for _ in range(4):  # active, a request every 29 minutes: two hours, still signed in
            clock.shift(dt.timedelta(minutes=29))
            assert client.get("/me/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        r = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 302 and r["Location"].startswith(LOGIN)
        page = client.get(r["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "signed out after 30 minutes without activity" in page
        assert client.get("/me/").status_code == 302  # for good: the session is gone
    assert AuditEntry.objects.filter(action="auth.logout").latest("id").after == {"reason": "idle"}


def test_se05_a_session_ends_12_hours_after_login_however_active(cast):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in("hoangnt")
        elapsed = dt.timedelta(0)
        while True:
            clock.shift(dt.timedelta(minutes=20))
            elapsed += dt.timedelta(minutes=20)
            if client.get("/me/").status_code != 200:
                break
        assert dt.timedelta(hours=12) < elapsed <= dt.timedelta(hours=12, minutes=20)
    assert AuditEntry.objects.filter(action="auth.logout").latest("id").after == {"reason": "expired"}


def test_se05_the_limits_are_30_minutes_and_12_hours():
    assert (django_settings.IDM_SESSION_IDLE_MINUTES, django_settings.IDM_SESSION_MAX_HOURS) == (30, 12)
    assert django_settings.SESSION_COOKIE_AGE == 12 * 3600


# ---- SE-07: every state-changing request needs the CSRF token ----

def test_se07_a_post_without_the_csrf_token_is_refused_on_every_route(cast):
    urls = every_url(cast)
    assert len(urls) >= 30
    victim = Client(enforce_csrf_checks=True)
    victim.get(LOGIN)
    assert victim.post(LOGIN, {"username": "superadmin", "password": SUPERADMIN_PASSWORD,
                               "csrfmiddlewaretoken": victim.cookies["csrftoken"].value}).status_code == 302
    anonymous = Client(enforce_csrf_checks=True)
    for client in (victim, anonymous):
        client.get(LOGIN)  # holds a CSRF cookie, as a victim's browser would; the attacker has no token
        for url in urls:
            r = client.post(url, {"username": "hoangnt", "password": factories.PASSWORD},
                            HTTP_ORIGIN="https://evil.example", HTTP_ACCEPT_LANGUAGE="en")
            if url.startswith(API):  # the cookie is not a credential there: refused before any view runs
                assert r.status_code in (401, 403, 405), url
                continue
            assert r.status_code == 403, url
            assert "The form was not accepted" in r.content.decode(), url
    assert not AuditEntry.objects.exclude(action="auth.login").filter(at__gt=cast["staff"].created_at).exclude(
        actor=None).exists()


@pytest.mark.parametrize("url,data", [(LOGIN, {"username": "hoangnt", "password": factories.PASSWORD}),
                                      ("/accounts/logout/", {})])
def test_se07_with_the_token_login_and_logout_go_through(cast, url, data):
    client = Client(enforce_csrf_checks=True)
    if url != LOGIN:
        client.force_login(User.objects.get(username="superadmin"),
                           backend=django_settings.AUTHENTICATION_BACKENDS[0])
    client.get(LOGIN if url == LOGIN else "/")  # the page with the form
    token = client.cookies["csrftoken"].value
    assert client.post(url, data | {"csrfmiddlewaretoken": token}).status_code == 302


# ---- SE-08: nothing changes on GET or HEAD ----

def _writes(queries) -> list[str]:
    # the session's own last-activity stamp (SE-05) is allowed, and so is an API token's last use (at most
    # once a minute, accounts.tokens.services.LAST_USED_EVERY)
    return [q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.I)
            and "django_session" not in q["sql"] and not re.match(r'\s*UPDATE "accounts_apitoken"', q["sql"])]


def test_se08_no_route_changes_anything_on_get_or_head(cast):
    urls = every_url(cast)
    changes = DirectoryChange.objects.count()
    answers: dict[str, set[int]] = {url: set() for url in urls}
    for role, client in clients_by_role().items():
        audit = AuditEntry.objects.count()  # signing in was audited; from here on nothing may be
        for url in urls:
            for method in (client.get, client.head):
                with CaptureQueriesContext(connection) as queries:
                    r = method(url)
                assert r.status_code < 500, (role, url)
                assert not _writes(queries.captured_queries), (role, method.__name__, url)
                if method == client.get:
                    answers[url].add(r.status_code)
        assert AuditEntry.objects.count() == audit
    assert DirectoryChange.objects.count() == changes
    # every route either showed a page to someone (so its view really ran) or refuses GET: POST only
    post_only = {url for url, codes in answers.items() if codes <= {405, 302}
                 or (url.startswith(API) and 405 in codes and codes <= {401, 403, 405})}
    # (the code step of a contact change sends anyone without a flow in the session back to its start)
    # (and so do the code and new-password steps of a forgotten password, RS-17)
    needs_state = {"/me/contact/confirm/", "/password/forgot/code/", "/password/forgot/new/"}
    # (SCIM's catch-all answers every unknown path with a SCIM 404, by design)
    needs_state |= {reverse("scim:not_found")}
    odd = {url for url, codes in answers.items() if 200 not in codes} - post_only - needs_state
    assert not odd, {url: answers[url] for url in odd}
    assert {"/accounts/logout/", "/accounts/roles/grant/", f"/people/{cast['staff'].pk}/action/",
            f"/imports/{cast['batch'].pk}/commit/", "/me/quota/"} <= post_only


# ---- SE-09 and SE-10: headers on every page ----

NEEDED_CSP = ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'",
              "style-src 'self'", "default-src 'self'"]


def test_se09_se10_every_page_as_every_role_has_the_security_headers_and_no_inline_code(cast):
    pages = 0
    for role, client in clients_by_role().items():
        for url in every_url(cast):
            r = client.get(url)
            if r.status_code != 200 or not r.get("Content-Type", "").startswith("text/html"):
                continue
            pages += 1
            csp = r["Content-Security-Policy"]
            for directive in NEEDED_CSP:
                assert directive in csp, (role, url, csp)
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
            assert r["X-Content-Type-Options"] == "nosniff"
            # the recovery pages are stricter still (RS-11)
            assert r["Referrer-Policy"] == ("no-referrer" if url.startswith("/password/") else "same-origin")
            assert r["X-Frame-Options"] == "DENY"
            body = r.content.decode()
            assert not re.search(r"<script(?![^>]*\ssrc=)", body), (role, url)
            assert not re.search(r"\sstyle=|\son[a-z]+=", body), (role, url)
            if role != "anonymous":  # SE-10
                assert "no-store" in r["Cache-Control"], (role, url)
    assert pages >= 40


def test_se09_hsts_for_a_year_with_subdomains_under_https(tmp_path, settings, cast):
    prod = production_settings(tmp_path, "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS")
    assert prod["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and prod["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    settings.SECURE_HSTS_SECONDS = prod["SECURE_HSTS_SECONDS"]
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    client = Client()
    for url in (LOGIN, "/activate/"):
        assert client.get(url, secure=True)["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_se09_no_template_has_inline_script_style_or_event_handler():
    found = []
    for template in [*(ROOT / "templates").rglob("*.html"), *(ROOT / "accounts").rglob("*.html"),
                     *(ROOT / "provisioning").rglob("*.html")]:
        if "pdf" in template.relative_to(ROOT).parts:
            continue  # printed by WeasyPrint (idm/pdf.py), never served to a browser: styles belong there
        text = template.read_text(encoding="utf-8")
        for bad in (r"<script(?![^>]*\ssrc=)", r"<style", r"\sstyle=", r"\son[a-z]+="):
            if re.search(bad, text):
                found.append(f"{template.relative_to(ROOT)}: {bad}")
    assert not found


def test_se10_the_pages_of_a_signed_in_user_are_never_stored(cast):
    client = signed_in("lantt")
    for url in ("/", "/me/", f"/people/{cast['staff'].pk}/", "/people/?export=csv"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"], url
