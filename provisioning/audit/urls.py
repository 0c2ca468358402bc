from django.urls import path

from provisioning.audit import views

# included by provisioning/urls.py under the "provisioning" namespace
urlpatterns = [
    path("audit/", views.audit_list, name="audit"),
]
