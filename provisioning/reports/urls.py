from django.urls import path

from provisioning.reports import views

urlpatterns = [
    path("reports/", views.report_overview, name="reports"),
    path("reports/ranking/", views.report_ranking, name="report_ranking"),
    path("reports/units/<str:code>/", views.report_overview, name="report_unit"),
]
