from django.urls import path

from provisioning.reorg import views

urlpatterns = [
    path("units/plans/", views.plan_list, name="plans"),
    path("units/plans/dissolve/", views.plan_dissolve_new, name="plan_dissolve"),
    path("units/plans/rename/", views.plan_rename_new, name="plan_rename"),
    path("units/plans/move/", views.plan_reparent_new, name="plan_reparent"),
    path("units/plans/split/", views.plan_split_new, name="plan_split"),
    path("units/plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("units/plans/<int:pk>/edit/", views.plan_edit_view, name="plan_edit"),
    path("units/plans/<int:pk>/assignments/", views.plan_assignments, name="plan_assignments"),
    path("units/plans/<int:pk>/action/", views.plan_action, name="plan_action"),
]
