from django.urls import path

from accounts.selfservice import views

# public activation and the signed-in person's own account; mounted at the site root
urlpatterns = [
    path("activate/", views.activate_view, name="activate"),
    path("me/", views.my_account, name="me"),
]
