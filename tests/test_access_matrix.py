"""AC-01..AC-08 as one table: every URL of the project, as every role, against an object inside the
role holder's subtree and one in another subtree.

The cast (built once for the module, rolled back at its end): a province with departments A and B,
each with a division and people. The HR officer, the unit head and the IT lead hold their roles over A;
the staff member works in A; the province's IT lead holds IT lead over the whole province (so A and B
are both inside its IT scope); the superadmin is the local bootstrap account. The objects the URLs name
(a person, a unit, an import, a role assignment, a functional mailbox, a quota request, certificate
requests waiting for the unit head and for IT) exist in A's division ("in_scope") and in B's
("out_of_scope"); a reorganisation plan (a merger, a split), a CA batch and an application that reads the
directory belong to no unit (one of each, "any"). Each role also holds an API token (see `_token`).

Deny by default: a URL pattern missing from ACCESS fails `test_every_url_is_declared`. To declare a new
page, add one line to ACCESS: who may GET it, who may POST it, which object its URL names. The REST API
(/api/v1/) and SCIM (/scim/v2/) go in their own block at the end of ACCESS, with `auth="bearer"` (`**API`);
an API row may also say who may PATCH. A refusal (403, 404) must leave a line on the `idm.access` logger,
from a page (idm.errors) as from the API (provisioning.api.errors.exception_handler).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role, User
from accounts.roles.services import role_grant, role_revoke
from accounts.tokens.services import may_hold_tokens, token_create
from provisioning.applications.models import Application
from provisioning.approvals.services import quota_request_create
from provisioning.certificates.models import CertificateBatch, CertificateRequest, CertKind, RequestType, Stage
from provisioning.imports import services as imports
from provisioning.imports.models import ImportBatch
from provisioning.mailboxes.services import functional_create
from provisioning.people.models import PersonStatus
from provisioning.reorg.models import UnitPlan
from provisioning.reorg.services import plan_split_create
from tests import factories
from tests.provisioning.certificates.conftest import PERSONAL_NEW

ROLES = ("anonymous", "staff", "unit_head", "hr_admin", "it_lead", "province_it", "superadmin")
SIGNED_IN = "staff unit_head hr_admin it_lead province_it superadmin"
PEOPLE = "staff unit_head hr_admin it_lead province_it"  # the signed-in roles that are people of the directory
PUBLIC = "anonymous " + SIGNED_IN
HR = "hr_admin superadmin"
IT = "it_lead province_it superadmin"
PROVINCE_IT = "province_it superadmin"  # batches for the CA, usage files: the whole province's
REPORTS = "hr_admin it_lead province_it superadmin"
SUPERADMIN = "superadmin"
TOKEN_HOLDERS = "hr_admin it_lead province_it superadmin"  # accounts.tokens.services.may_hold_tokens
EVERYWHERE = ("superadmin", "province_it")  # whose scope holds B too (the province IT lead: for IT's pages)


@dataclass(frozen=True)
class Row:
    """How one URL may be used.

    get, post: who may (space-separated roles, "" for nobody); None: the method is not accepted (405).
    patch:     who may PATCH (the API's changes, with an empty JSON body); None: not requested.
    put, delete: who may PUT, DELETE (SCIM's replacement and removal), as `patch`.
    obj:       (world, scope) -> the URL's keyword arguments: the object in A (in_scope) or in B (out_of_scope).
    args:      world -> the URL's keyword arguments for an object of no unit (a plan, a CA batch): not scoped.
    shows:     (world, scope) -> a text the page (list, search, export) contains only for roles in `sees`
               (default: every role allowed), and then only for its own scope: how a list proves it filters.
    hidden:    the status when an allowed role (other than the superadmin) names an object outside its scope.
    denied:    the status for a signed-in role without the right; denied_as: {role: status} where one
               role is refused later than the others (it may use the page but not this object).
    ok:        the statuses of an allowed request (default: 200 for GET; 200, 302 or 400 for POST: the view ran).
    data:      (world, scope) -> the POST body (default: empty: the access check comes before the form);
               a body that names an object makes the POST cases scoped.
    search:    the POST is a search (SCIM's .search, its filter in `data`): answered as a list, `shows` is
               checked on it as on a GET's list.
    changes:   {method: (world, scope) -> body} for PATCH and PUT: a real change, which an allowed role's
               request must then make (200) rather than merely reach (default: an empty body, 200/302/400).
    body:      a fixed POST body that names no object (the cases are not scoped).
    kwargs:    fixed keyword arguments of the URL; query: its query string, or (world, scope) -> one.
    signs_out: the page may send a signed-in person to the login page (logout).
    auth:      how a role signs in: "session" (the pages) or a key of SIGN_IN added for the API ("bearer").
    anonymous: the status for anonymous where the row does not allow it: 302 (to the login page) for the
               pages; an API answers 401.
    scim:      a SCIM endpoint (`**SCIM`): every answer is application/scim+json and every error (a refusal
               too) a SCIM Error whose status is the answer's (RFC 7644 §3.1, §3.12).
    """

    get: str | None
    post: str | None = None
    patch: str | None = None
    put: str | None = None
    delete: str | None = None
    obj: Callable | None = None
    args: Callable | None = None
    shows: Callable | None = None
    sees: str | None = None
    hidden: int = 404
    denied: int = 403
    denied_as: dict = field(default_factory=dict)
    ok: frozenset | None = None
    data: Callable | None = None
    search: bool = False
    changes: dict = field(default_factory=dict)
    body: dict | None = None
    kwargs: dict = field(default_factory=dict)
    query: str | Callable = ""
    signs_out: bool = False
    auth: str = "session"
    anonymous: int = 302
    scim: bool = False


def person(w, scope):
    return {"pk": w[scope]["person"].pk}


def staged(w, scope):
    return {"pk": w[scope]["staged"].pk}


def unit(w, scope):
    return {"code": w[scope]["division"].code}


def batch(w, scope):
    return {"pk": w[scope]["batch"].pk}


def batch_csv(w, scope):
    return batch(w, scope) | {"fmt": "csv"}


def assignment(w, scope):
    return {"pk": w[scope]["assignment"].pk}


def mailbox(w, scope):
    return {"code": w[scope]["division"].code, "pk": w[scope]["mailbox"].pk}


def name(w, scope):
    return w[scope]["person"].full_name


def batch_name(w, scope):
    return w[scope]["batch"].filename


def letters_for(w, scope):
    return {"person": [w[scope]["staged"].pk]}


def decision_on(w, scope):
    return {"request": w[scope]["request"].pk, "decision": "refuse", "note": "matrix"}


def grant_in(w, scope):
    return {"person": w[scope]["person"].pk, "role": Role.HR_ADMIN, "unit": w[scope]["division"].pk}


def dept(w, scope):
    return {"code": w[scope]["dept"].code}


def dept_name(w, scope):
    return w[scope]["dept"].name


def plan(w):
    return {"pk": w["plan"].pk}


def ca_batch(w):
    return {"pk": w["ca_batch"].pk}


def ca_batch_post(w, scope):
    return {"batch": w["ca_batch"].pk}


def cert_waiting_head(w, scope):  # the unit head's decision (a refusal: the view ran, nothing is issued)
    return {"request": w[scope]["cert_head"].pk, "decision": "refuse", "note": "matrix"}


def cert_waiting_it(w, scope):
    return {"request": w[scope]["cert_it"].pk, "decision": "refuse", "note": "matrix"}


def dossier_link(w, scope):  # the batch list: the province's (a batch holds every unit's requests)
    return reverse("provisioning:certificate_dossier", kwargs=ca_batch(w))


def it_request_name(w, scope):  # the holder of the request waiting for IT
    return w[scope]["head"].full_name


def audit_about(w, scope):
    return f"?person={w[scope]['person'].given_name}"


def cert_request(w, scope):  # a request waiting for the unit head, as its own page names it
    return {"pk": w[scope]["cert_head"].pk}


def unlock_sent(w, scope):  # a token unlock sent to the CA: IT records it done
    return {"request": w[scope]["cert_unlock"].pk}


def split_plan(w):
    return {"pk": w["split_plan"].pk}


def application(w):
    return {"pk": w["application"].pk}


# the REST API's objects, as its routes name them
def fm(w, scope):
    return {"pk": w[scope]["mailbox"].pk}


def fm_address(w, scope):
    return w[scope]["mailbox"].address


def quota(w, scope):
    return {"pk": w[scope]["request"].pk}


def uid(w, scope):
    return w[scope]["person"].uid


def onboard_in(w, scope):  # a new person in the scope's division: a unit outside the officer's is "no such unit"
    return {"unit": w[scope]["division"].code, "family_name": "Kiểm", "given_name": "Thử",
            "employee_code": f"MATRIX-{scope}"}


def functional_in(w, scope):
    return {"unit": w[scope]["division"].code, "local_part": f"matrix{scope[:2]}", "name": "Hộp thư thử"}


def quota_for(w, scope):  # asked by an HR officer for a person of their units
    return {"person": w[scope]["staged"].pk, "requested_mb": 4096, "reason": "matrix"}


CERT_FORM = PERSONAL_NEW | {"phone": "0912345678", "contact_phone": "0912345678"}  # what the record lacks
CERT_NEW = {"kind": "personal", "type": "new", "form": CERT_FORM}


def cert_new_for(w, scope):  # asked by an HR officer for a person of their units (another's: 404)
    return CERT_NEW | {"person": w[scope]["staged"].pk}  # the others have one under way


def refuse(w, scope):
    return {"decision": "refuse", "note": "matrix"}


# SCIM's objects
SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def scim_filter(text: Callable) -> Callable:
    return lambda w, s: "?" + urlencode({"filter": text(w, s)})


def scim_search(text: Callable) -> Callable:
    return lambda w, s: {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": text(w, s)}


def user_named(w, scope):
    return f'userName eq "{uid(w, scope)}"'


def division_name(w, scope):
    return w[scope]["division"].name


def scim_new_in(w, scope):  # a new person in the scope's division
    return {"schemas": [SCIM_USER, SCIM_ENTERPRISE], "userName": "matrix",
            "name": {"familyName": "Kiểm", "givenName": "Thử"},
            SCIM_ENTERPRISE: {"employeeNumber": f"SCIM-{scope[:2].upper()}", "department": w[scope]["division"].code}}


def scim_as_is(w, scope, department: str | None = None):  # PUT: the person as they are (in `department`'s)
    p = w[scope]["person"]
    return {"schemas": [SCIM_USER, SCIM_ENTERPRISE], "userName": p.uid,
            "name": {"familyName": p.family_name, "middleName": p.middle_name, "givenName": p.given_name},
            SCIM_ENTERPRISE: {"employeeNumber": p.employee_code,
                              "department": w[department or scope]["division"].code}}


def scim_title_patch(w, scope):
    return {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "title", "value": "Chuyên viên"}]}


CSV = "?export=csv"
FORM_OR_DONE = frozenset({200, 302, 400})
API = {"auth": "bearer", "anonymous": 401}  # a REST API row: signed in by a token; no token, 401
SCIM = API | {"scim": True}
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

# One line per URL name ("namespace:name"); a variant of a URL (an export) adds "name?query".
ACCESS: dict[str, Row] = {
    "home": Row(get=SIGNED_IN),
    "healthz": Row(get=PUBLIC),
    "set_language": Row(get=PUBLIC, post=PUBLIC, ok=frozenset({204, 302})),
    "accounts:login": Row(get=PUBLIC, post=PUBLIC, ok=frozenset({200, 302, 400})),
    "accounts:logout": Row(get=None, post=PUBLIC, ok=frozenset({200, 302}), signs_out=True),
    "activate": Row(get=PUBLIC, post=PUBLIC),
    "me": Row(get=SIGNED_IN),
    "password_change": Row(get=PEOPLE, post=PEOPLE, denied=404),  # the superadmin is nobody's person
    "contact_change": Row(get=PEOPLE, post=PEOPLE, denied=404),
    "contact_confirm": Row(get=PEOPLE, post=PEOPLE, denied=404, ok=frozenset({302})),  # no check under way
    "helpdesk_reset": Row(get=HR, post=HR, obj=person),
    "accounts:roles": Row(get=HR, shows=name),
    "accounts:role_grant": Row(get=None, post=HR, data=grant_in, hidden=400, ok=frozenset({302})),
    "accounts:role_revoke": Row(get=HR, post=HR, obj=assignment, denied=404, ok=frozenset({200, 302})),
    "provisioning:unit_list": Row(get=SIGNED_IN),  # the tree is public to every signed-in person
    "provisioning:unit_list?export=csv": Row(get=SIGNED_IN, query=CSV),
    "provisioning:unit_new": Row(get=SUPERADMIN, post=SUPERADMIN),
    "provisioning:unit_import": Row(get=SUPERADMIN, post=SUPERADMIN),
    "provisioning:unit_detail": Row(get=SIGNED_IN, obj=unit, shows=name, sees=HR),  # staff only for managers
    "provisioning:unit_edit": Row(get=SUPERADMIN, post=SUPERADMIN, obj=unit),
    "provisioning:people": Row(get=HR, shows=name),
    "provisioning:people?export=csv": Row(get=HR, shows=name, query=CSV),
    "provisioning:people?export=xlsx": Row(get=HR, query="?export=xlsx"),
    "provisioning:people?q=": Row(get=HR, shows=name, query=lambda w, s: f"?q={w[s]['person'].given_name}"),
    "provisioning:person_new": Row(get=HR, post=HR),
    "provisioning:activation_letters": Row(get=None, post=HR, data=letters_for, hidden=302, ok=frozenset({200})),
    "provisioning:person": Row(get=HR, obj=person),
    "provisioning:person_edit": Row(get=HR, post=HR, obj=person),
    "provisioning:person_action": Row(get=None, post=HR, obj=staged, ok=frozenset({302})),
    "provisioning:person_suspend": Row(get=HR, post=HR, obj=person),
    "provisioning:person_reinstate": Row(get=HR, post=HR, obj=person),
    "provisioning:person_leave": Row(get=HR, post=HR, obj=person),
    "provisioning:person_rehire": Row(get=HR, post=HR, obj=person),
    "provisioning:person_transfer": Row(get=HR, post=HR, obj=person),
    "provisioning:functional_new": Row(get=None, post=HR, obj=unit, hidden=403, ok=frozenset({302})),
    "provisioning:functional_save": Row(get=None, post=HR, obj=mailbox, hidden=403, ok=frozenset({302})),
    "provisioning:mailboxes": Row(get=IT, shows=name),
    "provisioning:mailboxes?export=csv": Row(get=IT, shows=name, query=CSV),
    "provisioning:usage_upload": Row(get=PROVINCE_IT, post=PROVINCE_IT),
    "provisioning:quota_request_new": Row(get=None, post=PEOPLE, ok=frozenset({302})),
    "provisioning:quota_requests": Row(get="unit_head superadmin", post="unit_head superadmin", shows=name,
                                       data=decision_on),  # POST: a decision on the scope's request
    "provisioning:imports": Row(get=HR, post=HR, shows=batch_name),
    "provisioning:import_template": Row(get=HR, kwargs={"fmt": "csv"}),
    "provisioning:import": Row(get=HR, obj=batch),
    "provisioning:import_status": Row(get=HR, obj=batch),
    "provisioning:import_commit": Row(get=None, post=HR, obj=batch, ok=frozenset({302})),
    "provisioning:import_report": Row(get=HR, obj=batch_csv),
    # forgotten password, unlock, user-name reminder: for anyone; the later steps only follow the first
    # in the same session (else back to its start, never to the login page)
    "password_forgot": Row(get=PUBLIC, post=PUBLIC),
    "account_unlock": Row(get=PUBLIC, post=PUBLIC),
    "username_reminder": Row(get=PUBLIC, post=PUBLIC),
    "recovery_code": Row(get=PUBLIC, post=PUBLIC, ok=frozenset({302})),
    "password_reset_new": Row(get=PUBLIC, post=PUBLIC, ok=frozenset({302})),
    # reorganisation plans: the superadmin's alone
    "provisioning:plans": Row(get=SUPERADMIN, post=SUPERADMIN),
    "provisioning:plan_dissolve": Row(get=None, post=SUPERADMIN, ok=frozenset({400})),
    "provisioning:plan_detail": Row(get=SUPERADMIN, args=plan),
    "provisioning:plan_action": Row(get=None, post=SUPERADMIN, args=plan, ok=frozenset({302})),
    # adoption reports: figures of the reader's subtrees (HR officers' and IT leads'); another unit's: 404
    "provisioning:reports": Row(get=REPORTS, shows=dept_name),
    "provisioning:reports?format=csv": Row(get=REPORTS, shows=dept_name, query="?format=csv"),
    "provisioning:reports?format=xlsx": Row(get=REPORTS, query="?format=xlsx"),
    "provisioning:report_unit": Row(get=REPORTS, obj=dept),
    "provisioning:report_unit?format=csv": Row(get=REPORTS, obj=dept, query="?format=csv"),
    "provisioning:report_unit?format=xlsx": Row(get=REPORTS, obj=dept, query="?format=xlsx"),
    # the ranking across the province: the reader's units of one kind, as totals
    "provisioning:report_ranking": Row(get=REPORTS, shows=dept_name),
    "provisioning:report_ranking?format=csv": Row(get=REPORTS, shows=dept_name, query="?format=csv"),
    # digital certificates: a person's own request; the unit's page (its head decides there, the HR
    # officer reads); IT's queue by subtree; batches, the CA's dossier and its answers: the province's IT
    "provisioning:certificate_request": Row(get=PEOPLE, post=PEOPLE),  # the superadmin holds no certificate
    "provisioning:certificate_csr": Row(get=None, post=PEOPLE, ok=frozenset({302})),
    "provisioning:certificates_unit": Row(get="unit_head hr_admin superadmin", shows=name,
                                          post="unit_head superadmin", data=cert_waiting_head,
                                          denied_as={"hr_admin": 404}, ok=frozenset({200, 302})),
    "provisioning:certificates_it": Row(get=IT, post=IT, shows=it_request_name, data=cert_waiting_it,
                                        ok=frozenset({200, 302})),
    "provisioning:certificates_it?batches": Row(get=IT, shows=dossier_link, sees=PROVINCE_IT, query="?batches"),
    "provisioning:certificate_batch_send": Row(get=None, post=PROVINCE_IT, data=ca_batch_post, denied=404,
                                               ok=frozenset({302})),
    "provisioning:certificates_upload": Row(get=None, post=PROVINCE_IT, ok=frozenset({302})),
    "provisioning:certificate_dossier": Row(get=PROVINCE_IT, args=ca_batch, denied=404),
    # the audit trail: everything for the superadmin and the province's IT lead; an HR officer or a
    # unit's IT lead reads the entries about their subtrees
    "provisioning:audit": Row(get=REPORTS, shows=name, query=audit_about),
    "provisioning:audit?export=csv": Row(get=REPORTS, shows=name, query=CSV),
    "provisioning:audit?export=xlsx": Row(get=REPORTS, query="?export=xlsx"),

    "accounts:tokens": Row(get=TOKEN_HOLDERS, post=TOKEN_HOLDERS),  # POST: make one (empty form: 400)
    # revoking: any signed-in owner's own token (one made before a role was taken away too); another's: 404
    "accounts:token_revoke": Row(get=None, post=SIGNED_IN, ok=frozenset({302})),
    # applications that read the directory: the superadmin's alone
    "provisioning:applications": Row(get=SUPERADMIN, post=SUPERADMIN),
    "provisioning:application_rotate": Row(get=None, post=SUPERADMIN, args=application, ok=frozenset({200})),
    "provisioning:application_revoke": Row(get=None, post=SUPERADMIN, args=application, ok=frozenset({302})),
    "provisioning:plan_rename": Row(get=None, post=SUPERADMIN, ok=frozenset({400})),
    "provisioning:plan_reparent": Row(get=None, post=SUPERADMIN, ok=frozenset({400})),
    "provisioning:plan_split": Row(get=None, post=SUPERADMIN, ok=frozenset({400})),
    "provisioning:plan_edit": Row(get=None, post=SUPERADMIN, args=plan, ok=frozenset({400})),
    "provisioning:plan_assignments": Row(get=None, post=SUPERADMIN, args=split_plan, ok=frozenset({400})),
    # certificate request forms: the HR officer's for a person of their units; for a unit the HR officer's
    # (organisational), for a device or service also IT's over the unit; another unit's: 403 (its page)
    "provisioning:certificate_person_request": Row(get=HR, post=HR, obj=person),
    "provisioning:unit_certificate_request": Row(get=HR, post=HR, obj=unit, hidden=403),
    "provisioning:unit_certificate_request?kind=device": Row(get=HR + " it_lead province_it", obj=unit, hidden=403,
                                                             query="?kind=device"),
    # one unit's certificates page: its HR officer reads, its head decides there
    "provisioning:unit_certificates": Row(get="unit_head hr_admin superadmin", obj=unit, hidden=403,
                                          post="unit_head superadmin", data=cert_waiting_head,
                                          denied_as={"hr_admin": 404}, ok=frozenset({200, 302})),
    # a request's page: its holder, requester, and whoever looks after the unit (HR, head, IT); else 404
    "provisioning:certificate_request_detail": Row(get=SIGNED_IN.replace("staff ", ""), obj=cert_request,
                                                   post=SIGNED_IN.replace("staff ", ""), denied=404),
    # what the CA did (a revocation, a token unlocked): the province's IT records it
    "provisioning:certificate_revoke": Row(get=None, post=PROVINCE_IT, ok=frozenset({302})),
    "provisioning:certificate_request_done": Row(get=None, post=PROVINCE_IT, data=unlock_sent, denied=404,
                                                 ok=frozenset({302})),

    # ---- REST API (/api/v1/) and SCIM (/scim/v2/) ----------------------------------------------------
    # One row per route name of the router, as for the pages, with auth="bearer" (SIGN_IN["bearer"]: each
    # role's token) and anonymous=401. POST and PATCH bodies go as JSON. The staff member and the unit head
    # may not make tokens (may_hold_tokens); theirs were made while they held the HR role, since taken
    # away: a token acts with its owner's rights of today, so they answer as the pages do.
    # The units and distribution lists: everyone reads (every unit: no scope), only the superadmin writes
    "api:unit-list": Row(get=SIGNED_IN, post=SUPERADMIN, **API),
    "api:unit-detail": Row(get=SIGNED_IN, patch=SUPERADMIN, args=lambda w: unit(w, "in_scope"), **API),
    "api:unit-detail?other": Row(get=SIGNED_IN, args=lambda w: unit(w, "out_of_scope"), **API),
    "api:list-list": Row(get=SIGNED_IN, post=SUPERADMIN, **API),
    # people: the HR officer's subtrees (onboarding into another unit: "no such unit", 400)
    "api:person-list": Row(get=HR, shows=name, post=HR, data=onboard_in, hidden=400, ok=frozenset({200, 201}),
                           **API),
    "api:person-list?q=": Row(get=HR, shows=name, query=lambda w, s: f"?q={w[s]['person'].given_name}", **API),
    "api:person-list?unit=": Row(get=HR, shows=name, query=lambda w, s: f"?unit={w[s]['division'].code}", **API),
    "api:person-detail": Row(get=HR, post=None, patch=HR, obj=person, **API),
    "api:person-transfer": Row(get=None, post=HR, obj=person, **API),
    "api:person-suspend": Row(get=None, post=HR, obj=person, **API),
    "api:person-reinstate": Row(get=None, post=HR, obj=person, **API),
    "api:person-leave": Row(get=None, post=HR, obj=person, **API),
    "api:person-rehire": Row(get=None, post=HR, obj=person, **API),
    # imports: the HR officer's (a batch of their subtrees, whoever uploaded it)
    "api:import-list": Row(get=HR, shows=batch_name, post=HR, **API),
    "api:import-detail": Row(get=HR, obj=batch, **API),
    "api:import-rows": Row(get=HR, obj=batch, **API),
    "api:import-commit": Row(get=None, post=HR, obj=batch, ok=frozenset({202}), **API),
    # a unit's shared mailboxes: its HR officers (creating one in another unit: 400, no such unit)
    "api:functional-mailbox-list": Row(get=HR, shows=fm_address, post=HR, data=functional_in, hidden=400,
                                       ok=frozenset({200, 201}), **API),
    "api:functional-mailbox-detail": Row(get=HR, patch=HR, obj=fm, **API),
    # every mailbox with its usage: the IT leads (a unit's IT lead: their subtree)
    "api:mailbox-list": Row(get=IT, shows=name, **API),
    "api:mailbox-list?unit=": Row(get=IT, shows=name, query=lambda w, s: f"?unit={w[s]['division'].code}", **API),
    # quota requests: each reads their own and, as HR officer or unit head, their subtrees'; an HR officer
    # asks for a person of their units (another's: 404), anyone for themselves (the superadmin is nobody:
    # 403); the unit head decides (anyone else finds nothing to decide: 404)
    "api:quota-request-list": Row(get=SIGNED_IN, shows=uid, sees="unit_head hr_admin superadmin", post=HR,
                                  data=quota_for, ok=frozenset({200, 201}), **API),
    "api:quota-request-list?mine": Row(get=None, post=PEOPLE, body={"requested_mb": 4096, "reason": "matrix"},
                                       ok=frozenset({201}), **API),
    "api:quota-request-detail": Row(get="unit_head hr_admin superadmin", obj=quota, denied=404, **API),
    "api:quota-request-decide": Row(get=None, post="unit_head superadmin", obj=quota, data=refuse, denied=404,
                                    ok=frozenset({200}), **API),
    # certificate requests: each follows their own and, as HR officer, unit head or IT lead, their
    # subtrees' (as on the certificate pages); an HR officer raises one for a person of their units
    # (another unit's: 404), anyone for themselves (the superadmin is nobody: 403)
    "api:certificate-request-list": Row(get=SIGNED_IN, shows=uid, sees=SIGNED_IN.replace("staff ", ""), post=HR,
                                        data=cert_new_for, ok=frozenset({200, 201}), **API),
    "api:certificate-request-list?mine": Row(get=None, post=PEOPLE, body=CERT_NEW, ok=frozenset({201}), **API),
    "api:certificate-request-detail": Row(get=SIGNED_IN.replace("staff ", ""), obj=cert_request,
                                          denied=404, **API),
    # adoption figures: the reader's subtrees (a unit outside them: 404)
    "api:report-list": Row(get=REPORTS, shows=dept_name, **API),
    "api:report-detail": Row(get=REPORTS, obj=dept, **API),
    "api:report-ranking-list": Row(get=REPORTS, shows=dept_name, **API),
    # ... which also take the pages' session cookie (the reports JSON before the REST API; it only reads)
    "api:report-list?session": Row(get=REPORTS, shows=dept_name, anonymous=401),
    "api:report-detail?session": Row(get=REPORTS, obj=dept, anonymous=401),
    "api:report-ranking-list?session": Row(get=REPORTS, shows=dept_name, anonymous=401),
    # the OpenAPI schema and its Swagger UI: public, the same for everyone (Redoc is not served)
    "api:schema": Row(get=PUBLIC, **API),
    "api:docs": Row(get=PUBLIC, **API),

    # ---- SCIM 2.0 (/scim/v2/): the same tokens; every answer application/scim+json, every refusal a SCIM
    # Error. Users are the people of the token owner's units as an HR officer (as the people pages): a
    # list, a filter or a search never shows another unit's person, their page is a 404 and so is any change
    # to them; a new person or a new department outside the officer's units is "no such unit" (400).
    # Discovery: anyone with a token (no scope). Groups are the units of the officer's subtrees, read-only.
    "scim:config": Row(get=SIGNED_IN, **SCIM),
    "scim:schemas": Row(get=SIGNED_IN, **SCIM),
    "scim:schema": Row(get=SIGNED_IN, kwargs={"schema_id": SCIM_USER}, **SCIM),
    "scim:resource_types": Row(get=SIGNED_IN, **SCIM),
    "scim:resource_type": Row(get=SIGNED_IN, kwargs={"type_id": "User"}, **SCIM),
    "scim:users": Row(get=HR, shows=name, post=HR, data=scim_new_in, hidden=400, ok=frozenset({200, 201}), **SCIM),
    "scim:users?filter=userName": Row(get=HR, shows=name, query=scim_filter(user_named), **SCIM),
    "scim:users?filter=id": Row(get=HR, shows=name, query=scim_filter(lambda w, s: f'id eq "{w[s]["person"].pk}"'),
                                **SCIM),
    "scim:users?filter=department": Row(get=HR, shows=name, query=scim_filter(
        lambda w, s: f'{SCIM_ENTERPRISE}:department eq "{w[s]["division"].code}" or {user_named(w, s)}'), **SCIM),
    "scim:users_search": Row(get=None, post=HR, data=scim_search(user_named), search=True, shows=name,
                             ok=frozenset({200}), **SCIM),
    "scim:user": Row(get=HR, obj=person, post=None, patch=HR, put=HR, delete=HR,
                     changes={"PATCH": scim_title_patch, "PUT": scim_as_is}, **SCIM),
    # moving a person of the officer's units into another unit: refused (400), the superadmin may
    "scim:user?elsewhere": Row(get=None, put=SUPERADMIN, args=lambda w: person(w, "in_scope"),
                               changes={"PUT": lambda w, s: scim_as_is(w, "in_scope", "out_of_scope")},
                               denied_as={"hr_admin": 400}, **SCIM),
    "scim:groups": Row(get=HR, shows=division_name, **SCIM),
    "scim:groups?filter=members": Row(get=HR, shows=division_name, query=scim_filter(
        lambda w, s: f'members eq "{w[s]["person"].pk}"'), **SCIM),
    "scim:groups_search": Row(get=None, post=HR, data=scim_search(lambda w, s: f'id eq "{unit(w, s)["code"]}"'),
                              search=True, shows=division_name, ok=frozenset({200}), **SCIM),
    "scim:group": Row(get=HR, obj=unit, **SCIM),
    # read-only: no one may change a unit through SCIM (an HR officer is told 405, anyone else 403 first)
    "scim:group?write": Row(get=None, patch="", put="", delete="", obj=unit, hidden=405,
                            denied_as={"hr_admin": 405, "superadmin": 405}, **SCIM),
    # a search over every type: not offered (501, for anyone signed in); any other path: a SCIM 404
    "scim:search": Row(get=None, post=SIGNED_IN, ok=frozenset({501}), **SCIM),
    "scim:not_found": Row(get="", post="", denied=404, **SCIM),
}


def url_names(patterns=None, namespace: str = "") -> list[str]:
    """Every URL pattern's name ("namespace:name"; the route for a pattern with no name)."""
    found = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found += url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            found.append(f"{namespace}{p.name}" if p.name else f"{namespace}<unnamed {p.pattern}>")
    return found


def _base(key: str) -> str:
    return key.split("?")[0]


def test_every_url_is_declared():
    """AC-01, deny by default: a page nobody classified is a page nobody checked."""
    missing = sorted(set(url_names()) - {_base(k) for k in ACCESS})
    assert not missing, (
        "These URL patterns are not in tests/test_access_matrix.py ACCESS: "
        + ", ".join(missing) + ". Declare each with one line — who may GET it, who may POST it, and which "
        "object (in_scope / out_of_scope) its URL names — so every page says who may use it.")
    stale = sorted({_base(k) for k in ACCESS} - set(url_names()))
    assert not stale, f"ACCESS declares URLs that no longer exist: {', '.join(stale)}"


# ------------------------------------------------------------------------------------------ the cast


def _side(w: dict, p, label: str, code: str, given: tuple[str, str, str]) -> dict:
    dept = factories.unit(p, f"000.00.0{code}.H45", f"Sở {label}")
    division = factories.unit(dept, f"000.0{code}.01.H45", f"Phòng {label}", kind="division")
    target = factories.person(division, *given, password=None)
    staged = factories.person(division, "Võ", "Thị", f"Chờ{label}", status=PersonStatus.STAGED, password=None,
                              personal_email=f"cho{code}@example.org")
    head = factories.person(division, "Đỗ", "Văn", f"Trưởng{label}", password=None)
    side = {"dept": dept, "division": division, "person": target, "staged": staged,
            "assignment": role_grant(actor=None, person=target, role=Role.UNIT_HEAD, unit=division),
            "mailbox": functional_create(actor=None, unit=division, local_part=f"vanthu{code}", name="Văn thư"),
            "request": quota_request_create(actor=User.objects.create_user(username=target.uid), person=target,
                                            requested_mb=4096, reason="hồ sơ lớn"),
            "head": head}
    requester = User.objects.get(username=target.uid)
    # certificate requests of the division's people: one waiting for the unit head, one for IT
    for key, holder, stage in (("cert_head", target, Stage.HEAD), ("cert_it", head, Stage.IT)):
        side[key] = CertificateRequest.objects.create(person=holder, unit=division, kind=CertKind.PERSONAL,
                                                      type=RequestType.NEW, stage=stage, requested_by=requester,
                                                      form={"full_name": holder.full_name})
    return side


def _token(user: User, person, unit) -> str:
    """The role's API token. Staff and unit heads may not make one (may_hold_tokens): theirs was made
    while they were HR officers of their division, a role since taken away, so the token is theirs and
    acts with what they may do today."""
    holder = User.objects.get(pk=user.pk)  # a fresh object: its roles are read anew
    if may_hold_tokens(holder):
        return token_create(actor=holder, name="matrix")[1]
    assignment = role_grant(actor=None, person=person, role=Role.HR_ADMIN, unit=unit)
    secret = token_create(actor=User.objects.get(pk=user.pk), name="matrix")[1]
    role_revoke(actor=None, assignment=assignment)
    assert not may_hold_tokens(User.objects.get(pk=user.pk))
    return secret


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, ldap_server):
    """Built once in a transaction that is rolled back after the module (each test runs in a savepoint
    of it, so nothing a test does reaches the next)."""
    with django_db_blocker.unblock(), transaction.atomic():
        p = factories.province()
        w: dict = {}
        w["in_scope"] = _side(w, p, "A", "1", ("Trần", "Thị", "Mai"))
        w["out_of_scope"] = _side(w, p, "B", "2", ("Lê", "Văn", "Bình"))
        a = w["in_scope"]
        cast = {"hr_admin": factories.person(a["dept"], "Phạm", "Thị", "Lan", password=None),
                "unit_head": factories.person(a["dept"], "Hoàng", "Văn", "Nam", password=None),
                "it_lead": factories.person(a["dept"], "Hà", "Quang", "Bảo", password=None),
                "province_it": factories.person(p, "Đinh", "Công", "Khải", password=None),
                "staff": factories.person(a["division"], "Nguyễn", "Tiến", "Hoàng", password=None)}
        role_grant(actor=None, person=cast["hr_admin"], role=Role.HR_ADMIN, unit=a["dept"])
        role_grant(actor=None, person=cast["unit_head"], role=Role.UNIT_HEAD, unit=a["dept"])
        role_grant(actor=None, person=cast["it_lead"], role=Role.IT_LEAD, unit=a["dept"])
        role_grant(actor=None, person=cast["province_it"], role=Role.IT_LEAD, unit=p)
        w["users"] = {role: User.objects.create_user(username=p.uid) for role, p in cast.items()}
        w["users"]["superadmin"] = User.objects.create_superuser(username="admin", password="x" * 20,
                                                                 source=User.Source.LOCAL)
        for scope in ("in_scope", "out_of_scope"):  # uploaded by someone else: a colleague's batch is in scope too
            side = w[scope]
            b = imports.import_create(actor=None, fileobj=io.BytesIO(b"x"), filename=f"ds-{side['dept'].code}.csv",
                                      scope=side["dept"])
            ImportBatch.objects.filter(pk=b.pk).update(status=ImportBatch.Status.PREVIEW)
            side["batch"] = ImportBatch.objects.get(pk=b.pk)
        w["plan"] = UnitPlan.objects.create(effective=dt.date(2026, 1, 1), target=a["dept"], note="matrix")
        w["plan"].sources.add(w["out_of_scope"]["dept"])
        w["split_plan"] = plan_split_create(actor=None, source=a["division"], effective=dt.date(2026, 1, 1), parts=[
            {"code": "000.01.08.H45", "name": "Phòng A1", "kind": "division", "default": True},
            {"code": "000.01.09.H45", "name": "Phòng A2", "kind": "division"}])
        w["ca_batch"] = CertificateBatch.objects.create()
        sent = CertificateBatch.objects.create(status=CertificateBatch.Status.SENT)
        for scope in ("in_scope", "out_of_scope"):  # a token unlock the CA has: IT records it done
            side = w[scope]
            side["cert_unlock"] = CertificateRequest.objects.create(
                person=side["person"], unit=side["division"], kind=CertKind.PERSONAL, type=RequestType.UNLOCK,
                stage=Stage.BATCHED, batch=sent, requested_by=w["users"]["hr_admin"],
                form={"full_name": side["person"].full_name})
        w["application"] = Application.objects.create(name="Phần mềm một cửa", account="motcua", unit=a["dept"],
                                                      contact="matrix", secret_hash="{ARGON2}x",
                                                      secret_set_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        w["tokens"] = {role: _token(user, cast.get(role), a["division"]) for role, user in w["users"].items()}
        yield w
        transaction.set_rollback(True)


# ------------------------------------------------------------------------------------------ the matrix


@dataclass(frozen=True)
class Case:
    key: str
    method: str
    role: str
    scope: str  # in_scope, out_of_scope, or "any" for a URL that names no object and shows no list
    row: Row = field(compare=False)

    @property
    def id(self) -> str:
        return f"{self.key}-{self.method}-{self.role}-{self.scope}"


def _cases() -> list[Case]:
    out = []
    for key, row in ACCESS.items():
        for method, who in (("GET", row.get), ("POST", row.post), ("PATCH", row.patch), ("PUT", row.put),
                            ("DELETE", row.delete)):
            if method in CHANGES and who is None:  # PATCH, PUT, DELETE: asked only where a row names who may
                continue
            scoped = row.obj or (row.shows if method == "GET" else row.data if method == "POST" else None)
            assert not (scoped and row.args), f"{key}: an object of no unit (args) has no scope"
            scopes = ("in_scope", "out_of_scope") if scoped else ("any",)
            if who is None and "?" in key:  # a variant (an export, a part of the page): its base row says
                continue
            if who is None:  # not accepted: one case says so
                out.append(Case(key, method, "superadmin", scopes[0], row))
                continue
            out += [Case(key, method, role, scope, row) for role in ROLES for scope in scopes]
    return out


CHANGES = ("PATCH", "PUT", "DELETE")
CASES = _cases()


def expected(case: Case) -> tuple[frozenset, bool | None]:
    """(the statuses allowed, whether the scope's marker must be on the page: None when not checked)."""
    row = case.row
    who = _who(case)
    if who is None:
        return frozenset({405}), None
    allowed = case.role in who.split()
    outside = case.scope == "out_of_scope" and case.role not in EVERYWHERE
    if case.method == "DELETE":
        ok = frozenset({204})
    elif case.method in CHANGES:
        ok = frozenset({200}) if case.method in row.changes else FORM_OR_DONE
    else:
        ok = row.ok or (frozenset({200}) if case.method == "GET" else FORM_OR_DONE)
    if not allowed:
        if case.role == "anonymous":
            return frozenset({row.anonymous}), None
        if case.role in row.denied_as and outside and row.obj:  # another unit's object: refused at the page
            return frozenset({row.hidden}), None
        return frozenset({row.denied_as.get(case.role, row.denied)}), None
    if row.shows and (case.method == "GET" or row.search):  # a list: always answers, and shows only what the
        # role may see
        sees = case.role in (row.sees or who).split()
        return ok, sees and not outside
    if outside and case.role != "anonymous":
        return frozenset({row.hidden}), None
    return ok, None


def _who(case: Case) -> str | None:
    return {"GET": case.row.get, "POST": case.row.post, "PATCH": case.row.patch, "PUT": case.row.put,
            "DELETE": case.row.delete}[case.method]


def _url(case: Case, w: dict) -> str:
    scope = case.scope if case.scope != "any" else "in_scope"
    kwargs = case.row.kwargs | (case.row.obj(w, scope) if case.row.obj else {}) | \
        (case.row.args(w) if case.row.args else {})
    query = case.row.query(w, scope) if callable(case.row.query) else case.row.query
    return reverse(_base(case.key), kwargs=kwargs) + query


def _session(client, w: dict, role: str) -> dict:
    user = w["users"][role]
    backend = "accounts.backends.LocalSuperadminBackend" if user.is_superuser else "accounts.backends.DirectoryBackend"
    client.force_login(user, backend=backend)
    return {}


def _bearer(client, w: dict, role: str) -> dict:
    return {"Authorization": f"Bearer {w['tokens'][role]}"}


# How a role signs in for a row's `auth`: returns the request's extra headers.
SIGN_IN: dict[str, Callable] = {"session": _session, "bearer": _bearer}


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_ac_matrix(case: Case, world, client, caplog):
    caplog.set_level(logging.INFO, logger="idm.access")
    headers = SIGN_IN[case.row.auth](client, world, case.role) if case.role != "anonymous" else {}
    scope = case.scope if case.scope != "any" else "in_scope"
    url = _url(case, world)
    if case.method == "POST":
        body = case.row.data(world, scope) if case.row.data else case.row.body or {}
    else:
        body = case.row.changes[case.method](world, scope) if case.method in case.row.changes else {}
    if case.method == "GET":
        r = client.get(url, headers=headers)
    elif case.row.auth == "session":
        r = client.post(url, body, headers=headers)
    else:  # the API reads JSON
        r = getattr(client, case.method.lower())(url, json.dumps(body), content_type="application/json",
                                                 headers=headers)
    statuses, marker_shown = expected(case)
    assert r.status_code in statuses, f"{case.method} {url} as {case.role}: {r.status_code}, expected {set(statuses)}"
    if r.status_code in (403, 404) and case.role != "anonymous":  # AC-08: a refusal leaves a line
        assert any(rec.name == "idm.access" for rec in caplog.records), f"{case.method} {url}: refusal not logged"
    if r.status_code == 302:
        to_login = r["Location"].startswith(reverse("accounts:login"))
        login_expected = case.role == "anonymous" and case.role not in (_who(case) or "").split()
        assert to_login == login_expected or (to_login and case.row.signs_out), \
            f"{case.method} {url} as {case.role} went to {r['Location']}"
    if case.row.scim and r.status_code != 204:
        assert r["Content-Type"] == "application/scim+json", f"{case.method} {url}: {r['Content-Type']}"
        if r.status_code >= 400:
            error = r.json()
            assert error["schemas"] == [SCIM_ERROR] and error["status"] == str(r.status_code), error
    if marker_shown is not None:
        body = b"".join(r.streaming_content) if r.streaming else r.content
        text = case.row.shows(world, scope)
        assert (text in body.decode("utf-8-sig", "replace")) == marker_shown, (
            f"{url} as {case.role}: “{text}” {'missing' if marker_shown else 'leaked'}")
