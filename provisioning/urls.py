from django.urls import path, re_path

from provisioning import import_views, mailbox_views, people_views, views

app_name = "provisioning"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_edit, name="unit_new"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("units/<str:code>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<str:code>/mailboxes/", views.functional_mailbox_save, name="functional_new"),
    path("units/<str:code>/mailboxes/<int:pk>/", views.functional_mailbox_save, name="functional_save"),
    path("people/", people_views.people_list, name="people"),
    path("people/new/", people_views.person_new, name="person_new"),
    path("people/letters/", people_views.activation_letters, name="activation_letters"),
    path("people/<int:pk>/", people_views.person_detail, name="person"),
    path("people/<int:pk>/edit/", people_views.person_edit, name="person_edit"),
    path("people/<int:pk>/action/", people_views.person_action, name="person_action"),
    path("mailboxes/", mailbox_views.mailbox_list, name="mailboxes"),
    path("mailboxes/usage-import/", mailbox_views.usage_upload, name="usage_upload"),
    path("me/", mailbox_views.my_account, name="me"),
    path("me/quota/", mailbox_views.quota_request_new, name="quota_request_new"),
    path("quota-requests/", mailbox_views.quota_requests, name="quota_requests"),
    path("imports/", import_views.import_list, name="imports"),
    re_path(r"^imports/template\.(?P<fmt>xlsx|csv)$", import_views.import_template, name="import_template"),
    path("imports/<int:pk>/", import_views.import_detail, name="import"),
    path("imports/<int:pk>/status.json", import_views.import_status, name="import_status"),
    path("imports/<int:pk>/commit/", import_views.import_commit, name="import_commit"),
    re_path(r"^imports/(?P<pk>\d+)/errors\.(?P<fmt>xlsx|csv)$", import_views.import_report, name="import_report"),
]
