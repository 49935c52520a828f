"""CSV import of claims (spec section 5): check the whole file, then create every claim or none.

Columns, in this order: own claim number, EAN, serial number, sale date
(yyyy-mm-dd or dd.mm.yyyy), problem description, service expectations. A
header row is optional. Reading, header detection, errors by row and column
and the all-or-nothing transaction are the import engine's
(core/csvimport.py); this module holds the claim's columns and rules.
"""

import datetime
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import access
from core.csvimport import CellError, Column, CsvImport, ImportReport, date_cell
from core.errors import DomainError, NotAllowed, RuleViolation
from warranty.codes import normalise_serial
from warranty.imports import EAN
from warranty.models import Product

from . import rules
from .models import ClaimType, ImportBatch
from .services import LineData, claims_create_many
from .tasks import queue_batch_handover

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_ROWS = 5000

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


def _limited(limit, field, normalise=None):
    """A cell held to one of the claim rules' length limits."""

    def parse(text):
        value = normalise(text) if normalise else text
        try:
            rules.check_length(value, limit, field=field)
        except RuleViolation as too_long:
            raise CellError(too_long.message) from too_long
        return value

    return parse


@dataclass
class ImportResult(ImportReport):
    batch: ImportBatch | None = None
    claims: list | None = None


class ClaimsImport(CsvImport):
    kind = "claims"
    label = gettext_lazy("claims")
    key_column = "ean"
    max_rows = MAX_ROWS
    empty_message = gettext_lazy("The file has no claims in it.")
    too_many_message = gettext_lazy("The file has %(n)d rows; at most %(max)d claims can be imported at once.")
    columns = [
        Column(
            "own_number",
            gettext_lazy("Own claim number"),
            "număr_intern",
            header_en="own_claim_number",
            required=False,
            parse=_limited(rules.MAX_OWN_NUMBER, "own_number"),
            example="PR-1001",
        ),
        replace(EAN, example="5901234123457"),
        Column(
            "serial",
            gettext_lazy("Serial number"),
            "număr_serie",
            header_en="serial_number",
            required=False,
            parse=_limited(rules.MAX_SERIAL, "serial", normalise_serial),
            example="SN12345678",
        ),
        Column(
            "sale_date",
            gettext_lazy("Sale date"),
            "data_vânzării",
            parse=date_cell,
            example=lambda: datetime.date.today().isoformat(),
        ),
        Column(
            "description",
            gettext_lazy("Problem description"),
            "descrierea_problemei",
            header_en="problem_description",
            parse=_limited(rules.MAX_TEXT, "text"),
            missing=gettext_lazy("Describe the problem."),
            example=lambda: _("Does not turn on"),
        ),
        Column(
            "expectations",
            gettext_lazy("Service expectations"),
            "așteptări_service",
            header_en="service_expectations",
            required=False,
            parse=_limited(rules.MAX_TEXT, "text"),
            example=lambda: _("Repair"),
        ),
    ]

    def __init__(self, *, claim_type, user=None, return_address=None, file_name="", today=None):
        super().__init__(today=today)
        self.claim_type, self.user, self.return_address, self.file_name = claim_type, user, return_address, file_name
        self.check_today = today  # check_line's own default is the local date

    def new_report(self):
        return ImportResult(kind=self.kind)

    def prepare(self, rows):
        eans = {row.values["ean"] for row in rows if "ean" in row.values}
        self.products = {
            p.ean: p
            for p in Product.objects.filter(ean__in=eans).select_related("brand").prefetch_related("fault_types")
        }

    def clean(self, row):
        values = row.values
        product = None
        if "ean" in values:
            try:
                product = rules.product_for_ean(values["ean"], catalogue=self.products)
            except RuleViolation as unknown:
                row.error("ean", unknown.message)
        if product is not None:
            for problem in _line_problems(
                product,
                serial=values.get("serial", ""),
                sale_date=values.get("sale_date"),
                claim_type=self.claim_type,
                today=self.check_today,
            ):
                row.error(RULE_COLUMNS.get(problem.field or "", problem.field), problem.message)
        if not row.ok:
            return None
        return {
            "own_number": values["own_number"],
            "line": LineData(
                product=product,
                serial=values["serial"],
                document_date=values["sale_date"],
                description=values["description"],
                expectations=values["expectations"],
            ),
        }

    def write(self, cleaned, report):
        company = access.active_company(self.user)
        if company is None:
            raise NotAllowed(_("Only an approved member of a company can open claims."))
        report.batch = ImportBatch.objects.create(
            company=company, owner=self.user, file_name=(self.file_name or "claims.csv")[:200], claim_count=len(cleaned)
        )
        report.claims = claims_create_many(
            user=self.user,
            claim_type=self.claim_type,
            return_address=self.return_address,
            rows=cleaned,
            batch=report.batch,
        )
        report.created = len(report.claims)


COLUMNS = [(column.key, column.label) for column in ClaimsImport.columns]


def _too_large(uploaded):
    if uploaded.size > MAX_FILE_SIZE:
        return ImportResult(
            kind="claims", file_error=_("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_SIZE // (1024 * 1024)}
        )
    return None


def check_file(uploaded, *, claim_type, today=None):
    """Read and check every row; nothing is written."""
    return _too_large(uploaded) or ClaimsImport(claim_type=claim_type, today=today).run(uploaded, dry_run=True)


def claims_import_csv(*, user, uploaded, claim_type, return_address, today=None):
    """Check the whole file; if every row is right, create all its claims in one transaction."""
    importer = ClaimsImport(
        claim_type=claim_type, user=user, return_address=return_address, file_name=uploaded.name, today=today
    )
    result = _too_large(uploaded) or importer.run(uploaded)
    if result.ok and getattr(result, "batch", None) is not None:
        # One render of the handover document, queued once the claims are committed.
        queue_batch_handover(result.batch, language=translation.get_language() or settings.LANGUAGE_CODE)
    return result


def template_csv(language=None):
    """The downloadable template: header in the request's language and an example row."""
    return ClaimsImport.template_csv(language)
