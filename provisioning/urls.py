from django.urls import path

from provisioning import views

app_name = "provisioning"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
]
