"""The REST API v1 and SCIM 2.0 (next): thin endpoints over the same services and selectors as
the pages, with the same access rules and audit. At the top, like views: nothing imports it."""
