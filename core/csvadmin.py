"""The admin's "Import CSV" page and template download for any import of the engine (core/csvimport.py)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import importjobs
from .actionlog import log_action
from .errors import NotAllowed
from .tasks import run_import_job
from .text import lazy_format

MAX_IMPORT_SIZE = 50 * 1024 * 1024  # beyond this, the management commands
MAX_IMPORT_MB = MAX_IMPORT_SIZE // (1024 * 1024)


def inline_rows():
    """Files with more lines than this run as an ImportJob in a Celery worker, not in the request."""
    return settings.CSV_ADMIN_INLINE_ROWS


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=lazy_format(
            _("Comma or semicolon separated, UTF-8, at most %(mb)d MB. The header row is optional."), mb=MAX_IMPORT_MB
        ),
    )
    # A box ticked beside its label, as the admin's own check boxes: no colon after the label.
    dry_run = forms.BooleanField(label=_("Only check the file, write nothing"), required=False, label_suffix="")
    background = forms.BooleanField(
        label=_("Run in the background and show its progress"), required=False, label_suffix=""
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["background"].help_text = gettext(
            "Files of more than %(rows)s rows always run in the background."
        ) % {"rows": number_format(inline_rows(), force_grouping=True)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_SIZE:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB; import it with the management command.") % {"mb": MAX_IMPORT_MB}
            )
        return upload


class CsvImportMixin:
    """An "Import CSV" page on the change list: every row checked first, errors by row and column.

    Set ``import_class`` to the import (a ``CsvImport`` subclass).
    """

    import_class = None
    change_list_template = "admin/core/change_list_import.html"

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{prefix}_import"),
            path(
                "import/template.csv",
                self.admin_site.admin_view(self.template_view),
                name=f"{prefix}_import_template",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def check_import_permission(self, request):
        if not self.has_import_permission(request):
            raise NotAllowed(_("You may not import %(what)s.") % {"what": self.import_class.label})

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def template_view(self, request):
        self.check_import_permission(request)
        response = HttpResponse(self.import_class.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.import_class.kind}-template.csv"'
        return response

    def run_import(self, request, upload, *, dry_run):
        with transaction.atomic():
            report = self.import_class(today=timezone.localdate()).run(upload, dry_run=dry_run)
            if report.ok and not dry_run:
                fields = ("rows", "created", "updated", "unchanged")
                data = {"kind": self.import_class.kind, **{f: getattr(report, f, None) for f in fields}}
                log_action(None, "catalogue.imported", actor=request.user, data=data)
        return report

    def start_job(self, request, upload, *, dry_run, lines):
        """Store the file as an ImportJob; its task runs once this request's transaction commits."""
        job = importjobs.create_job(
            import_class=self.import_class,
            source=f"{self.opts.app_label}.{self.opts.model_name}",
            user=request.user,
            upload=upload,
            dry_run=dry_run,
            lines=lines,
        )
        job_id = job.pk
        transaction.on_commit(lambda: run_import_job.delay(job_id))
        return job

    def import_view(self, request):
        self.check_import_permission(request)
        report = None
        form = ImportFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            lines = importjobs.count_lines(upload)
            if form.cleaned_data["background"] or lines > inline_rows():
                job = self.start_job(request, upload, dry_run=form.cleaned_data["dry_run"], lines=lines)
                return redirect("admin:core_importjob_change", job.pk)
            report = self.run_import(request, form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"])
            if report.file_error:
                form.add_error("file", report.file_error)
                report = None
            elif report.ok and not form.cleaned_data["dry_run"]:
                messages.success(
                    request,
                    gettext("%(rows)d rows imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
                    % {
                        "rows": report.rows,
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                    },
                )
                return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import %(what)s from CSV") % {"what": self.import_class.label},
            "form": form,
            "report": report,
            "columns": self.import_class.column_help(),
            "required": self.import_class.required_width(),
            "template_url": f"admin:{self.opts.app_label}_{self.opts.model_name}_import_template",
        }
        return TemplateResponse(request, "admin/core/import.html", context)
