from django.urls import path

from accounts.roles import views

urlpatterns = [
    path("roles/", views.role_list, name="roles"),
    path("roles/grant/", views.role_grant_view, name="role_grant"),
    path("roles/<int:pk>/revoke/", views.role_revoke_view, name="role_revoke"),
]
