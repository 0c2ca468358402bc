from django.urls import path

from provisioning.certificates import views

# included by provisioning/urls.py under the "provisioning" namespace
urlpatterns = [
    path("me/certificate/", views.my_request, name="certificate_request"),
    path("me/certificate/csr/", views.my_csr, name="certificate_csr"),
    path("certificates/", views.unit_page, name="certificates_unit"),
    path("certificates/it/", views.it_page, name="certificates_it"),
    path("certificates/it/send/", views.batch_send, name="certificate_batch_send"),
    path("certificates/it/upload/", views.certificates_upload, name="certificates_upload"),
    path("certificates/batches/<int:pk>/dossier.zip", views.batch_dossier, name="certificate_dossier"),
]
