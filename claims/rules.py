"""The rules of a claim and its lines, in one place: the web form, the CSV import and the API ask them.

Each rule is a plain function that returns a value or raises a
``RuleViolation`` whose ``field`` names the input at fault (the names of the
web form: ``ean``, ``serial``, ``fault_type``, ``document_date``,
``claim_type``, ``files``). A caller with other names (the CSV's columns)
renames the field; nothing here knows about forms.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, RuleViolation, RuleViolations
from warranty.models import FaultType, Product
from warranty.selectors import product_for_ean

from .models import AttachmentKind, Claim, ClaimLine, ClaimType
from .statuses import LineOutcome, LineVerdict
from .uploads import MAX_FILES_PER_CLAIM, CheckedUpload

__all__ = [
    "MAX_LINES_PER_CLAIM",
    "MAX_OWN_NUMBER",
    "MAX_SERIAL",
    "MAX_TEXT",
    "check_claim_type",
    "check_document_date",
    "check_fault_type",
    "check_file_count",
    "check_length",
    "check_line",
    "check_line_outcome",
    "check_warranty_claim",
    "check_serial",
    "extra_file_kind",
    "line_quantity",
    "product_for_ean",
]


def _max_length(model: type[Model], name: str) -> int:
    return getattr(model._meta.get_field(name), "max_length", None) or 0


MAX_LINES_PER_CLAIM = 20
MAX_TEXT = 5000  # a line's description and the service expectations
MAX_SERIAL = _max_length(ClaimLine, "serial")  # the stored column is the limit
MAX_OWN_NUMBER = _max_length(Claim, "own_number")
EARLIEST_DOCUMENT_YEAR = 2000


def check_length(text: str, limit: int, *, field: str) -> None:
    if len(text) > limit:
        raise RuleViolation(_("At most %(n)d characters.") % {"n": limit}, field=field, code="too_long")


def check_serial(product: Product, serial: str) -> None:
    if product.brand.requires_serial and not serial:
        raise RuleViolation(
            _("%(brand)s products need the serial number: it is on the device or its box.")
            % {"brand": product.brand.name},
            field="serial",
            code="serial_required",
        )


def check_fault_type(product: Product, fault_type: FaultType | None) -> None:
    fault_types = list(product.fault_types.all())
    if fault_types and fault_type is None:
        raise RuleViolation(_("Choose the fault type of this product."), field="fault_type", code="fault_type_required")
    if fault_type is not None and fault_type not in fault_types:
        raise RuleViolation(
            _("This fault type does not apply to this product."), field="fault_type", code="fault_type_foreign"
        )


def check_document_date(document_date: datetime.date | None, *, today: datetime.date | None = None) -> None:
    if document_date is None:
        return
    if document_date > (today or timezone.localdate()):
        raise RuleViolation(
            _("The document date cannot be in the future."), field="document_date", code="document_date_future"
        )
    if document_date.year < EARLIEST_DOCUMENT_YEAR:
        raise RuleViolation(
            _("Give the date printed on the sales document."), field="document_date", code="document_date_too_old"
        )


def check_line(
    product: Product,
    *,
    serial: str,
    document_date: datetime.date | None,
    fault_type: FaultType | None = None,
    with_fault_type: bool = True,
    today: datetime.date | None = None,
) -> None:
    """Every rule of one line of ``product``; raises them all together (RuleViolations) or one RuleViolation.

    ``with_fault_type=False`` for a source that has no fault type (the CSV
    import): the service sets it when the parcel arrives.
    """
    errors: list[DomainError] = []
    checks = [
        lambda: check_serial(product, serial),
        lambda: check_document_date(document_date, today=today),
    ]
    if with_fault_type:
        checks.insert(1, lambda: check_fault_type(product, fault_type))
    for check in checks:
        try:
            check()
        except RuleViolation as error:
            errors.append(error)
    RuleViolations.raise_if_any(errors)


def line_quantity(product: Product, quantity: int | None) -> int:
    """Only products that ask for a quantity take one; every other line is one piece."""
    return (quantity or 1) if product.quantity_allowed else 1


def check_claim_type(claim_type: ClaimType, products: Iterable[Product]) -> None:
    """A type reserved to a brand takes only products of that brand."""
    if claim_type.brand_id is None:
        return
    if any(p.brand_id != claim_type.brand_id for p in products):
        brand = claim_type.brand
        raise RuleViolation(
            _("The claim type “%(type)s” is reserved for %(brand)s products; every product of the claim must be one.")
            % {"type": claim_type, "brand": brand.name if brand else ""},
            field="claim_type",
            code="claim_type_brand",
        )


def check_file_count(adding: int, *, existing: int = 0) -> None:
    if existing + adding <= MAX_FILES_PER_CLAIM:
        return
    if existing:
        raise RuleViolation(
            _("A claim holds at most %(n)d files; this one has %(existing)d already.")
            % {"n": MAX_FILES_PER_CLAIM, "existing": existing},
            field="files",
            code="too_many_files",
        )
    raise RuleViolation(
        _("At most %(n)d files per claim.") % {"n": MAX_FILES_PER_CLAIM}, field="files", code="too_many_files"
    )


def extra_file_kind(upload: CheckedUpload) -> AttachmentKind:
    """A file given besides the sales document: a photo if it is an image, else another document."""
    return AttachmentKind.PHOTO if upload.is_image else AttachmentKind.OTHER


# The outcome of each line, and what the claim's resolution says of them.


def check_line_outcome(outcome: str, *, replacement_serial: str = "", reason: str = "") -> None:
    """A replaced product names its replacement's serial; one returned unrepaired says why."""
    if outcome and outcome not in LineOutcome.values:
        raise RuleViolation(_("Choose an outcome from the list."), field="outcome", code="outcome_unknown")
    if outcome == LineOutcome.REPLACED and not replacement_serial.strip():
        raise RuleViolation(
            _("Give the serial number of the replacement."),
            field="replacement_serial",
            code="replacement_serial_missing",
        )
    if outcome == LineOutcome.RETURNED_UNREPAIRED and not reason.strip():
        raise RuleViolation(
            _("Say why the product is returned unrepaired: the partner reads it."),
            field="outcome_reason",
            code="outcome_reason_missing",
        )


