from django.urls import include, path

from accounts import views as accounts_views
from idm.health import healthz
from provisioning import views as provisioning_views

urlpatterns = [
    path("", provisioning_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("activate/", accounts_views.activate_view, name="activate"),
    path("", include("provisioning.urls")),
]

handler403 = "idm.errors.permission_denied"
handler404 = "idm.errors.page_not_found"
handler500 = "idm.errors.server_error"
