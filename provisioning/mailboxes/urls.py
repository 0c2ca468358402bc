from django.urls import path

from provisioning.mailboxes import views

# included by provisioning/urls.py under the "provisioning" namespace
urlpatterns = [
    path("units/<str:code>/mailboxes/", views.functional_mailbox_save, name="functional_new"),
    path("units/<str:code>/mailboxes/<int:pk>/", views.functional_mailbox_save, name="functional_save"),
    path("mailboxes/", views.mailbox_list, name="mailboxes"),
    path("mailboxes/usage-import/", views.usage_upload, name="usage_upload"),
]
