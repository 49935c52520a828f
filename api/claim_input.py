"""A new claim from the API's JSON, checked by the web form's own line form and the claim rules.

Errors come back as ``RuleViolations`` whose fields name the JSON input
(``lines[0].serial``), in the words of the web form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from accounts import access
from accounts.forms import AddressForm
from claims import rules, selectors
from claims.forms import LineForm
from claims.models import AttachmentKind, ClaimType
from claims.services import ClaimData, ReturnAddress, UploadData
from claims.uploads import CheckedUpload, check_upload
from core.errors import DomainError, RuleViolation, RuleViolations
from warranty.models import FaultType, Product

from . import serializers as s
from .problems import problem

DUPLICATE_MESSAGE = "A serial number of this claim already has an open claim. Confirm to open another one."


def product_for_ean(ean: str) -> Product:
    return rules.product_for_ean(ean, queryset=Product.objects.select_related("brand").prefetch_related("fault_types"))


def claim_type_for(code: str) -> ClaimType:
    claim_type = ClaimType.objects.filter(active=True, code=code).select_related("brand").first()
    if claim_type is None:
        raise RuleViolation(
            _("Select a valid choice. That choice is not one of the available choices."),
            field="claim_type",
            code="invalid_choice",
        )
    return claim_type


def address_for(user, address_id: int | None, new: dict[str, Any] | None) -> ReturnAddress:
    """The return address: one of the company's address book, a new one, else the company's default."""
    book = access.company_addresses(user)
    if new:
        # The form's phone is split in a country prefix and a number; an international number needs no prefix.
        phone = new.get("phone", "")
        form = AddressForm(data={**new, "phone_0": new.get("country", ""), "phone_1": phone, "is_default": False})
        if not form.is_valid():
            raise RuleViolations(
                RuleViolation(str(message), field=f"return_address.{name}", code="invalid")
                for name, messages in form.errors.items()
                for message in messages
            )
        return ReturnAddress.from_address(form.save(commit=False))
    address = book.filter(pk=address_id).first() if address_id else book.order_by("-is_default", "pk").first()
    if address is None:
        raise RuleViolation(
            _("Select a valid choice. That choice is not one of the available choices."),
            field="return_address_id" if address_id else "return_address",
            code="invalid_choice",
        )
    return ReturnAddress.from_address(address)


def _line(index: int, line: dict[str, Any]):
    fault_type = None
    if line.get("fault_type"):
        fault_type = FaultType.objects.filter(code=line["fault_type"]).first()
        if fault_type is None:
            raise RuleViolation(
                _("This fault type does not apply to this product."),
                field=f"lines[{index}].fault_type",
                code="fault_type_foreign",
            )
    form = LineForm(
        data={
            "ean": line["ean"],
            "serial": line.get("serial") or "",
            "quantity": line.get("quantity") or "",
            "fault_type": fault_type.pk if fault_type else "",
            "document_date": line["document_date"].isoformat(),
            "description": line["description"],
        }
    )
    if not form.is_valid():
        raise RuleViolations(
            RuleViolation(str(message), field=f"lines[{index}].{name}", code="invalid")
            for name, messages in form.errors.items()
            for message in messages
        )
    return form.to_line()


def checked_files(files: Iterable, *, field: str) -> list[CheckedUpload]:
    errors: list[DomainError] = []
    checked = []
    for uploaded in files:
        try:
            checked.append(check_upload(uploaded))
        except RuleViolation as error:
            errors.append(error.with_field(field))
    RuleViolations.raise_if_any(errors)
    return checked


def check_file_count(adding: int, *, existing: int = 0) -> None:
    rules.check_file_count(adding, existing=existing)


def claim_data(*, user, payload: Any, files: dict[str, list]) -> ClaimData:
    """The service's ClaimData, or a DRF ValidationError / RuleViolations naming the JSON's fields."""
    form = s.ClaimCreateSerializer(data=payload)
    form.is_valid(raise_exception=True)
    data = form.validated_data
    errors: list[DomainError] = []
    lines = []
    for index, line in enumerate(data["lines"]):
        try:
            lines.append(_line(index, line))
        except RuleViolation as error:
            errors.extend(error)
    claim_type = address = None
    try:
        claim_type = claim_type_for(data["claim_type"])
    except RuleViolation as error:
        errors.append(error)
    try:
        address = address_for(user, data["return_address_id"], data["return_address"])
    except RuleViolation as error:
        errors.extend(error)
    uploads: list[UploadData] = []
    for name in ("sales_documents", "photos"):
        try:
            for upload in checked_files(files.get(name) or [], field=name):
                kind = AttachmentKind.SALES_DOCUMENT if name == "sales_documents" else rules.extra_file_kind(upload)
                uploads.append(UploadData.from_checked(upload, kind))
        except RuleViolation as error:
            errors.extend(error)
    if not errors and claim_type is not None:
        try:
            rules.check_claim_type(claim_type, [line.product for line in lines])
        except RuleViolation as error:
            errors.append(error)
    try:
        rules.check_file_count(len(uploads))
    except RuleViolation as error:
        errors.append(error)
    if not errors and not data["confirm_duplicate_serial"]:
        if selectors.open_claim_lines_with_serials(user, [line.serial for line in lines]):
            errors.append(
                RuleViolation(_(DUPLICATE_MESSAGE), field="confirm_duplicate_serial", code="duplicate_serial")
            )
    if not errors and claim_type is not None and not data.get("confirm_warranty"):
        for line in lines:
            warranty = selectors.line_warranty(user=user, product=line.product, serial=line.serial)
            if rules.check_warranty_claim(claim_type, warranty):
                errors.append(
                    RuleViolation(
                        _("“%(type)s” does not fit every product of the claim. Confirm to file it anyway.")
                        % {"type": claim_type},
                        field="confirm_warranty",
                        code="warranty_warning",
                    )
                )
                break
    RuleViolations.raise_if_any(errors)
    assert claim_type is not None and address is not None
    return ClaimData(
        claim_type=claim_type,
        lines=lines,
        return_address=address,
        own_number=data["own_number"],
        ars_data=data["ars_data"],
        waybill=data["waybill"],
        package_contents=data["package_contents"],
        uploads=uploads,
        duplicate_serials_confirmed=bool(data["confirm_duplicate_serial"]),
    )


def import_problem(result):
    errors: dict[str, list[str]] = {}
    if result.file_error:
        errors["file"] = [str(result.file_error)]
    for error in result.errors:
        errors.setdefault(f"rows[{error.row}].{error.column}", []).append(str(error.message))
    return problem(
        422,
        _("The request breaks a rule."),
        detail=str(result.file_error) or _("The file has errors; no claim was created."),
        code="import_errors",
        errors=errors,
    )
