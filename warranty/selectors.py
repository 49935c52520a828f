"""Reads for the warranty lookup by EAN and the serial check.

Both answer in a fixed number of queries whatever the size of the sales
tables: each is one indexed lookup for the product and one for the latest
purchase by the user's company.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access

from .codes import ean_error, normalise_ean, normalise_serial
from .models import Brand, Product, Sale, SoldSerial


def add_months(day, months):
    """Calendar months: 31 January + 1 month is the last day of February."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last_day))


class Verdict:
    IN_WARRANTY = "in_warranty"
    EXPIRED = "expired"
    NOT_BOUGHT = "not_bought"
    NO_VAT_ID = "no_vat_id"
    NOT_MEMBER = "not_member"


@dataclass
class WarrantyResult:
    query: str
    error: str = ""
    product: Product | None = None
    last_purchase: datetime.date | None = None
    warranty_end: datetime.date | None = None
    verdict: str = ""
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def days_left(self):
        if self.warranty_end:
            return (self.warranty_end - self.today).days
        return None


def warranty_end_for(purchase_date, months):
    return add_months(purchase_date, months)


def warranty_for_ean(*, user, raw_ean, today=None):
    today = today or timezone.localdate()
    code = normalise_ean(raw_ean)
    result = WarrantyResult(query=code, today=today)
    if error := ean_error(code):
        result.error = error
        return result
    result.product = Product.objects.select_related("brand").filter(ean=code).first()
    if result.product is None:
        result.error = _("No product with the EAN %(code)s is in our catalogue. Check the code on the box.") % {
            "code": code
        }
        return result
    vat_id = access.purchases_vat_id(user)
    if not vat_id:
        # A person whose membership is not proven sees the product's warranty period only.
        result.verdict = Verdict.NOT_MEMBER if access.active_company(user) is None else Verdict.NO_VAT_ID
        return result
    last = (
        Sale.objects.filter(buyer_vat_id=vat_id, product=result.product)
        .order_by("-invoice_date")
        .values_list("invoice_date", flat=True)
        .first()
    )
    if last is None:
        result.verdict = Verdict.NOT_BOUGHT
        return result
    result.last_purchase = last
    result.warranty_end = warranty_end_for(last, result.product.warranty_months)
    result.verdict = Verdict.IN_WARRANTY if today <= result.warranty_end else Verdict.EXPIRED
    return result


@dataclass
class SerialResult:
    query: str
    error: str = ""
    found: bool = False
    sold_serial: SoldSerial | None = None
    warranty_end: datetime.date | None = None
    in_warranty: bool = False
    tracked_brands: list = field(default_factory=list)
    not_member: bool = False


def tracked_brands():
    return list(Brand.objects.filter(serials_tracked=True).order_by("name").values_list("name", flat=True))


def serial_check(*, user, raw_serial, today=None, tracked=None):
    """Whether a serial was sold to the user's company; nothing about anyone else's purchases."""
    today = today or timezone.localdate()
    serial = normalise_serial(raw_serial)
    result = SerialResult(query=serial, tracked_brands=tracked_brands() if tracked is None else tracked)
    if not serial:
        result.error = _("Type the serial number printed on the device or its box.")
        return result
    if len(serial) > 100:
        result.error = _("A serial number has at most 100 characters.")
        return result
    vat_id = access.purchases_vat_id(user)
    if not vat_id:
        result.not_member = access.active_company(user) is None
        return result
    sold = (
        SoldSerial.objects.select_related("product__brand")
        .filter(serial=serial, buyer_vat_id=vat_id)
        .order_by("-invoice_date")
        .first()
    )
    if sold is None:
        return result
    result.found = True
    result.sold_serial = sold
    result.warranty_end = warranty_end_for(sold.invoice_date, sold.product.warranty_months)
    result.in_warranty = today <= result.warranty_end
    return result
