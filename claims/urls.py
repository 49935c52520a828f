from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("claims/", views.claim_list, name="claim_list"),
    re_path(r"^claims/export\.(?P<fmt>csv|xlsx)$", views.claim_export, name="claim_export"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("claims/import/", views.claim_import, name="claim_import"),
    path("claims/import/template.csv", views.claim_import_template, name="claim_import_template"),
    path("claims/import/<int:pk>/", views.claim_import_result, name="claim_import_result"),
    path("claims/import/<int:pk>/handover.pdf", views.claim_import_handover, name="claim_import_handover"),
    path("claims/new/line/", views.claim_line_product, name="claim_line_product"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/registered/", views.claim_registered, name="claim_registered"),
    path("claims/<int:pk>/label.pdf", views.claim_label, name="claim_label"),
    path("claims/<int:pk>/cancel/", views.claim_cancel, name="claim_cancel"),
    path("claims/<int:pk>/messages/", views.claim_message, name="claim_message"),
    path("claims/<int:pk>/quote/", views.claim_quote, name="claim_quote"),
    path("claims/<int:pk>/quote.pdf", views.claim_quote_pdf, name="claim_quote_pdf"),
    path("claims/<int:pk>/attachments/", views.claim_attachment_add, name="claim_attachment_add"),
    path("claims/<int:pk>/attachments/<int:attachment_pk>/", views.claim_attachment, name="claim_attachment"),
]
