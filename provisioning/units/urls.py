from django.urls import path

from provisioning.units import views

# included by provisioning/urls.py under the "provisioning" namespace
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_edit, name="unit_new"),
    path("units/import/", views.unit_tree_import, name="unit_import"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("units/<str:code>/edit/", views.unit_edit, name="unit_edit"),
]
