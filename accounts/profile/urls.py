from django.urls import path

from accounts.profile import views

# the signed-in person's password and contact details; mounted at the site root beside /me/
urlpatterns = [
    path("me/password/", views.password_change_view, name="password_change"),
    path("me/contact/", views.contact_change_view, name="contact_change"),
    path("me/contact/confirm/", views.contact_confirm_view, name="contact_confirm"),
]
