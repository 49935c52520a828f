"""The claim list exported one row per claim line, as CSV (streamed) and XLSX (openpyxl, write-only)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .models import Claim

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet is for reading, not a backup: beyond this many lines the export stops and says so.
MAX_EXPORT_LINES = 50_000
# A text cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets an apostrophe in front; other values stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def headers() -> list[str]:
    return [
        _("RMA number"),
        _("Opened"),
        _("Status"),
        _("Claim type"),
        _("Created by"),
        _("Own claim number"),
        _("Waybill"),
        _("Product"),
        _("EAN"),
        _("Serial number"),
        _("Quantity"),
        _("Document date"),
        _("Description"),
    ]


def line_rows(claims: QuerySet[Claim], limit: int = MAX_EXPORT_LINES) -> Iterator[list[Any]]:
    """One row per line of ``claims`` (from claims_for_user, with ``listed_lines``), at most ``limit``."""
    written = 0
    for claim in claims.iterator(chunk_size=500):
        creator = claim.owner.get_full_name() or claim.owner.username
        opened = timezone.localtime(claim.created_at).replace(tzinfo=None, microsecond=0)
        for line in claim.listed_lines:
            if written >= limit:
                yield [_("The export stops after %(n)d lines: narrow the filter.") % {"n": limit}]
                return
            written += 1
            yield [
                neutralise(value)
                for value in (
                    claim.rma_number,
                    opened,
                    str(claim.get_status_display()),
                    str(claim.claim_type),
                    creator,
                    claim.own_number,
                    claim.waybill,
                    line.product.name,
                    line.product.ean,
                    line.serial,
                    line.quantity,
                    line.document_date,
                    line.description,
                )
            ]


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def claims_csv(claims: QuerySet[Claim], limit: int = MAX_EXPORT_LINES) -> Iterable[str]:
    """The CSV, row by row, for a StreamingHttpResponse; a BOM first so that Excel reads UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers())
    for row in line_rows(claims, limit):
        yield writer.writerow([_csv_value(value) for value in row])


def claims_xlsx(claims: QuerySet[Claim], limit: int = MAX_EXPORT_LINES) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Claims"))
    sheet.append(headers())
    for row in line_rows(claims, limit):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
