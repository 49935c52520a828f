"""CSV imports of the distributor's records: products, sales and sold serial numbers.

Built on the import engine (core/csvimport.py): every row is checked and
every error collected with its row number and column; if there is one,
nothing is written. Rows are written by their natural key (EAN; invoice
number + EAN; serial + EAN), so that importing the same file again changes
nothing. Rows equal to what is stored are not written at all; new and
changed rows go to the database in batches of upserts (INSERT ... ON
CONFLICT DO UPDATE).

Sales and serials run into millions of rows: they are read and written a
chunk at a time inside one transaction (``streaming``), so memory stays
flat; a wrong row anywhere stops the writing and rolls everything back.

The admin (warranty/admin.py) and the management commands
(import_products, import_sales, import_serials) both call ``run_import``.
"""

import functools
from dataclasses import replace

import psycopg
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.imports import vat_id_cell
from core import bulk
from core.actionlog import log_action
from core.csvimport import (
    MAX_ERRORS_SHOWN,
    CellError,
    Column,
    CsvImport,
    ImportReport,
    date_cell,
    integer_cell,
    text_cell,
)
from core.csvimport import boolean_cell as _boolean_cell

from .codes import ean_error, normalise_ean, normalise_serial
from .models import Brand, FaultType, Product, Sale, SoldSerial

__all__ = ["KINDS", "ImportReport", "ProductsImport", "SalesImport", "SerialsImport", "run_import", "template_csv"]

BATCH_SIZE = 5000


@functools.lru_cache(maxsize=65536)
def _ean(text):
    code = normalise_ean(text)
    return code, ean_error(code)


def ean_cell(text):
    # A sales file repeats the same few thousand EANs: each distinct one is checked once.
    code, message = _ean(text)
    if message:
        raise CellError(str(message))
    return code


def serial_cell(text):
    serial = normalise_serial(text)
    if len(serial) > 100:
        raise CellError(_("At most 100 characters."))
    return serial


def fault_codes_cell(text):
    # Codes are separated by | or a comma; a code may hold a space.
    return sorted({code.strip() for code in text.replace(",", "|").split("|") if code.strip()})


EAN = Column(
    "ean",
    gettext_lazy("EAN"),
    "ean",
    parse=ean_cell,
    missing=gettext_lazy("Type the EAN/GTIN-13 code from the product's box."),
    words=("ean", "gtin"),
)
BUYER_VAT_ID = Column(
    "buyer_vat_id",
    gettext_lazy("Buyer VAT id"),
    "cod_fiscal_cumpărător",
    parse=vat_id_cell,
    example="RO18547290",
)
INVOICE_NUMBER = Column(
    "invoice_number",
    gettext_lazy("Invoice number"),
    "număr_factură",
    parse=text_cell(50),
    missing=gettext_lazy("The invoice number is missing."),
)
INVOICE_DATE = Column("invoice_date", gettext_lazy("Invoice date"), "data_factură", parse=date_cell)


class _SoldImport(CsvImport):
    """Sales and serials: a buyer, an invoice and a product from the catalogue, upserted by natural key."""

    streaming = True
    key_column = "ean"
    model = None
    natural_key = ()  # (the text field, "product")
    value_fields = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.products = dict(Product.objects.order_by().values_list("ean", "id"))
        # A key may appear once in a file. On PostgreSQL the keys of each chunk go to a temporary table
        # and one query finds the repeated ones at the end, so memory stays flat however long the file;
        # elsewhere a dict remembers them, by hash, with their row.
        self.keys_in_database = connection.vendor == "postgresql"
        self.seen = {}
        self.chunk_keys = []

    def clean_common(self, row):
        values = row.values
        product_id = None
        if "ean" in values:
            product_id = self.products.get(values["ean"])
            if product_id is None:
                row.error("ean", _("No product with the EAN %(code)s is in the catalogue.") % {"code": values["ean"]})
        if values.get("invoice_date") and values["invoice_date"] > self.today:
            row.error("invoice_date", _("The invoice date is in the future."))
        return product_id

    def first_row(self, row, key):
        """The row number that already had ``key`` (this row's own when it is the first), remembering it."""
        if self.keys_in_database:
            self.chunk_keys.append((*key, row.number))
            return row.number
        return self.seen.setdefault(hash(key), row.number)

    def duplicate(self, first, text):
        """(column, message) for a row repeating the key of row ``first``, whose text key is ``text``."""
        raise NotImplementedError

    def prepare(self, rows):
        self.chunk_keys = []

    def chunk_cleaned(self, cleaned, report):
        if not self.keys_in_database:
            return
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            if not getattr(self, "_keys_table", False):
                cursor.execute("DROP TABLE IF EXISTS import_keys")
                cursor.execute(
                    "CREATE TEMPORARY TABLE import_keys (text text, product bigint, row integer) ON COMMIT DROP"
                )
                self._keys_table = True
            with cursor.copy("COPY import_keys (text, product, row) FROM STDIN") as copy:
                for key in self.chunk_keys:
                    copy.write_row(key)
        self.chunk_keys = []

    def finish(self, report):
        if not self.keys_in_database or not getattr(self, "_keys_table", False):
            return
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                "SELECT row, first, text, count(*) OVER () FROM ("
                "  SELECT row, text, min(row) OVER (PARTITION BY text, product) AS first FROM import_keys"
                ") AS keys WHERE row <> first ORDER BY row LIMIT %s",
                [MAX_ERRORS_SHOWN],
            )
            found = cursor.fetchall()
        for row, first, text, _total in found:
            column, message = self.duplicate(first, text)
            report.add_error(row, self.column(column).label, message)
        if found:
            report.error_count += found[0][3] - len(found)

    def write(self, cleaned, report):
        if self.keys_in_database:
            # A key repeated in the chunk is an error that ``finish`` reports; it must not reach one INSERT twice.
            cleaned = list({row[:2]: row for row in reversed(cleaned)}.values())
        upsert(self.model, cleaned, report, key=self.natural_key, values=self.value_fields)


