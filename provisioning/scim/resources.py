"""What /scim/v2/ serves, as scim2-models resources (pydantic): the subset of the SCIM core User and the
enterprise extension that idm holds, and units as read-only Groups. The Schemas, ResourceTypes and
ServiceProviderConfig endpoints publish exactly these models, so a client sees what idm keeps and which
attributes it assigns itself.

- ``userName`` is the uid idm gives (its one naming function, from the person's name and unit); a value
  sent is ignored (readOnly), so the naming rule and its collision handling stay in one place.
- ``name`` (familyName, middleName, givenName) and ``active`` are required: a person always has a name and
  is active or suspended (``active`` may be left out on creation: active).
- ``emails`` holds the personal (contact) address only; the official mailbox idm issues is an entitlement
  (type ``mailbox``, read-only), and ``userType`` is the person's category (read-only).
- enterprise ``employeeNumber`` is the employee code (unique, case-insensitive); ``department`` the code of
  the person's unit (a change is a transfer); ``organization`` the top unit's name and ``manager`` the head
  of the person's unit (both read-only: heads are roles granted on the pages).
- Read-only values inside a writable attribute (name.formatted, the enterprise organization and manager)
  are returned when asked for (``attributes=``), so what a client writes is what it reads back.
"""

from typing import Annotated

from pydantic import Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    ETag,
    Extension,
    Filter,
    Mutability,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    Returned,
    Schema,
    SchemaExtension,
    Sort,
    Uniqueness,
)
from scim2_models import ServiceProviderConfig as _SPC

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MAX_RESULTS = 200  # a page of a list, as the REST API's largest page


class Name(ComplexAttribute):
    formatted: Annotated[str | None, Mutability.read_only, Returned.request] = None
    family_name: Annotated[str | None, Required.true] = None
    middle_name: str | None = None
    given_name: Annotated[str | None, Required.true] = None


class PersonalEmail(ComplexAttribute):
    """The person's own address, for reset codes and notices (not the official mailbox)."""

    value: str | None = None


class PhoneNumber(ComplexAttribute):
    """A Vietnamese mobile number (0912345678 or +84912345678)."""

    value: str | None = None


class GroupRef(ComplexAttribute):
    value: Annotated[str | None, Mutability.read_only, CaseExact.true] = None
    ref: Annotated[Reference["Group"] | None, Mutability.read_only] = Field(  # noqa: F821, UP037 (a resource type name)
        None, serialization_alias="$ref", validation_alias="$ref")
    display: Annotated[str | None, Mutability.read_only] = None


class Entitlement(ComplexAttribute):
    value: Annotated[str | None, Mutability.read_only] = None
    type: Annotated[str | None, Mutability.read_only] = None
    display: Annotated[str | None, Mutability.read_only] = None


class User(Resource):
    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Mutability.read_only] = None
    name: Annotated[Name | None, Required.true] = None
    display_name: Annotated[str | None, Mutability.read_only] = None
    title: str | None = None
    user_type: Annotated[str | None, Mutability.read_only] = None
    active: Annotated[bool | None, Required.true] = None
    emails: list[PersonalEmail] | None = None
    phone_numbers: list[PhoneNumber] | None = None
    entitlements: Annotated[list[Entitlement] | None, Mutability.read_only] = None
    groups: Annotated[list[GroupRef] | None, Mutability.read_only] = None


class Manager(ComplexAttribute):
    value: Annotated[str | None, Mutability.read_only, CaseExact.true] = None
    ref: Annotated[Reference["User"] | None, Mutability.read_only] = Field(  # noqa: UP037 (a resource type name)
        None, serialization_alias="$ref", validation_alias="$ref")
    display_name: Annotated[str | None, Mutability.read_only] = None


class EnterpriseUser(Extension):
    __schema__ = URN(ENTERPRISE_SCHEMA)

    employee_number: Annotated[str | None, Required.true, Uniqueness.server] = None
    organization: Annotated[str | None, Mutability.read_only, Returned.request] = None
    department: Annotated[str | None, Required.true] = None
    manager: Annotated[Manager | None, Mutability.read_only, Returned.request] = None


class Member(ComplexAttribute):
    value: Annotated[str | None, Mutability.read_only, CaseExact.true] = None
    ref: Annotated[Reference["User"] | None, Mutability.read_only] = Field(  # noqa: UP037 (a resource type name)
        None, serialization_alias="$ref", validation_alias="$ref")
    display: Annotated[str | None, Mutability.read_only] = None
    type: Annotated[str | None, Mutability.read_only] = None


class Group(Resource):
    """A unit of the tree (its code is the id). Read-only here: units are created, changed and closed by
    the superadmin with effective dates, and a person's unit is their User's department."""

    __schema__ = URN(GROUP_SCHEMA)

    display_name: Annotated[str | None, Mutability.read_only, Required.true] = None
    members: Annotated[list[Member] | None, Mutability.read_only, Returned.default] = None


UserResource = User[EnterpriseUser]

DESCRIPTIONS = {USER_SCHEMA: ("User", "A person of the province's units"),
                ENTERPRISE_SCHEMA: ("EnterpriseUser", "Employee code, unit (department), organisation, manager"),
                GROUP_SCHEMA: ("Group", "A unit of the province's tree, read-only")}


def schemas() -> list[Schema]:
    out = []
    for model in (User, EnterpriseUser, Group):
        schema = model.to_schema()
        schema.name, schema.description = DESCRIPTIONS[str(model.__schema__)]
        out.append(schema)
    return out


def resource_types() -> list[ResourceType]:
    return [
        ResourceType(id="User", name="User", endpoint="/Users", description="People of the province's units",
                     schema_=USER_SCHEMA,
                     schema_extensions=[SchemaExtension(schema_=ENTERPRISE_SCHEMA, required=True)]),
        ResourceType(id="Group", name="Group", endpoint="/Groups", description="Units, read-only",
                     schema_=GROUP_SCHEMA),
    ]


def service_provider_config() -> _SPC:
    return _SPC(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken, name="Bearer token",
            description="An idm API token (idm_...), made at /accounts/tokens/; it acts as its owner",
            primary=True)],
    )
