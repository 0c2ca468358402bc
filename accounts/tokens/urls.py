from django.urls import path

from accounts.tokens import views

# included by accounts/urls.py under the "accounts" namespace
urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/revoke/", views.token_revoke_view, name="token_revoke"),
]