class SalesImport(_SoldImport):
    kind = "sales"
    label = gettext_lazy("sales")
    model = Sale
    natural_key = ("invoice_number", "product")
    value_fields = ("buyer_vat_id", "invoice_date", "quantity")
    columns = [
        BUYER_VAT_ID,
        replace(INVOICE_NUMBER, example="INN-2026-03318"),
        replace(INVOICE_DATE, example="2026-07-28"),
        replace(EAN, example="5949000000090"),
        Column(
            "quantity",
            gettext_lazy("Quantity"),
            "cantitate",
            required=False,
            default=1,
            parse=integer_cell(1),
            example="3",
        ),
    ]

    def clean(self, row):
        product_id = self.clean_common(row)
        if not row.ok:
            return None
        values = row.values
        invoice = values["invoice_number"]
        first = self.first_row(row, (invoice, product_id))
        if first != row.number:
            row.error(*self.duplicate(first, invoice))
            return None
        return (invoice, product_id, values["buyer_vat_id"], values["invoice_date"], values["quantity"])

    def duplicate(self, first, invoice):
        return "ean", _("Row %(row)d already has this EAN on invoice %(invoice)s.") % {"row": first, "invoice": invoice}


class SerialsImport(_SoldImport):
    kind = "serials"
    label = gettext_lazy("sold serial numbers")
    model = SoldSerial
    natural_key = ("serial", "product")
    value_fields = ("buyer_vat_id", "invoice_number", "invoice_date")
    columns = [
        Column(
            "serial",
            gettext_lazy("Serial number"),
            "număr_serie",
            parse=serial_cell,
            missing=gettext_lazy("The serial number is missing."),
            example="3QDSL9X00A1234",
        ),
        replace(EAN, example="5949000000014"),
        BUYER_VAT_ID,
        replace(INVOICE_NUMBER, example="INN-2026-02150"),
        replace(INVOICE_DATE, example="2026-04-29"),
    ]

    def clean(self, row):
        product_id = self.clean_common(row)
        if not row.ok:
            return None
        values = row.values
        serial = values["serial"]
        first = self.first_row(row, (serial, product_id))
        if first != row.number:
            row.error(*self.duplicate(first, serial))
            return None
        return (serial, product_id, values["buyer_vat_id"], values["invoice_number"], values["invoice_date"])

    def duplicate(self, first, serial):
        return "serial", _("Row %(row)d already has this serial number.") % {"row": first}


