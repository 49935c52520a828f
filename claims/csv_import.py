"""CSV import of claims (spec section 5): check the whole file, then create every claim or none.

Columns, in this order: own claim number, EAN, serial number, sale date
(yyyy-mm-dd), problem description, service expectations. A header row is
optional. Files as Excel writes them are accepted: comma or semicolon, UTF-8
with or without BOM (Windows-1250 as a fallback), quoted fields with commas
and line breaks, trailing empty lines.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import access
from core.csvfiles import RowError, parse_date, read_upload
from core.errors import DomainError, NotAllowed, RuleViolation
from warranty.codes import normalise_ean, normalise_serial
from warranty.models import Product

from . import rules
from .models import ClaimType, ImportBatch
from .services import LineData, claims_create_many
from .tasks import queue_batch_handover

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS_SHOWN = 500

COLUMNS = [
    ("own_number", gettext_lazy("Own claim number")),
    ("ean", gettext_lazy("EAN")),
    ("serial", gettext_lazy("Serial number")),
    ("sale_date", gettext_lazy("Sale date")),
    ("description", gettext_lazy("Problem description")),
    ("expectations", gettext_lazy("Service expectations")),
]
TEMPLATE_HEADER = [
    "own_claim_number",
    "ean",
    "serial_number",
    "sale_date",
    "problem_description",
    "service_expectations",
]


@dataclass
class ImportResult:
    errors: list = field(default_factory=list)
    error_count: int = 0
    file_error: str = ""
    rows: list = field(default_factory=list)
    batch: ImportBatch | None = None
    claims: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.file_error and not self.error_count


# The rules name the web form's fields; their columns here.
RULE_COLUMNS = {"document_date": "sale_date", "claim_type": "ean"}


def _line_problems(
    product: Product,
    *,
    serial: str,
    sale_date: datetime.date | None,
    claim_type: ClaimType | None,
    today: datetime.date | None,
) -> list[DomainError]:
    """Every rule a row breaks, as a list: the row's errors are all listed, not only the first."""
    problems: list[DomainError] = []
    try:
        # The CSV has no fault type column: the service sets it on arrival.
        rules.check_line(product, serial=serial, document_date=sale_date, with_fault_type=False, today=today)
    except RuleViolation as error:
        problems.extend(error)
    if claim_type is not None:
        try:
            rules.check_claim_type(claim_type, [product])
        except RuleViolation as error:
            problems.extend(error)
    return problems


def looks_like_header(cells):
    """A header names the EAN column ("ean", "EAN", "Cod EAN/GTIN-13"...). A first row with a
    mistyped or empty EAN is data, and gets its error, not skipped as a header."""
    if len(cells) < 2:
        return False
    second = cells[1].lower()
    return ("ean" in second or "gtin" in second) and not any(ch.isdigit() for ch in second.replace("gtin-13", ""))


def check_file(uploaded, *, claim_type, today=None):
    """Phase one: read and check every row. Nothing is written."""
    result = ImportResult()
    if uploaded.size > MAX_FILE_SIZE:
        result.file_error = _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_SIZE // (1024 * 1024)}
        return result
    records, result.file_error = read_upload(uploaded.read())
    if records is None:
        return result
    if records and looks_like_header(records[0][1]):
        records = records[1:]
    if not records:
        result.file_error = _("The file has no claims in it.")
        return result
    if len(records) > MAX_ROWS:
        result.file_error = _("The file has %(n)d rows; at most %(max)d claims can be imported at once.") % {
            "n": len(records),
            "max": MAX_ROWS,
        }
        return result

    eans = {normalise_ean(cells[1]) for _n, cells in records if len(cells) > 1}
    products = {
        p.ean: p for p in Product.objects.filter(ean__in=eans).select_related("brand").prefetch_related("fault_types")
    }
    labels = dict(COLUMNS)

    def error(row, column, message):
        result.error_count += 1
        if len(result.errors) < MAX_ERRORS_SHOWN:
            result.errors.append(RowError(row=row, column=str(labels[column]), message=str(message)))

    for number, cells in records:
        if len(cells) < 5 or len(cells) > 6:
            error(
                number, "own_number", _("Expected 6 columns (the last one optional), found %(n)d.") % {"n": len(cells)}
            )
            continue
        cells = cells + [""] * (6 - len(cells))
        own_number, raw_ean, raw_serial, raw_date, description, expectations = cells
        row_ok = True
        product = None
        try:
            product = rules.product_for_ean(raw_ean, catalogue=products)
        except RuleViolation as unknown:
            error(number, "ean", unknown.message)
            row_ok = False
        sale_date = parse_date(raw_date)
        if sale_date is None:
            error(number, "sale_date", _("“%(value)s” is not a date in the form yyyy-mm-dd.") % {"value": raw_date})
            row_ok = False
        if not description:
            error(number, "description", _("Describe the problem."))
            row_ok = False
        serial = normalise_serial(raw_serial)
        for column, text, limit in (
            ("description", description, rules.MAX_TEXT),
            ("expectations", expectations, rules.MAX_TEXT),
            ("own_number", own_number, rules.MAX_OWN_NUMBER),
            ("serial", serial, rules.MAX_SERIAL),
        ):
            try:
                rules.check_length(text, limit, field=column)
            except RuleViolation as too_long:
                error(number, column, too_long.message)
                row_ok = False
        if product is not None:
            for problem in _line_problems(
                product, serial=serial, sale_date=sale_date, claim_type=claim_type, today=today
            ):
                error(number, RULE_COLUMNS.get(problem.field or "", problem.field), problem.message)
                row_ok = False
        if row_ok:
            result.rows.append(
                {
                    "own_number": own_number,
                    "line": LineData(
                        product=product,
                        serial=serial,
                        document_date=sale_date,
                        description=description,
                        expectations=expectations,
                    ),
                }
            )
    if result.error_count:
        result.rows = []
    return result


@transaction.atomic
def claims_import_csv(*, user, uploaded, claim_type, return_address, today=None):
    """Check the whole file; if every row is right, create all its claims in one transaction."""
    result = check_file(uploaded, claim_type=claim_type, today=today)
    if not result.ok:
        return result
    company = access.active_company(user)
    if company is None:
        raise NotAllowed(_("Only an approved member of a company can open claims."))
    result.batch = ImportBatch.objects.create(
        company=company, owner=user, file_name=(uploaded.name or "claims.csv")[:200], claim_count=len(result.rows)
    )
    result.claims = claims_create_many(
        user=user, claim_type=claim_type, return_address=return_address, rows=result.rows, batch=result.batch
    )
    # One render of the handover document, queued once the claims are committed.
    queue_batch_handover(result.batch, language=translation.get_language() or settings.LANGUAGE_CODE)
    return result


def template_csv():
    """The downloadable template: header and two example rows, semicolon-separated as Excel writes it in Romania."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADER)
    writer.writerow(
        [
            "PR-1001",
            "5901234123457",
            "SN12345678",
            datetime.date.today().isoformat(),
            _("Does not turn on"),
            _("Repair"),
        ]
    )
    return "\ufeff" + out.getvalue()
