"""The directory's own error types. Callers never see an ldap3 or python-ldap class (conventions §5).

`transient` marks what a task may retry (LD-13): the server is away, busy or slow. Everything
else is permanent: retrying cannot help, the change fails visibly with a readable reason.
"""

from __future__ import annotations


class DirectoryError(Exception):
    transient = False

    def __init__(self, message: str, *, code: int | None = None, dn: str | None = None):
        super().__init__(message)
        self.code = code
        self.dn = dn


class DirectoryUnavailable(DirectoryError):
    """slapd cannot be reached, timed out, or said busy/unavailable. Retry later."""

    transient = True


class EntryExists(DirectoryError):
    pass


class NoSuchEntry(DirectoryError):
    pass


class SchemaViolation(DirectoryError):
    """The server refused the values: object class, syntax, constraint (e.g. ppolicy quality)."""


class AccessDenied(DirectoryError):
    """The bind account may not do this (ACL), or its credentials are wrong."""


class InvalidValue(DirectoryError, ValueError):
    """A value we refuse before it reaches the server: empty RDN, control characters, bad uid."""


# RFC 4511 result codes, grouped. Only what slapd really returns is listed.
TRANSIENT_CODES = {
    3,  # timeLimitExceeded
    51,  # busy
    52,  # unavailable
    80,  # other (slapd uses it for transient back-end trouble)
}
PERMANENT_CODES = {
    17: SchemaViolation,  # undefinedAttributeType
    18: SchemaViolation,  # inappropriateMatching
    19: SchemaViolation,  # constraintViolation (also ppolicy quality)
    21: SchemaViolation,  # invalidAttributeSyntax
    34: InvalidValue,  # invalidDNSyntax
    48: AccessDenied,  # inappropriateAuthentication
    49: AccessDenied,  # invalidCredentials
    50: AccessDenied,  # insufficientAccessRights
    53: AccessDenied,  # unwillingToPerform
    64: SchemaViolation,  # namingViolation
    65: SchemaViolation,  # objectClassViolation
    66: SchemaViolation,  # notAllowedOnNonLeaf
    67: SchemaViolation,  # notAllowedOnRDN
    69: SchemaViolation,  # objectClassModsProhibited
    32: NoSuchEntry,  # noSuchObject
    68: EntryExists,  # entryAlreadyExists
}


def error_for_result(result: dict, *, dn: str | None = None) -> DirectoryError:
    """Turn an LDAP result dict ({'result': code, 'description':..., 'message':...}) into our type."""
    code = int(result.get("result", 80))
    text = result.get("description") or "error"
    message = result.get("message") or ""
    readable = f"{text} ({code})" + (f": {message}" if message else "")
    if code in TRANSIENT_CODES:
        return DirectoryUnavailable(readable, code=code, dn=dn)
    return PERMANENT_CODES.get(code, DirectoryError)(readable, code=code, dn=dn)


# python-ldap's client-side (negative) codes that mean the server could not be reached or did not
# answer in time: serverDown, timeout, connectError.
CLIENT_UNAVAILABLE_CODES = {-1, -5, -11}


def error_for_python_ldap(exc: Exception, *, dn: str | None = None) -> DirectoryError:
    """Turn any python-ldap exception (ldap.LDAPError) into our type, by its result code: the
    server's codes go through error_for_result; the library's own negative codes are
    DirectoryUnavailable when the server is away and DirectoryError otherwise."""
    info = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    code = int(info.get("result", getattr(exc, "errnum", 80)))
    description = info.get("desc") or exc.__class__.__name__
    message = info.get("info") or ""
    if code in CLIENT_UNAVAILABLE_CODES:
        return DirectoryUnavailable(f"the directory could not be reached: {description}", code=code, dn=dn)
    if code < 0:
        return DirectoryError(f"directory client error: {description} ({code})", code=code, dn=dn)
    return error_for_result({"result": code, "description": description, "message": message}, dn=dn)