# The warranty of a line against the rule of its claim type.


@dataclass
class LineWarranty:
    """What the company's purchases say of one line (``verdict`` '' when they could not be asked)."""

    verdict: str = ""
    purchase_date: datetime.date | None = None
    warranty_until: datetime.date | None = None


def check_warranty_claim(
    claim_type: ClaimType, warranty: LineWarranty, *, today: datetime.date | None = None
) -> str | None:
    """Why this type does not fit the line (a warning the partner confirms), or None when it fits.

    A type covered by warranty wants a line bought by the company and still in
    warranty; a DOA type wants it bought at most ``doa_days`` ago. A line whose
    purchases could not be asked (no VAT id) brings no warning.
    """
    if not claim_type.covered_by_warranty and not claim_type.doa_days:
        return None
    if not warranty.verdict:
        return None
    if warranty.verdict == LineVerdict.NOT_BOUGHT:
        return gettext("not found in your company's purchases")
    if claim_type.doa_days and warranty.purchase_date:
        age = ((today or timezone.localdate()) - warranty.purchase_date).days
        if age > claim_type.doa_days:
            return ngettext(
                "bought %(age)d day ago, more than the %(days)d days of a DOA claim",
                "bought %(age)d days ago, more than the %(days)d days of a DOA claim",
                age,
            ) % {"age": age, "days": claim_type.doa_days}
    if warranty.verdict == LineVerdict.EXPIRED:
        return gettext("warranty ended")
    return None
