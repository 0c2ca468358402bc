from django.urls import path

from provisioning.approvals import views

# included by provisioning/urls.py under the "provisioning" namespace
urlpatterns = [
    path("me/quota/", views.quota_request_new, name="quota_request_new"),
    path("quota-requests/", views.quota_requests, name="quota_requests"),
]
