"""/api/v1/: the resources, the OpenAPI schema (/api/v1/schema/) and its docs (/api/v1/docs/, Swagger UI served
from this server's static files, its start-up script a file of its own and no inline style, so the site's
Content-Security-Policy holds there too; Redoc is left out: it injects inline styles, which that policy refuses).

Each resource module has a `register(router)`; a capability's API (certificate requests, reports) is one
more module in this package with its own `register`, added to RESOURCES."""

from __future__ import annotations

from django.urls import include, path
from django.views.decorators.cache import never_cache
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from provisioning.api import approvals, certificates, imports, mailboxes, people, reports, units

RESOURCES = (units, people, imports, mailboxes, approvals, certificates, reports)

router = SimpleRouter()
for resource in RESOURCES:
    resource.register(router)

app_name = "api"
urlpatterns = [
    # public and the same for everyone; never_cache all the same, as every answer to a signed-in user (SE-10)
    path("schema/", never_cache(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", never_cache(SpectacularSwaggerSplitView.as_view(url_name="api:schema",
                                                                  template_name="api/swagger_ui.html")),
         name="docs"),
    path("", include(router.urls)),
]
