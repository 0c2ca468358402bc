from django.urls import path

from accounts.helpdesk import views

# an HR officer's help-desk reset, beside the person's page; mounted at the site root
urlpatterns = [
    path("people/<int:pk>/reset/", views.helpdesk_reset_view, name="helpdesk_reset"),
]
