"""/scim/v2/ (RFC 7644) over the people and unit selectors and services. Authentication is the REST API's:
`Authorization: Bearer idm_...` acting as the token's owner, failed attempts throttled per address; Users
and Groups are the owner's scope as an HR officer. Every answer is application/scim+json and every error
a SCIM Error (status, scimType, detail), whatever went wrong. A refusal (403) or a resource outside the
caller's scope (404) leaves a line on the `idm.access` logger, as the pages' and the REST API's do."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from pydantic import ValidationError as PydanticValidationError
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from scim2_models import (
    Context,
    Error,
    InvalidFilterException,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    PatchOp,
    PreconditionFailedException,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    SearchRequest,
)

from provisioning.api.authentication import BearerTokenAuthentication
from provisioning.api.errors import log_refusal
from provisioning.api.permissions import HrOfficer
from provisioning.scim import mapping, resources
from provisioning.scim.filters import FilterError, group_filter, user_filter
from provisioning.scim.selectors import scim_people, scim_person, scim_unit, scim_units
from provisioning.scim.services import SCIM_NAMES, scim_user_create, scim_user_delete, scim_user_replace

log = logging.getLogger("idm.scim")
SCIM_JSON = "application/scim+json"
DEFAULT_COUNT = 100


class ScimParser(JSONParser):
    media_type = SCIM_JSON


class ScimRenderer(JSONRenderer):
    media_type = SCIM_JSON
    format = "scim"
    charset = None  # application/scim+json is UTF-8 JSON; no charset parameter (RFC 7644 §3.1)


class AlwaysScim(DefaultContentNegotiation):
    """Whatever the client accepts, the answer is application/scim+json (RFC 7644 §3.1; JSON clients read it)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def scim_error(status: int, detail: str, scim_type: str | None = None, headers: dict | None = None) -> Response:
    body = Error(status=status, scim_type=scim_type or None, detail=detail).model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    return Response(body, status=status, headers=headers)


def _validation_detail(exc: DjangoValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{SCIM_NAMES.get(k, k)}: {' '.join(m)}" if k != "__all__" else " ".join(m)
                         for k, m in exc.message_dict.items())
    return " ".join(exc.messages)


def _pydantic_detail(exc: PydanticValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()[:5])


class ScimView(APIView):
    schema = None  # SCIM describes itself (/Schemas, /ResourceTypes); the OpenAPI schema is the REST API's
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [ScimParser, JSONParser]
    renderer_classes = [ScimRenderer]
    content_negotiation_class = AlwaysScim

    def handle_exception(self, exc):
        response = self._error(exc)
        log_refusal(self.request, response.status_code)  # AC-08: a refusal leaves a line, as the REST API's
        return response

    def _error(self, exc) -> Response:
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            return scim_error(401, str(exc.detail), headers={"WWW-Authenticate": 'Bearer realm="idm"'})
        if isinstance(exc, exceptions.Throttled):
            return scim_error(429, str(exc.detail), headers={"Retry-After": str(int(exc.wait or 60))})
        if isinstance(exc, (exceptions.PermissionDenied, DjangoPermissionDenied)):
            return scim_error(403, "Your roles do not allow this.")
        if isinstance(exc, (Http404, exceptions.NotFound)):
            return scim_error(404, "Not found.")
        if isinstance(exc, exceptions.MethodNotAllowed):
            return scim_error(405, str(exc.detail), headers={"Allow": ", ".join(self.allowed_methods)})
        if isinstance(exc, RequestDataTooBig):
            return scim_error(413, "The request body is too large.")
        if isinstance(exc, exceptions.UnsupportedMediaType):
            return scim_error(415, str(exc.detail))
        if isinstance(exc, exceptions.ParseError):
            return scim_error(400, str(exc.detail), "invalidSyntax")
        if isinstance(exc, SCIMException):
            return scim_error(exc.status, exc.detail, exc.scim_type or None)
        if isinstance(exc, DjangoValidationError):
            return scim_error(400, _validation_detail(exc), "invalidValue")
        if isinstance(exc, PydanticValidationError):
            # scim2-models says which SCIM error a refused value is (mutability, invalidPath...) in its context
            ctx = next((e.get("ctx") or {} for e in exc.errors() if (e.get("ctx") or {}).get("scim_type")), {})
            return scim_error(int(ctx.get("status") or 400), _pydantic_detail(exc),
                              ctx.get("scim_type") or "invalidValue")
        log.exception("SCIM request failed: %s %s", self.request.method, self.request.path)
        return scim_error(500, "The server could not complete the request.")

    # ---- helpers shared by the resource views ----

    def base(self) -> str:
        return self.request.build_absolute_uri("/scim/v2").rstrip("/")

    def body(self) -> dict:
        data = self.request.data
        if not isinstance(data, dict):
            raise InvalidSyntaxException(detail="The body must be a JSON object.")
        return data

    def response_parameters(self, source: dict | None = None) -> ResponseParameters:
        q = source if source is not None else self.request.query_params
        values = {k: q.get(k) for k in ("attributes", "excludedAttributes") if q.get(k)}
        if any(not isinstance(v, (str, list)) for v in values.values()):
            raise InvalidValueException(detail="attributes and excludedAttributes are lists of attribute names")
        try:
            return ResponseParameters.model_validate(values)
        except (PydanticValidationError, SCIMException) as exc:
            raise InvalidValueException(detail="attributes and excludedAttributes cannot be used together"
                                        if len(values) == 2 else "invalid attribute names") from exc

    def dump(self, resource, params: ResponseParameters | None = None, ctx=Context.RESOURCE_QUERY_RESPONSE):
        return resource.model_dump(scim_ctx=ctx, response_parameters=params)

    def answer(self, resource, status: int = 200, ctx=Context.RESOURCE_QUERY_RESPONSE) -> Response:
        response = Response(self.dump(resource, self.response_parameters(), ctx), status=status)
        if resource.meta is not None:
            response["ETag"] = resource.meta.version
            response["Location"] = resource.meta.location
        return response

    def check_if_match(self, resource) -> None:
        """If-Match (RFC 7644 §3.14): a change to a version the client has not seen is refused (412)."""
        wanted = self.request.headers.get("If-Match")
        if wanted and wanted.strip() != "*" and resource.meta.version not in [w.strip() for w in wanted.split(",")]:
            raise PreconditionFailedException(detail="The resource changed since you read it (If-Match).")

    def not_modified(self, resource) -> bool:
        wanted = self.request.headers.get("If-None-Match")
        return bool(wanted) and resource.meta.version in [w.strip() for w in wanted.split(",")]


