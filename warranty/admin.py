from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import imports
from .codes import normalise_ean, normalise_serial
from .models import Brand, FaultType, Product, Sale, SoldSerial

MAX_IMPORT_SIZE = 50 * 1024 * 1024


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Comma or semicolon separated, UTF-8, at most 50 MB. The header row is optional."),
    )
    dry_run = forms.BooleanField(label=_("Only check the file, write nothing"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_SIZE:
            raise forms.ValidationError(_("The file is larger than 50 MB; import it with the management command."))
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

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        response = HttpResponse(imports.template_csv(self.import_kind), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.import_kind}-template.csv"'
        return response

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        kind = imports.KINDS[self.import_kind]
        report = None
        form = ImportFileForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report = imports.run_import(
                self.import_kind, form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
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
            "columns": kind.column_help(),
            "required": kind.required_width(),
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
class FaultTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Product)
class ProductAdmin(CsvImportMixin, admin.ModelAdmin):
    import_kind = "products"
    list_display = ["name", "ean", "brand", "warranty_months", "quantity_allowed"]
    list_filter = ["brand", "warranty_months", "quantity_allowed", "fault_types"]
    list_select_related = ["brand"]
    search_fields = ["=ean", "name", "brand__name"]
    filter_horizontal = ["fault_types"]


class _SoldAdmin(CsvImportMixin, admin.ModelAdmin):
    """Sales and sold serials run into millions of rows: the search box matches exactly, on indexes."""

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
