from django.urls import path

from accounts import views
from accounts.roles import urls as roles
from accounts.tokens import urls as tokens

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    *roles.urlpatterns,
    *tokens.urlpatterns,
]
