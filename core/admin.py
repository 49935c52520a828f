from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import importjobs
from .actionlog import ACTION_TYPES, describe
from .models import ActionLogEntry, ImportJob, OutgoingEmail


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


class ImportKindFilter(admin.SimpleListFilter):
    """The kinds of import the staff member's jobs are of, by their label ("vânzări"), not their code ("sales")."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        pairs = model_admin.get_queryset(request).order_by().values_list("kind", "import_path").distinct()
        labels = {kind: capfirst(_job_label(ImportJob(kind=kind, import_path=dotted))) for kind, dotted in pairs}
        return sorted(labels.items(), key=lambda choice: str(choice[1]))

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """CSV imports run in the background, read only: each staff member sees their own (a superuser sees all).

    The change page is the job's page (state, progress, report); ``<id>/status/`` is its
    part that htmx fetches every 2 seconds while the job runs.
    """

    list_display = ["created_at", "what", "file_name", "state", "progress", "result", "uploaded_by"]
    list_filter = ["state", ImportKindFilter]
    list_select_related = ["uploaded_by"]
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("uploaded_by")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(uploaded_by=request.user)

    def get_list_display(self, request):
        # Staff see only their own jobs: a column of their own name says nothing and pushes the result off screen.
        if request.user.is_superuser:
            return self.list_display
        return [name for name in self.list_display if name != "uploaded_by"]

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/status/", self.admin_site.admin_view(self.status_view), name=f"{name}_status"),
            *super().get_urls(),
        ]

    # Whoever may start an import (any active staff member with an import permission) may follow it.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("import"), ordering="kind")
    def what(self, job):
        return _job_label(job)

    @admin.display(description=_("progress"))
    def progress(self, job):
        done = importjobs.rows_done(job)
        return f"{importjobs.percent(job, done)} %"

    @admin.display(description=_("result"))
    def result(self, job):
        if job.state == ImportJob.State.FAILED:
            return importjobs.failure_message(job)
        report = importjobs.report_from_json(job.report)
        if report is None:
            return "—"
        return _report_summary(job, report)

    def job_context(self, request, job):
        done = importjobs.rows_done(job)
        app_label, _dot, model_name = job.source.partition(".")
        try:
            import_url = reverse(f"admin:{app_label}_{model_name}_import")
        except NoReverseMatch:
            import_url = ""
        return {
            "job": job,
            "what": _job_label(job),
            "rows_done": done,
            "percent": importjobs.percent(job, done),
            "report": importjobs.report_from_json(job.report),
            "summary": _report_summary(job, importjobs.report_from_json(job.report)),
            "failure": importjobs.failure_message(job) if job.state == ImportJob.State.FAILED else "",
            "status_url": reverse("admin:core_importjob_status", args=[job.pk]),
            "job_url": reverse("admin:core_importjob_change", args=[job.pk]),
            "import_url": import_url,
        }

    def get_job(self, request, object_id):
        job = self.get_object(request, object_id)
        if job is None:
            raise Http404(gettext("No such import job."))
        return job

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_job(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            **self.job_context(request, job),
            "opts": self.opts,
            "title": gettext("Import of %(what)s: %(file)s") % {"what": _job_label(job), "file": job.file_name},
        }
        return TemplateResponse(request, "admin/core/import_job.html", context)

    def status_view(self, request, object_id):
        job = self.get_job(request, object_id)
        return TemplateResponse(request, "admin/core/import_job_status.html", self.job_context(request, job))


def _job_label(job):
    try:
        return str(importjobs.import_class_of(job).label)
    except (ImportError, TypeError):
        return job.kind


def _report_summary(job, report):
    """One sentence of what a finished job did, as the inline import says it."""
    if report is None:
        return ""
    if report.file_error:
        return report.file_error
    if report.error_count:
        return ngettext(
            "%(n)d error in %(rows)d rows. Nothing was imported.",
            "%(n)d errors in %(rows)d rows. Nothing was imported.",
            report.error_count,
        ) % {"n": report.error_count, "rows": report.rows}
    if job.dry_run:
        return gettext("All %(rows)d rows are correct. Nothing was written: the file was only checked.") % {
            "rows": report.rows
        }
    return gettext("%(rows)d rows imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.") % {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
