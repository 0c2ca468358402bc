from django.urls import path, re_path

from provisioning.imports import views

# included by provisioning/urls.py under the "provisioning" namespace
urlpatterns = [
    path("imports/", views.import_list, name="imports"),
    re_path(r"^imports/template\.(?P<fmt>xlsx|csv)$", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/status.json", views.import_status, name="import_status"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import_commit"),
    re_path(r"^imports/(?P<pk>\d+)/errors\.(?P<fmt>xlsx|csv)$", views.import_report, name="import_report"),
]
