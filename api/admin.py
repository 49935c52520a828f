from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import CompanyAPIKey, WebhookEndpoint


@admin.register(CompanyAPIKey)
class CompanyAPIKeyAdmin(admin.ModelAdmin):
    """Staff see every company's keys and revoke them; keys are created by the companies only."""

    list_display = ["name", "prefix", "company", "scope", "created", "expiry_date", "last_used_at", "revoked"]
    list_filter = ["scope", "revoked"]
    search_fields = ["name", "prefix", "company__legal_name", "company__vat_id"]
    list_select_related = ["company"]
    readonly_fields = [
        "name",
        "prefix",
        "company",
        "created_by",
        "scope",
        "language",
        "created",
        "expiry_date",
        "last_used_at",
        "revoked",
    ]
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for key in queryset.filter(revoked=False):
            services.api_key_revoke(key=key)
            count += 1
        self.message_user(
            request, ngettext("%(n)d key revoked.", "%(n)d keys revoked.", count) % {"n": count}, messages.SUCCESS
        )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "company", "active", "consecutive_failures", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "company__legal_name"]
    list_select_related = ["company"]
    readonly_fields = [
        "company",
        "url",
        "events",
        "created_by",
        "created_at",
        "consecutive_failures",
        "disabled_reason",
    ]
    fields = [*readonly_fields, "active"]

    def has_add_permission(self, request):
        return False
