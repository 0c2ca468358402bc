from django.urls import include, path

from accounts.helpdesk import urls as helpdesk
from accounts.profile import urls as profile
from accounts.recovery import urls as recovery
from accounts.selfservice import urls as selfservice
from idm.health import healthz
from provisioning.home import home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("provisioning.api.urls")),
    path("scim/v2/", include("provisioning.scim.urls")),
    path("", include(selfservice)),
    path("", include(profile)),
    path("", include(recovery)),
    path("", include(helpdesk)),
    path("", include("provisioning.urls")),
]

handler400 = "idm.errors.bad_request"
handler403 = "idm.errors.permission_denied"
handler404 = "idm.errors.page_not_found"
handler500 = "idm.errors.server_error"
