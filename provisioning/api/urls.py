"""/api/v1/: the resources, the OpenAPI schema (/api/v1/schema/) and its docs (/api/v1/docs/, Swagger UI;
/api/v1/redoc/), both served from this server's static files.

Each resource module has a `register(router)`; a capability's API (certificate requests, reports) is one
more module in this package with its own `register`, added to RESOURCES."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from provisioning.api import approvals, imports, mailboxes, people, units

RESOURCES = (units, people, imports, mailboxes, approvals)

router = SimpleRouter()
for resource in RESOURCES:
    resource.register(router)

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
]
