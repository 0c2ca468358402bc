from django.urls import path

from provisioning.reorg import views

urlpatterns = [
    path("units/plans/", views.plan_list, name="plans"),
    path("units/plans/dissolve/", views.plan_dissolve_new, name="plan_dissolve"),
    path("units/plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("units/plans/<int:pk>/action/", views.plan_action, name="plan_action"),
]
