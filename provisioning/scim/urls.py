"""/scim/v2/: discovery, Users, Groups (units, read-only), per-type searches; anything else a SCIM 404."""

from __future__ import annotations

from django.urls import path, re_path

from provisioning.scim import views

app_name = "scim"
urlpatterns = [
    path("ServiceProviderConfig", views.ServiceProviderConfigView.as_view(), name="config"),
    path("Schemas", views.SchemasView.as_view(), name="schemas"),
    path("Schemas/<str:schema_id>", views.SchemasView.as_view(), name="schema"),
    path("ResourceTypes", views.ResourceTypesView.as_view(), name="resource_types"),
    path("ResourceTypes/<str:type_id>", views.ResourceTypesView.as_view(), name="resource_type"),
    path("Users", views.UsersView.as_view(), name="users"),
    path("Users/.search", views.UsersSearchView.as_view(), name="users_search"),
    path("Users/<str:pk>", views.UserView.as_view(), name="user"),
    path("Groups", views.GroupsView.as_view(), name="groups"),
    path("Groups/.search", views.GroupsSearchView.as_view(), name="groups_search"),
    path("Groups/<str:code>", views.GroupView.as_view(), name="group"),
    path(".search", views.RootSearchView.as_view(), name="search"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not_found"),
]
