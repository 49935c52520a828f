from django.urls import path

from . import views

urlpatterns = [
    path("terms/", views.terms, name="terms"),
    path("language/", views.set_language, name="set_language"),
    path("profile/", views.profile, name="profile"),
    path("profile/addresses/new/", views.address_edit, name="address_add"),
    path("profile/addresses/<int:pk>/", views.address_edit, name="address_edit"),
    path("profile/addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
    path("company/", views.company, name="company"),
    path("company/settings/", views.company_settings, name="company_settings"),
    path("company/members/<int:pk>/approve/", views.membership_approve, name="membership_approve"),
    path("company/members/<int:pk>/reject/", views.membership_reject, name="membership_reject"),
    path("company/members/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("company/members/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("company/invitations/", views.invitation_create, name="invitation_create"),
    path("company/invitations/<int:pk>/withdraw/", views.invitation_withdraw, name="invitation_withdraw"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
