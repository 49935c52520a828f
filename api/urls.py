from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from . import docs, pages, views

api_v1 = [
    path(
        "schema/",
        SpectacularAPIView.as_view(api_version="v1", authentication_classes=[], permission_classes=[AllowAny]),
        name="api_schema",
    ),
    path("docs/", docs.api_docs, name="api_docs"),
    path("claims/", views.ClaimListView.as_view(), name="api_claims"),
    path("claims/<str:rma>/", views.ClaimDetailView.as_view(), name="api_claim"),
    path("claims/<str:rma>/attachments/", views.ClaimAttachmentsView.as_view(), name="api_claim_attachments"),
    path("claims/<str:rma>/cancel/", views.ClaimCancelView.as_view(), name="api_claim_cancel"),
    path("claims/<str:rma>/messages/", views.ClaimMessageView.as_view(), name="api_claim_messages"),
    path("claims/<str:rma>/quote/", views.ClaimQuoteView.as_view(), name="api_claim_quote"),
    path("claims/<str:rma>/label.pdf", views.ClaimLabelView.as_view(), name="api_claim_label"),
    path("warranty/<str:ean>/", views.WarrantyView.as_view(), name="api_warranty"),
    path("serials/<str:serial>/", views.SerialView.as_view(), name="api_serial"),
    path("products/<str:ean>/", views.ProductView.as_view(), name="api_product"),
    path("claim-types/", views.ClaimTypesView.as_view(), name="api_claim_types"),
    path("addresses/", views.AddressesView.as_view(), name="api_addresses"),
    path("imports/", views.ImportView.as_view(), name="api_imports"),
    path("imports/<int:id>/", views.ImportDetailView.as_view(), name="api_import"),
]

portal = [
    path("company/api-keys/", pages.api_keys, name="api_keys"),
    path("company/api-keys/<str:pk>/revoke/", pages.api_key_revoke, name="api_key_revoke"),
    path("company/webhooks/", pages.webhooks_page, name="api_webhooks"),
    path("company/webhooks/<int:pk>/", pages.webhook_detail, name="api_webhook"),
    path("company/webhooks/<int:pk>/toggle/", pages.webhook_toggle, name="api_webhook_toggle"),
    path("company/webhooks/<int:pk>/delete/", pages.webhook_delete, name="api_webhook_delete"),
    path(
        "company/webhooks/<int:pk>/deliveries/<int:delivery_pk>/resend/",
        pages.webhook_resend,
        name="api_webhook_resend",
    ),
]
