import datetime

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from core.errors import NotAllowed
from core.text import lazy_format

from . import imports
from .codes import normalise_ean, normalise_serial
from .models import Brand, FaultType, Product, Sale, SoldSerial

MAX_IMPORT_SIZE = 50 * 1024 * 1024  # beyond this, the management commands
MAX_IMPORT_MB = MAX_IMPORT_SIZE // (1024 * 1024)


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=lazy_format(
            _("Comma or semicolon separated, UTF-8, at most %(mb)d MB. The header row is optional."), mb=MAX_IMPORT_MB
        ),
    )
    dry_run = forms.BooleanField(label=_("Only check the file, write nothing"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_SIZE:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB; import it with the management command.") % {"mb": MAX_IMPORT_MB}
            )
        return upload


class CsvImportMixin:
    """An "Import CSV" page on the change list: every row checked first, errors by row and column."""

    import_kind = ""
    change_list_template = "admin/warranty/change_list_import.html"

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
            raise NotAllowed(_("You may not import %(what)s.") % {"what": imports.KINDS[self.import_kind].label})

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def template_view(self, request):
        self.check_import_permission(request)
        response = HttpResponse(imports.template_csv(self.import_kind), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.import_kind}-template.csv"'
        return response

    def import_view(self, request):
        self.check_import_permission(request)
        kind = imports.KINDS[self.import_kind]
        report = None
        form = ImportFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report = imports.run_import(
                self.import_kind,
                form.cleaned_data["file"].read(),
                dry_run=form.cleaned_data["dry_run"],
                by=request.user,
            )
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
            "title": gettext("Import %(what)s from CSV") % {"what": kind.label},
            "form": form,
            "report": report,
            "columns": kind.columns,
            "required": kind.required,
            "template_url": f"admin:{self.opts.app_label}_{self.opts.model_name}_import_template",
        }
        return TemplateResponse(request, "admin/warranty/import.html", context)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "requires_serial", "serials_tracked", "product_count"]
    list_editable = ["requires_serial", "serials_tracked"]
    list_filter = ["requires_serial", "serials_tracked"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_total=Count("products"))

    @admin.display(description=_("products"), ordering="product_total")
    def product_count(self, brand):
        return brand.product_total


@admin.register(FaultType)
class FaultTypeAdmin(TranslationAdmin):
    # The form edits the Romanian and the English name side by side.
    list_display = ["code", "name"]
    search_fields = ["code", "name_ro", "name_en"]


@admin.register(Product)
class ProductAdmin(CsvImportMixin, admin.ModelAdmin):
    import_kind = "products"
    list_display = ["name", "ean", "brand", "warranty_months", "quantity_allowed"]
    list_filter = ["brand", "warranty_months", "quantity_allowed", "fault_types"]
    list_select_related = ["brand"]
    search_fields = ["=ean", "name", "brand__name"]
    filter_horizontal = ["fault_types"]


class SoldForm(forms.ModelForm):
    """A sale or sold serial typed in by staff: no invoice dated past tomorrow (time zones, a late entry)."""

    def clean_invoice_date(self):
        day = self.cleaned_data["invoice_date"]
        latest = timezone.localdate() + datetime.timedelta(days=1)
        if day and day > latest:
            raise forms.ValidationError(
                _("The invoice date cannot be later than tomorrow (%(day)s).") % {"day": latest.isoformat()}
            )
        return day


class _SoldAdmin(CsvImportMixin, admin.ModelAdmin):
    """Sales and sold serials run into millions of rows: the search box matches exactly, on indexes."""

    form = SoldForm
    list_select_related = ["product__brand"]
    date_hierarchy = "invoice_date"
    raw_id_fields = ["product"]
    list_filter = ["product__brand", "invoice_date"]
    show_full_result_count = False  # a count over millions of sales rows on every page is slow

    def extra_search(self, term):
        return Q(pk__in=[])

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = (
            Q(buyer_vat_id=term.replace(" ", "").upper())
            | Q(invoice_number=term)
            | Q(product__in=Product.objects.filter(ean=normalise_ean(term)))
            | self.extra_search(term)
        )
        return queryset.filter(condition), False


@admin.register(Sale)
class SaleAdmin(_SoldAdmin):
    import_kind = "sales"
    list_display = ["invoice_number", "invoice_date", "buyer_vat_id", "product", "quantity"]
    search_fields = ["buyer_vat_id"]  # the search box shows; get_search_results does the work


@admin.register(SoldSerial)
class SoldSerialAdmin(_SoldAdmin):
    import_kind = "serials"
    list_display = ["serial", "product", "buyer_vat_id", "invoice_number", "invoice_date"]
    search_fields = ["serial"]

    def extra_search(self, term):
        return Q(serial=normalise_serial(term))
