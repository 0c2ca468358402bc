from django.urls import path

from provisioning.applications import views

# included by provisioning/urls.py under the "provisioning" namespace
urlpatterns = [
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/rotate/", views.application_rotate_view, name="application_rotate"),
    path("applications/<int:pk>/revoke/", views.application_revoke_view, name="application_revoke"),
]