class ProductsImport(CsvImport):
    kind = "products"
    label = gettext_lazy("products")
    key_column = "ean"
    columns = [
        replace(EAN, example="5949000000090"),
        Column(
            "name",
            gettext_lazy("Name"),
            "denumire",
            parse=text_cell(250),
            missing=gettext_lazy("The product name is missing."),
            example="Edifier W820NB Plus",
        ),
        Column(
            "brand",
            gettext_lazy("Brand"),
            "marcă",
            parse=text_cell(100),
            missing=gettext_lazy("The brand is missing."),
            example="Edifier",
        ),
        Column(
            "warranty_months",
            gettext_lazy("Warranty months"),
            "luni_garanție",
            parse=integer_cell(1, 240, gettext_lazy("“%(value)s” is not a number of months from 1 to 240.")),
            missing=lazy(lambda: _("“%(value)s” is not a number of months from 1 to 240.") % {"value": ""}, str)(),
            example="24",
        ),
        Column(
            "quantity_allowed",
            gettext_lazy("Quantity on claims"),
            "cantitate_pe_reclamații",
            required=False,
            default=False,
            parse=_boolean_cell,
            example="no",
        ),
        Column(
            "fault_types",
            gettext_lazy("Fault type codes"),
            "coduri_tipuri_defect",
            required=False,
            default=[],
            absent=None,  # a file without this column leaves the products' fault types alone
            parse=fault_codes_cell,
            example="noise|connectivity",
        ),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.faults = dict(FaultType.objects.values_list("code", "id"))
        self.seen = {}

    def clean(self, row):
        values = row.values
        if "ean" in values:
            first = self.seen.get(values["ean"])
            if first is not None:
                row.error("ean", _("Row %(row)d already has this EAN.") % {"row": first})
        fault_ids = None
        if values.get("fault_types") is not None:
            unknown = [code for code in values["fault_types"] if code not in self.faults]
            if unknown:
                row.error(
                    "fault_types",
                    _("Unknown fault type codes: %(codes)s. Add them under Fault types first.")
                    % {"codes": ", ".join(unknown)},
                )
            fault_ids = sorted({self.faults[c] for c in values["fault_types"] if c in self.faults})
        if not row.ok:
            return None
        self.seen[values["ean"]] = row.number
        return (
            values["ean"],
            values["name"],
            values["brand"],
            values["warranty_months"],
            values["quantity_allowed"],
            fault_ids,
        )

    def write(self, cleaned, report):
        write_products(cleaned, report)


def _batches(items):
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def upsert(model, rows, report, *, key, values):
    for batch in _batches(rows):
        bulk.upsert(model, batch, report, key=key, values=values)


def write_products(rows, report):
    # "dji" in a file is the DJI brand, with its serial rules, not a new brand without them.
    brands = {name.casefold(): pk for name, pk in Brand.objects.values_list("name", "id")}
    for row in rows:
        if row[2].casefold() not in brands:
            brands[row[2].casefold()] = Brand.objects.create(name=row[2]).pk  # flags are set in the admin
    Through = Product.fault_types.through
    for batch in _batches(rows):
        eans = [row[0] for row in batch]
        stored = {
            ean: (pk, rest)
            for ean, pk, *rest in Product.objects.filter(ean__in=eans)
            .order_by()
            .values_list("ean", "id", "name", "brand_id", "warranty_months", "quantity_allowed")
        }
        stored_faults = {}
        for product_id, fault_id in Through.objects.filter(product__ean__in=eans).values_list(
            "product_id", "faulttype_id"
        ):
            stored_faults.setdefault(product_id, []).append(fault_id)
        changed, fault_sets = [], {}
        for ean, name, brand, months, quantity_allowed, fault_ids in batch:
            pk, before = stored.get(ean, (None, None))
            same_fields = before == [name, brands[brand.casefold()], months, quantity_allowed]
            same_faults = fault_ids is None or sorted(stored_faults.get(pk, [])) == fault_ids
            if same_fields and same_faults:
                report.unchanged += 1
                continue
            if before is None:
                report.created += 1
            else:
                report.updated += 1
            if not same_fields:
                changed.append(
                    Product(
                        ean=ean,
                        name=name,
                        brand_id=brands[brand.casefold()],
                        warranty_months=months,
                        quantity_allowed=quantity_allowed,
                    )
                )
            if not same_faults:
                fault_sets[ean] = fault_ids
        Product.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["ean"],
            update_fields=["name", "brand", "warranty_months", "quantity_allowed"],
        )
        if fault_sets:
            ids = dict(Product.objects.filter(ean__in=list(fault_sets)).values_list("ean", "id"))
            Through.objects.filter(product_id__in=ids.values()).delete()
            Through.objects.bulk_create(
                [
                    Through(product_id=ids[ean], faulttype_id=fault_id)
                    for ean, fault_ids in fault_sets.items()
                    for fault_id in fault_ids
                ]
            )


KINDS = {"products": ProductsImport, "sales": SalesImport, "serials": SerialsImport}


def run_import(kind, source, *, dry_run=False, today=None, by=None):
    """Check every row of a CSV file (bytes, a path or a file); if all are right, write them all in one transaction.

    ``by`` is the staff member importing (None from a management command), for the action log.
    """
    with transaction.atomic():
        report = KINDS[kind](today=today or timezone.localdate()).run(source, dry_run=dry_run)
        if report.ok and not dry_run:
            fields = ("rows", "created", "updated", "unchanged")
            data = {"kind": kind, **{f: getattr(report, f, None) for f in fields}}
            log_action(None, "catalogue.imported", actor=by, data=data)
    return report


def template_csv(kind, language=None):
    """Header in the request's language and one example row, semicolon-separated as Excel writes it in Romania."""
    return KINDS[kind].template_csv(language)
