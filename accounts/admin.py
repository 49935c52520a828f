from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Address, User


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "client_type", "vat_id", "is_active", "is_staff"]
    list_filter = ["client_type", "is_staff", "is_active", "vat_country", "language"]
    search_fields = ["username", "email", "first_name", "last_name", "vat_number"]
    inlines = [AddressInline]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Portal"),
            {"fields": ["client_type", "vat_country", "vat_number", "phone", "language", "terms_accepted_at"]},
        ),
    )

    @admin.display(description=_("VAT id"))
    def vat_id(self, obj):
        return obj.vat_id