def _int(value, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidValueException(detail=f"{name} must be an integer") from None


class ListMixin:
    """Filtered, paged lists (startIndex is 1-based; count at most MAX_RESULTS, 0 for the total only)."""

    def list_response(self, view: ScimView, source: dict, build_page) -> Response:
        start = min(max(1, _int(source.get("startIndex"), "startIndex", 1)), 2**31)  # an OFFSET SQL can take
        count = min(max(0, _int(source.get("count"), "count", DEFAULT_COUNT)), resources.MAX_RESULTS)
        if source.get("sortBy"):
            raise InvalidValueException(detail="sorting is not supported (see /ServiceProviderConfig)")
        text = source.get("filter")
        if text is not None and not isinstance(text, str):
            raise InvalidFilterException(detail="filter must be a string")
        try:
            rows = self.rows(view, text)
            total = rows.count()
        except FilterError as exc:
            raise InvalidFilterException(detail=str(exc)) from exc
        items = build_page(list(rows[start - 1:start - 1 + count])) if count else []
        body = ListResponse[self.model](total_results=total, start_index=start, items_per_page=len(items),
                                        resources=items or None)
        return Response(body.model_dump(scim_ctx=Context.SEARCH_RESPONSE,
                                        response_parameters=view.response_parameters(source)))


# ---- discovery ----

class ServiceProviderConfigView(ScimView):
    def get(self, request):
        config = resources.service_provider_config()
        config.meta = None
        return Response(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _discovery_list(items: list, model) -> Response:
    body = ListResponse[model](total_results=len(items), start_index=1, items_per_page=len(items), resources=items)
    return Response(body.model_dump(scim_ctx=Context.SEARCH_RESPONSE))


class SchemasView(ScimView):
    def get(self, request, schema_id: str | None = None):
        found = resources.schemas()
        if schema_id is None:
            return _discovery_list(found, Schema)
        for s in found:
            if s.id == schema_id:
                return Response(s.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
        raise NotFoundException(detail=f"Schema {schema_id} not found")


class ResourceTypesView(ScimView):
    def get(self, request, type_id: str | None = None):
        found = resources.resource_types()
        if type_id is None:
            return _discovery_list(found, ResourceType)
        for t in found:
            if t.id == type_id:
                return Response(t.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
        raise NotFoundException(detail=f"ResourceType {type_id} not found")


class RootSearchView(ScimView):
    def post(self, request):
        raise NotImplementedException(detail="Search one resource type at a time: /Users/.search, /Groups/.search.")


class NotFoundView(ScimView):
    """Anything else under /scim/v2/: a SCIM 404 (after authentication, like every endpoint)."""

    def _missing(self, request, *args, **kwargs):
        raise NotFoundException(detail=f"{request.path} is not a SCIM endpoint")

    get = post = put = patch = delete = _missing


# ---- Users ----

class UserList(ListMixin):
    model = resources.UserResource

    def rows(self, view, text):
        people = scim_people(view.request.user)
        return people.filter(user_filter(text)).distinct() if text else people


class UsersView(ScimView):
    permission_classes = [HrOfficer]

    def get(self, request):
        return UserList().list_response(self, request.query_params,
                                        lambda people: mapping.users(people, self.base()))

    def post(self, request):
        body = self.body()
        body.setdefault("active", True)  # marked required (a person is active or not); left out: active
        resource = resources.UserResource.model_validate(body, scim_ctx=Context.RESOURCE_CREATION_REQUEST)
        person = scim_user_create(actor=request.user, resource=resource)
        return self.answer(mapping.user(scim_person(request.user, str(person.pk)), self.base()), status=201,
                           ctx=Context.RESOURCE_CREATION_RESPONSE)


class UsersSearchView(ScimView):
    permission_classes = [HrOfficer]

    def post(self, request):
        search = SearchRequest.model_validate(self.body(), scim_ctx=Context.SEARCH_REQUEST)
        source = {"filter": search.filter, "startIndex": search.start_index, "count": search.count,
                  "attributes": search.attributes, "excludedAttributes": search.excluded_attributes,
                  "sortBy": search.sort_by}
        source = {k: v for k, v in source.items() if v is not None}
        return UserList().list_response(self, source, lambda people: mapping.users(people, self.base()))


class UserView(ScimView):
    permission_classes = [HrOfficer]

    def _current(self, pk: str):
        person = scim_person(self.request.user, pk)
        return person, mapping.user(person, self.base())

    def get(self, request, pk: str):
        _person, resource = self._current(pk)
        if self.not_modified(resource):
            return Response(status=304, headers={"ETag": resource.meta.version})
        return self.answer(resource)

    def put(self, request, pk: str):
        person, current = self._current(pk)
        self.check_if_match(current)
        body = self.body()
        body.setdefault("active", current.active)  # left out of a replacement: unchanged
        resource = resources.UserResource.model_validate(body, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
        scim_user_replace(actor=request.user, person=person, resource=resource)
        return self.answer(self._current(pk)[1], ctx=Context.RESOURCE_REPLACEMENT_RESPONSE)

    def patch(self, request, pk: str):
        person, current = self._current(pk)
        self.check_if_match(current)
        operations = PatchOp[resources.UserResource].model_validate(self.body(),
                                                                   scim_ctx=Context.RESOURCE_PATCH_REQUEST)
        operations.patch(current)
        scim_user_replace(actor=request.user, person=person, resource=current)
        return self.answer(self._current(pk)[1], ctx=Context.RESOURCE_PATCH_RESPONSE)

    def delete(self, request, pk: str):
        person, current = self._current(pk)
        self.check_if_match(current)
        scim_user_delete(actor=request.user, person=person)
        return Response(status=204)


# ---- Groups (units, read-only) ----

class GroupList(ListMixin):
    model = resources.Group

    def rows(self, view, text):
        units = scim_units(view.request.user)
        return units.filter(group_filter(text)).distinct() if text else units


class GroupsView(ScimView):
    permission_classes = [HrOfficer]

    def get(self, request):
        return GroupList().list_response(self, request.query_params,
                                         lambda units: [mapping.group(u, self.base()) for u in units])


class GroupsSearchView(ScimView):
    permission_classes = [HrOfficer]

    def post(self, request):
        search = SearchRequest.model_validate(self.body(), scim_ctx=Context.SEARCH_REQUEST)
        source = {"filter": search.filter, "startIndex": search.start_index, "count": search.count,
                  "attributes": search.attributes, "excludedAttributes": search.excluded_attributes,
                  "sortBy": search.sort_by}
        source = {k: v for k, v in source.items() if v is not None}
        return GroupList().list_response(self, source,
                                         lambda units: [mapping.group(u, self.base()) for u in units])


class GroupView(ScimView):
    permission_classes = [HrOfficer]

    def get(self, request, code: str):
        resource = mapping.group(scim_unit(request.user, code), self.base())
        if self.not_modified(resource):
            return Response(status=304, headers={"ETag": resource.meta.version})
        return self.answer(resource)
