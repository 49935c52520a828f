import datetime

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from core.csvadmin import CsvImportMixin

from . import imports
from .codes import normalise_ean, normalise_serial
from .models import Brand, FaultType, Product, Sale, SoldSerial


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
    import_class = imports.ProductsImport
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
    import_class = imports.SalesImport
    list_display = ["invoice_number", "invoice_date", "buyer_vat_id", "product", "quantity"]
    search_fields = ["buyer_vat_id"]  # the search box shows; get_search_results does the work


@admin.register(SoldSerial)
class SoldSerialAdmin(_SoldAdmin):
    import_class = imports.SerialsImport
    list_display = ["serial", "product", "buyer_vat_id", "invoice_number", "invoice_date"]
    search_fields = ["serial"]

    def extra_search(self, term):
        return Q(serial=normalise_serial(term))
