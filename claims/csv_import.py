"""CSV import of claims (spec section 5): check the whole file, then create every claim or none.

Columns, in this order: own claim number, EAN, serial number, sale date
(yyyy-mm-dd or dd.mm.yyyy), problem description, service expectations. A
header row is optional. Reading, header detection, errors by row and column
and the all-or-nothing transaction are the import engine's
(core/csvimport.py); this module holds the claim's columns and rules.
"""

import datetime
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import access
from core.csvimport import Column, CsvImport, ImportReport, date_cell, text_cell
from core.errors import NotAllowed
from warranty.imports import EAN, serial_cell
from warranty.models import Product

from .forms import check_line
from .models import ImportBatch
from .services import LineData, claims_create_many

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_TEXT = 5000  # as on the web form


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
            parse=text_cell(60),
            example="PR-1001",
        ),
        replace(EAN, example="5901234123457"),
        Column(
            "serial",
            gettext_lazy("Serial number"),
            "număr_serie",
            header_en="serial_number",
            required=False,
            parse=serial_cell,
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
            parse=text_cell(MAX_TEXT),
            missing=gettext_lazy("Describe the problem."),
            example=lambda: _("Does not turn on"),
        ),
        Column(
            "expectations",
            gettext_lazy("Service expectations"),
            "așteptări_service",
            header_en="service_expectations",
            required=False,
            parse=text_cell(MAX_TEXT),
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
            product = self.products.get(values["ean"])
            if product is None:
                row.error("ean", _("No product with the EAN %(code)s is in our catalogue.") % {"code": values["ean"]})
        if product is not None:
            problems = check_line(
                product,
                serial=values.get("serial", ""),
                quantity=1,
                fault_type=None,
                document_date=values.get("sale_date"),
                today=self.check_today,
            )
            # The CSV has no fault type column: the service sets it on arrival.
            problems.pop("fault_type", None)
            for name, message in problems.items():
                row.error({"document_date": "sale_date"}.get(name, name), message)
            claim_type = self.claim_type
            if claim_type is not None and claim_type.brand_id and product.brand_id != claim_type.brand_id:
                row.error(
                    "ean",
                    _("The claim type “%(type)s” is reserved for %(brand)s products.")
                    % {"type": claim_type, "brand": claim_type.brand.name},
                )
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
    return _too_large(uploaded) or importer.run(uploaded)


def template_csv(language=None):
    """The downloadable template: header in the request's language and an example row."""
    return ClaimsImport.template_csv(language)
