from django.urls import path

from provisioning.certificates import views

# included by provisioning/urls.py under the "provisioning" namespace
urlpatterns = [
    path("me/certificate/", views.my_request, name="certificate_request"),
    path("me/certificate/csr/", views.my_csr, name="certificate_csr"),
    path("people/<int:pk>/certificate/", views.person_request, name="certificate_person_request"),
    path("units/<str:code>/certificates/", views.unit_certificates, name="unit_certificates"),
    path("units/<str:code>/certificates/request/", views.unit_request, name="unit_certificate_request"),
    path("certificates/", views.unit_page, name="certificates_unit"),
    path("certificates/requests/<int:pk>/", views.request_detail, name="certificate_request_detail"),
    path("certificates/it/", views.it_page, name="certificates_it"),
    path("certificates/it/send/", views.batch_send, name="certificate_batch_send"),
    path("certificates/it/upload/", views.certificates_upload, name="certificates_upload"),
    path("certificates/it/revoke/", views.certificate_revoke_record, name="certificate_revoke"),
    path("certificates/it/done/", views.request_done, name="certificate_request_done"),
    path("certificates/batches/<int:pk>/dossier.zip", views.batch_dossier, name="certificate_dossier"),
]
