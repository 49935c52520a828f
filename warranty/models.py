from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum import ean


def validate_gtin13(value):
    if len(value) != 13 or not (value.isascii() and value.isdigit()):
        raise ValidationError(_("An EAN/GTIN-13 code has exactly 13 digits."), code="gtin_length")
    if not ean.is_valid(value):
        raise ValidationError(_("This EAN/GTIN-13 code has a wrong check digit."), code="gtin_check_digit")


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    requires_serial = models.BooleanField(
        _("serial number required"), default=False, help_text=_("A claim must give the product's serial number.")
    )
    serials_tracked = models.BooleanField(
        _("serial numbers tracked"),
        default=False,
        help_text=_("The distributor keeps the serial numbers it sold for this brand."),
    )

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self):
        return self.name


class FaultType(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("fault type")
        verbose_name_plural = _("fault types")
        ordering = ["name"]

    def __str__(self):
        # ``name`` is the active language's (warranty/translation.py).
        return self.name


class Product(models.Model):
    ean = models.CharField(_("EAN/GTIN-13"), max_length=13, unique=True, validators=[validate_gtin13])
    name = models.CharField(_("name"), max_length=250)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products", verbose_name=_("brand"))
    warranty_months = models.PositiveSmallIntegerField(
        _("warranty period (months)"), default=24, validators=[MinValueValidator(1)]
    )
    quantity_allowed = models.BooleanField(
        _("quantity on claims"), default=False, help_text=_("A claim line shows a quantity field for it.")
    )
    fault_types = models.ManyToManyField(
        FaultType,
        blank=True,
        related_name="products",
        verbose_name=_("fault types"),
        help_text=_("If any are chosen, a claim for this product must pick one."),
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["brand__name", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(warranty_months__gte=1), name="product_warranty_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.ean})"


class Sale(models.Model):
    """One line of a distributor invoice: who bought how many of a product, when."""

    buyer_vat_id = models.CharField(
        _("buyer VAT id"), max_length=20, help_text=_("With the country prefix: RO18547290.")
    )
    invoice_number = models.CharField(_("invoice number"), max_length=50)
    invoice_date = models.DateField(_("invoice date"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="sales", verbose_name=_("product"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-invoice_date", "invoice_number"]
        constraints = [
            models.UniqueConstraint(fields=["invoice_number", "product"], name="sale_invoice_product_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="sale_quantity_positive"),
        ]
        indexes = [
            # Warranty lookup: the last purchase of a product by a company.
            models.Index(fields=["buyer_vat_id", "product", "-invoice_date"], name="sale_buyer_product_idx"),
            models.Index(fields=["invoice_date"], name="sale_date_idx"),
        ]

    def __str__(self):
        return f"{self.invoice_number} · {self.buyer_vat_id} · {self.product_id}"


class SoldSerial(models.Model):
    serial = models.CharField(
        _("serial number"), max_length=100, help_text=_("Stored in capitals without spaces, as the lookup expects.")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="sold_serials", verbose_name=_("product")
    )
    buyer_vat_id = models.CharField(_("buyer VAT id"), max_length=20)
    invoice_number = models.CharField(_("invoice number"), max_length=50)
    invoice_date = models.DateField(_("invoice date"))

    class Meta:
        verbose_name = _("sold serial number")
        verbose_name_plural = _("sold serial numbers")
        ordering = ["-invoice_date", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["serial", "product"], name="soldserial_serial_product_unique"),
        ]
        indexes = [
            models.Index(fields=["buyer_vat_id"], name="soldserial_buyer_idx"),
            models.Index(fields=["invoice_number"], name="soldserial_invoice_idx"),
        ]

    def __str__(self):
        return self.serial
