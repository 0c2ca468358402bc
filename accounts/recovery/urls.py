from django.urls import path

from accounts.recovery import views

# for people who cannot log in; mounted at the site root
urlpatterns = [
    path("password/forgot/", views.forgot_view, name="password_forgot"),
    path("password/forgot/code/", views.code_view, name="recovery_code"),
    path("password/forgot/new/", views.new_password_view, name="password_reset_new"),
    path("password/unlock/", views.unlock_view, name="account_unlock"),
    path("password/username/", views.username_view, name="username_reminder"),
]
