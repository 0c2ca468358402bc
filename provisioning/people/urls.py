from django.urls import path

from provisioning.people import views

# included by provisioning/urls.py under the "provisioning" namespace
urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/letters/", views.activation_letters, name="activation_letters"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/action/", views.person_action, name="person_action"),
    *[path(f"people/<int:pk>/{action}/", views.person_lifecycle, {"action": action}, name=f"person_{action}")
      for action in views.LIFECYCLE_STEPS],
]
