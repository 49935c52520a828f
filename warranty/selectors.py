"""Reads for the warranty lookup by EAN and the serial check.

Both answer in a fixed number of queries whatever the size of the sales
tables: each is one indexed lookup for the product and one for the latest
purchase by the user's company. Input that cannot be looked up (a malformed
or unknown EAN, an empty serial) raises ``RuleViolation``.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from core.errors import RuleViolation

from .codes import ean_error, normalise_ean, normalise_serial
from .models import Brand, Product, Sale, SoldSerial

if TYPE_CHECKING:
    from accounts.models import User

MAX_SERIAL_LENGTH = 100


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Calendar months: 31 January + 1 month is the last day of February.

    Past the last date Python knows (a sale typed as 9999-12-31) the answer is
    that last date, never an error: a stored date must not break a lookup.
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > datetime.MAXYEAR:
        return datetime.date.max
    if year < datetime.MINYEAR:
        return datetime.date.min
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last_day))


class Verdict:
    IN_WARRANTY = "in_warranty"
    EXPIRED = "expired"
    NOT_BOUGHT = "not_bought"
    NO_VAT_ID = "no_vat_id"
    NOT_MEMBER = "not_member"


def product_for_ean(
    raw_ean: str,
    *,
    catalogue: Mapping[str, Product] | None = None,
    queryset: QuerySet[Product] | None = None,
) -> Product:
    """The catalogue's product for a typed EAN, or RuleViolation (field ``ean``) saying why there is none.

    ``catalogue`` is products already loaded by EAN (an import checks many
    rows with one query); otherwise ``queryset`` (by default with the brand) is asked.
    """
    code = normalise_ean(raw_ean)
    if message := ean_error(code):
        raise RuleViolation(message, field="ean", code="ean_malformed")
    if catalogue is not None:
        product = catalogue.get(code)
    else:
        product = (
            (queryset if queryset is not None else Product.objects.select_related("brand")).filter(ean=code).first()
        )
    if product is None:
        raise RuleViolation(
            _("No product with the EAN %(code)s is in our catalogue. Check the code on the box.") % {"code": code},
            field="ean",
            code="ean_unknown",
        )
    return product


@dataclass
class WarrantyResult:
    query: str
    product: Product | None = None
    last_purchase: datetime.date | None = None
    warranty_end: datetime.date | None = None
    verdict: str = ""
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def days_left(self) -> int | None:
        if self.warranty_end:
            return (self.warranty_end - self.today).days
        return None


def warranty_end_for(purchase_date: datetime.date, months: int) -> datetime.date:
    return add_months(purchase_date, months)


def warranty_for_ean(*, user: User, raw_ean: str, today: datetime.date | None = None) -> WarrantyResult:
    """The warranty of a product for the user's company; RuleViolation when the EAN gives no product."""
    today = today or timezone.localdate()
    product = product_for_ean(raw_ean)
    result = WarrantyResult(query=product.ean, today=today, product=product)
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
    result.warranty_end = warranty_end_for(last, product.warranty_months)
    result.verdict = Verdict.IN_WARRANTY if today <= result.warranty_end else Verdict.EXPIRED
    return result


@dataclass
class SerialResult:
    query: str
    found: bool = False
    sold_serial: SoldSerial | None = None
    warranty_end: datetime.date | None = None
    in_warranty: bool = False
    tracked_brands: list[str] = field(default_factory=list)
    not_member: bool = False


TRACKED_BRANDS_CACHE_KEY = "warranty:tracked-brands"


def tracked_brands() -> list[str]:
    """Names of the brands whose serials we keep: read on every dashboard, changed a few times a year,
    so cached until a Brand is saved or deleted (warranty.apps)."""
    names = cache.get(TRACKED_BRANDS_CACHE_KEY)
    if names is None:
        names = list(Brand.objects.filter(serials_tracked=True).order_by("name").values_list("name", flat=True))
        cache.set(TRACKED_BRANDS_CACHE_KEY, names, timeout=None)
    return names


BRAND_CHOICES_CACHE_KEY = "warranty:brand-choices"


def brand_choices() -> list[tuple[int, str]]:
    """(id, name) of every brand, by name, for the filters: cached like tracked_brands()."""
    choices = cache.get(BRAND_CHOICES_CACHE_KEY)
    if choices is None:
        choices = list(Brand.objects.order_by("name").values_list("pk", "name"))
        cache.set(BRAND_CHOICES_CACHE_KEY, choices, timeout=None)
    return choices


def forget_tracked_brands(**_kwargs: object) -> None:
    """Drop the cached brand lists (tracked_brands, brand_choices) when a brand changes."""
    keys = [TRACKED_BRANDS_CACHE_KEY, BRAND_CHOICES_CACHE_KEY]
    cache.delete_many(keys)
    # Again after commit: another process may have cached the old list in between.
    transaction.on_commit(lambda: cache.delete_many(keys))


def check_serial_query(raw_serial: str) -> str:
    """The serial number as stored, or RuleViolation (field ``serial``) when there is nothing to look up."""
    serial = normalise_serial(raw_serial)
    if not serial:
        raise RuleViolation(
            _("Type the serial number printed on the device or its box."), field="serial", code="serial_empty"
        )
    if len(serial) > MAX_SERIAL_LENGTH:
        raise RuleViolation(
            _("A serial number has at most %(n)d characters.") % {"n": MAX_SERIAL_LENGTH},
            field="serial",
            code="serial_too_long",
        )
    return serial


def serial_check(
    *, user: User, raw_serial: str, today: datetime.date | None = None, tracked: list[str] | None = None
) -> SerialResult:
    """Whether a serial was sold to the user's company; nothing about anyone else's purchases."""
    today = today or timezone.localdate()
    serial = check_serial_query(raw_serial)
    result = SerialResult(query=serial, tracked_brands=tracked_brands() if tracked is None else tracked)
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
