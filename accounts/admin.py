from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.csvadmin import CsvImportMixin
from core.errors import DomainError

from . import services
from .imports import CustomersImport
from .models import Address, Company, Customer, Invitation, Membership, MembershipState, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "company"
    extra = 0
    fields = ["user", "role", "state", "requested_at", "decided_by", "decided_at", "reason"]
    readonly_fields = ["user", "requested_at", "decided_by", "decided_at"]
    can_delete = False
    show_change_link = True


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "vat_id", "is_personal", "notification_email", "created_at"]
    list_filter = ["is_personal"]
    search_fields = ["=vat_id", "legal_name"]
    inlines = [MembershipInline, AddressInline]


@admin.action(description=_("Approve the selected requests"))
def approve_memberships(modeladmin, request, queryset):
    count = services.memberships_approve_pending(memberships=queryset, by=request.user)
    modeladmin.message_user(
        request,
        ngettext("%(n)d request approved.", "%(n)d requests approved.", count) % {"n": count},
        messages.SUCCESS,
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """The verification queue: filter on "waiting for approval", approve in bulk or one by one."""

    list_display = ["user", "user_email", "company", "role", "state", "requested_at", "decided_by", "decided_at"]
    list_filter = ["state", "role"]
    list_select_related = ["user", "company", "decided_by"]
    search_fields = ["=company__vat_id", "company__legal_name", "user__email", "user__last_name"]
    ordering = ["-requested_at"]
    actions = [approve_memberships]
    fields = ["user", "company", "role", "state", "requested_at", "decided_by", "decided_at", "reason"]
    readonly_fields = ["user", "company", "requested_at", "decided_by", "decided_at"]

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def user_email(self, obj):
        return obj.user.email

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        """Approving or rejecting here goes through the same services as the portal (and e-mails the person)."""
        before = Membership.objects.get(pk=obj.pk)
        try:
            if before.state == MembershipState.PENDING and obj.state == MembershipState.ACTIVE:
                services.membership_approve(membership=before, by=request.user, role=obj.role)
            elif before.state == MembershipState.PENDING and obj.state == MembershipState.REJECTED:
                services.membership_reject(membership=before, by=request.user, reason=obj.reason)
            else:
                super().save_model(request, obj, form, change)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)


@admin.register(Customer)
class CustomerAdmin(CsvImportMixin, admin.ModelAdmin):
    import_class = CustomersImport
    list_display = ["vat_id", "legal_name", "updated_at"]
    search_fields = ["=vat_id", "legal_name"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "company", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_select_related = ["company", "invited_by"]
    search_fields = ["email", "=company__vat_id"]
    readonly_fields = ["company", "email", "token_hash", "invited_by", "created_at", "expires_at", "accepted_at"]
    exclude = ["accepted_by"]

    def has_add_permission(self, request):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "client_type", "vat_id", "is_active", "is_staff"]
    list_filter = ["client_type", "is_staff", "is_active", "vat_country", "language"]
    search_fields = ["username", "email", "first_name", "last_name", "vat_number"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Portal"),
            {"fields": ["client_type", "vat_country", "vat_number", "phone", "language", "terms_accepted_at"]},
        ),
        (_("Action log"), {"fields": ["action_log"]}),
    )
    readonly_fields = ["action_log"]

    @admin.display(description=_("action log"))
    def action_log(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:core_actionlogentry_changelist")
        return format_html('<a href="{}?actor__id__exact={}">{}</a>', url, obj.pk, _("What this person did"))

    @admin.display(description=_("VAT id"))
    def vat_id(self, obj):
        return obj.vat_id
