from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .actionlog import ACTION_TYPES, describe
from .models import ActionLogEntry, OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "sent_at", "attempts"]
    list_filter = ["sent_at"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]

    def has_add_permission(self, request):
        return False


def render_entries(entries):
    """A table of action log entries (the log of one claim, for instance), oldest first."""
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                date_format(timezone.localtime(entry.when), "SHORT_DATETIME_FORMAT"),
                describe(entry.action_type),
                entry.actor.email if entry.actor else _("the system"),
                render_data(entry.data),
            )
            for entry in entries
        ),
    )
    header = format_html(
        "<tr><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th></tr>",
        _("when"),
        _("what"),
        _("who"),
        _("details"),
    )
    return format_html("<table><thead>{}</thead><tbody>{}</tbody></table>", header, rows)


def render_data(data):
    if not data:
        return "—"
    return format_html_join(" · ", "{}: {}", ((key, value) for key, value in data.items()))


class ActionTypeFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action_type"

    def lookups(self, request, model_admin):
        return list(ACTION_TYPES.items())

    def queryset(self, request, queryset):
        return queryset.filter(action_type=self.value()) if self.value() else queryset


def _may_see_users(request):
    # What people did is read by whoever may read the people: the service staff see users.
    opts = get_user_model()._meta
    return (
        request.user.is_active
        and request.user.is_staff
        and request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    )


@admin.register(ActionLogEntry)
class ActionLogEntryAdmin(admin.ModelAdmin):
    """The action log, read only; ``?actor__id__exact=<id>`` shows one person's actions (linked from the user)."""

    list_display = ["when", "action", "actor", "object", "company_id", "details"]
    list_filter = [ActionTypeFilter, ("when", admin.DateFieldListFilter)]
    list_select_related = ["actor", "content_type"]
    search_fields = ["actor__email"]
    date_hierarchy = "when"
    show_full_result_count = False
    list_per_page = 100
    fields = ["when", "action", "actor", "object", "company_id", "details"]
    readonly_fields = fields

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in {"actor__id__exact", "company_id", "company_id__exact"} or super().lookup_allowed(
            lookup, value, request
        )

    def has_module_permission(self, request):
        return super().has_module_permission(request) or _may_see_users(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or _may_see_users(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("action"), ordering="action_type")
    def action(self, entry):
        return describe(entry.action_type)

    @admin.display(description=_("object"))
    def object(self, entry):
        if entry.content_type is None:
            return "—"
        label = f"{entry.content_type.name} #{entry.object_id}"
        try:
            url = reverse(
                f"admin:{entry.content_type.app_label}_{entry.content_type.model}_change", args=[entry.object_id]
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=_("details"))
    def details(self, entry):
        return render_data(entry.data)
