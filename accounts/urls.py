from django.urls import path

from . import views

urlpatterns = [
    path("terms/", views.terms, name="terms"),
    path("language/", views.set_language, name="set_language"),
    path("profile/", views.profile, name="profile"),
    path("profile/addresses/new/", views.address_edit, name="address_add"),
    path("profile/addresses/<int:pk>/", views.address_edit, name="address_edit"),
    path("profile/addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
]
