"""CSV imports of the distributor's records: products, sales and sold serial numbers.

Each import runs in two phases. First every row is read and checked, and
every error is collected with its row number and column; if there is one,
nothing is written. Then all rows are written in one transaction, by their
natural key (EAN; invoice number + EAN; serial + EAN), so that importing the
same file again changes nothing. Rows equal to what is stored are not
written at all; new and changed rows go to the database in batches of
upserts (INSERT ... ON CONFLICT DO UPDATE), which is what makes 100,000 sales
rows fit comfortably in the 30 seconds we promise.

The admin (warranty/admin.py) and the management commands
(import_products, import_sales, import_serials) both call ``run_import``.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.vat import is_valid_vat
from core.actionlog import log_action
from core.csvfiles import RowError, parse_date, read_upload

from .codes import ean_error, normalise_ean, normalise_serial
from .models import Brand, FaultType, Product, Sale, SoldSerial

MAX_ERRORS_SHOWN = 500
BATCH_SIZE = 5000


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    file_error: str = ""
    errors: list = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self):
        return not self.file_error and not self.error_count


@dataclass
class Kind:
    key: str
    label: object
    columns: list  # (key, label)
    required: int  # how many leading columns every row must have
    example: list


KINDS = {
    "products": Kind(
        "products",
        gettext_lazy("products"),
        [
            ("ean", gettext_lazy("EAN")),
            ("name", gettext_lazy("Name")),
            ("brand", gettext_lazy("Brand")),
            ("warranty_months", gettext_lazy("Warranty months")),
            ("quantity_allowed", gettext_lazy("Quantity on claims")),
            ("fault_types", gettext_lazy("Fault type codes")),
        ],
        4,
        ["5949000000090", "Edifier W820NB Plus", "Edifier", "24", "no", "noise|connectivity"],
    ),
    "sales": Kind(
        "sales",
        gettext_lazy("sales"),
        [
            ("buyer_vat_id", gettext_lazy("Buyer VAT id")),
            ("invoice_number", gettext_lazy("Invoice number")),
            ("invoice_date", gettext_lazy("Invoice date")),
            ("ean", gettext_lazy("EAN")),
            ("quantity", gettext_lazy("Quantity")),
        ],
        4,
        ["RO18547290", "INN-2026-03318", "2026-07-28", "5949000000090", "3"],
    ),
    "serials": Kind(
        "serials",
        gettext_lazy("sold serial numbers"),
        [
            ("serial", gettext_lazy("Serial number")),
            ("ean", gettext_lazy("EAN")),
            ("buyer_vat_id", gettext_lazy("Buyer VAT id")),
            ("invoice_number", gettext_lazy("Invoice number")),
            ("invoice_date", gettext_lazy("Invoice date")),
        ],
        5,
        ["3QDSL9X00A1234", "5949000000014", "RO18547290", "INN-2026-02150", "2026-04-29"],
    ),
}

TRUE_WORDS = {"1", "yes", "y", "true", "da", "x"}
FALSE_WORDS = {"", "0", "no", "n", "false", "nu"}


class Checker:
    """Collects errors by row and column; keeps the first MAX_ERRORS_SHOWN for display."""

    def __init__(self, report, kind):
        self.report = report
        self.labels = dict(kind.columns)
        self.row_ok = True

    def __call__(self, row, column, message):
        self.row_ok = False
        self.report.error_count += 1
        if len(self.report.errors) < MAX_ERRORS_SHOWN:
            self.report.errors.append(RowError(row=row, column=str(self.labels[column]), message=str(message)))


def read_file(raw, kind, report):
    """The file's records without a header row, or None after setting report.file_error."""
    records, report.file_error = read_upload(raw)
    if records is None:
        return None
    keys = [key for key, _label in kind.columns]
    if records and [c.lower() for c in records[0][1][: len(keys)]] == keys[: len(records[0][1])]:
        records = records[1:]
    if not records:
        report.file_error = _("The file has no rows to import.")
        return None
    report.rows = len(records)
    return records


class VatCache(dict):
    """Checks each distinct buyer VAT id once: a sales file repeats the same few hundred buyers."""

    def check(self, raw):
        value = raw.replace(" ", "").replace(".", "").replace("-", "").upper()
        if value not in self:
            prefix, number = value[:2], value[2:]
            self[value] = prefix.isalpha() and is_valid_vat(prefix, number)
        return value, self[value]


def _check_common(check, number, cells, columns, *, products, vats, today):
    """Check EAN, buyer VAT id, invoice number and date; return the cleaned values."""
    values = dict(zip(columns, cells, strict=False))
    product_id = None
    code = normalise_ean(values["ean"])
    if message := ean_error(code):
        check(number, "ean", message)
    elif (product_id := products.get(code)) is None:
        check(number, "ean", _("No product with the EAN %(code)s is in the catalogue.") % {"code": code})
    vat, valid = vats.check(values["buyer_vat_id"])
    if not valid:
        check(
            number,
            "buyer_vat_id",
            _("“%(value)s” is not a valid VAT id with its country prefix (for example RO18547290).")
            % {"value": values["buyer_vat_id"]},
        )
    invoice = values["invoice_number"]
    if not invoice:
        check(number, "invoice_number", _("The invoice number is missing."))
    elif len(invoice) > 50:
        check(number, "invoice_number", _("At most 50 characters."))
    date = parse_date(values["invoice_date"])
    if date is None:
        check(
            number,
            "invoice_date",
            _("“%(value)s” is not a date in the form yyyy-mm-dd.") % {"value": values["invoice_date"]},
        )
    elif date > today:
        check(number, "invoice_date", _("The invoice date is in the future."))
    return values, product_id, vat, invoice, date


def _check_width(check, kind, number, cells):
    if not kind.required <= len(cells) <= len(kind.columns):
        check(
            number,
            kind.columns[0][0],
            _("Expected %(min)d to %(max)d columns, found %(n)d.")
            % {"min": kind.required, "max": len(kind.columns), "n": len(cells)},
        )
        return False
    return True


def _product_ids():
    return dict(Product.objects.values_list("ean", "id"))


def check_sales(records, report, today):
    kind = KINDS["sales"]
    check = Checker(report, kind)
    columns = [key for key, _label in kind.columns]
    products, vats, seen, rows = _product_ids(), VatCache(), {}, []
    for number, cells in records:
        check.row_ok = True
        if not _check_width(check, kind, number, cells):
            continue
        values, product_id, vat, invoice, date = _check_common(
            check, number, cells, columns, products=products, vats=vats, today=today
        )
        raw_quantity = values.get("quantity", "") or "1"
        quantity = int(raw_quantity) if raw_quantity.isascii() and raw_quantity.isdigit() else 0
        if quantity < 1:
            check(number, "quantity", _("“%(value)s” is not a whole number of 1 or more.") % {"value": raw_quantity})
        if check.row_ok:
            key = (invoice, product_id)
            if key in seen:
                check(
                    number,
                    "ean",
                    _("Row %(row)d already has this EAN on invoice %(invoice)s.")
                    % {"row": seen[key], "invoice": invoice},
                )
                continue
            seen[key] = number
            rows.append((invoice, product_id, vat, date, quantity))
    return rows


def check_serials(records, report, today):
    kind = KINDS["serials"]
    check = Checker(report, kind)
    columns = [key for key, _label in kind.columns]
    products, vats, seen, rows = _product_ids(), VatCache(), {}, []
    for number, cells in records:
        check.row_ok = True
        if not _check_width(check, kind, number, cells):
            continue
        values, product_id, vat, invoice, date = _check_common(
            check, number, cells, columns, products=products, vats=vats, today=today
        )
        serial = normalise_serial(values["serial"])
        if not serial:
            check(number, "serial", _("The serial number is missing."))
        elif len(serial) > 100:
            check(number, "serial", _("At most 100 characters."))
        if check.row_ok:
            key = (serial, product_id)
            if key in seen:
                check(number, "serial", _("Row %(row)d already has this serial number.") % {"row": seen[key]})
                continue
            seen[key] = number
            rows.append((serial, product_id, vat, invoice, date))
    return rows


def check_products(records, report, today):
    kind = KINDS["products"]
    check = Checker(report, kind)
    faults = dict(FaultType.objects.values_list("code", "id"))
    seen, rows = {}, []
    for number, cells in records:
        check.row_ok = True
        if not _check_width(check, kind, number, cells):
            continue
        cells = cells + [None] * (len(kind.columns) - len(cells))
        raw_ean, name, brand, raw_months, raw_quantity, raw_faults = cells
        code = normalise_ean(raw_ean)
        if message := ean_error(code):
            check(number, "ean", message)
        elif code in seen:
            check(number, "ean", _("Row %(row)d already has this EAN.") % {"row": seen[code]})
        if not name:
            check(number, "name", _("The product name is missing."))
        elif len(name) > 250:
            check(number, "name", _("At most 250 characters."))
        if not brand:
            check(number, "brand", _("The brand is missing."))
        elif len(brand) > 100:
            check(number, "brand", _("At most 100 characters."))
        months = int(raw_months) if raw_months.isascii() and raw_months.isdigit() else 0
        if not 1 <= months <= 240:
            check(
                number,
                "warranty_months",
                _("“%(value)s” is not a number of months from 1 to 240.") % {"value": raw_months},
            )
        quantity_word = (raw_quantity or "").lower()
        if quantity_word not in TRUE_WORDS | FALSE_WORDS:
            check(number, "quantity_allowed", _("Write yes or no (da or nu)."))
        fault_ids = None
        if raw_faults is not None:
            codes = [c.strip() for c in raw_faults.replace(",", "|").split("|") if c.strip()]
            unknown = [c for c in codes if c not in faults]
            if unknown:
                check(
                    number,
                    "fault_types",
                    _("Unknown fault type codes: %(codes)s. Add them under Fault types first.")
                    % {"codes": ", ".join(unknown)},
                )
            fault_ids = sorted({faults[c] for c in codes if c in faults})
        if check.row_ok:
            seen[code] = number
            rows.append((code, name, brand, months, quantity_word in TRUE_WORDS, fault_ids))
    return rows


def _batches(items):
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def _upsert(model, rows, report, *, key, values):
    """Write rows (tuples: the two key fields, then the value fields) by natural key, skipping unchanged ones.

    ``key`` is (the text field, "product"); rows whose stored values are equal are counted, not written.
    """
    text_key = key[0]
    for batch in _batches(rows):
        stored = {
            (text, product): rest
            for text, product, *rest in model.objects.filter(**{f"{text_key}__in": {row[0] for row in batch}})
            .values_list(text_key, "product_id", *values)
            .iterator()
        }
        changed = []
        for row in batch:
            before = stored.get(row[:2])
            if before == list(row[2:]):
                report.unchanged += 1
                continue
            if before is None:
                report.created += 1
            else:
                report.updated += 1
            changed.append(model(**{text_key: row[0], "product_id": row[1]}, **dict(zip(values, row[2:], strict=True))))
        model.objects.bulk_create(changed, update_conflicts=True, unique_fields=list(key), update_fields=list(values))


def write_sales(rows, report):
    _upsert(
        Sale,
        rows,
        report,
        key=("invoice_number", "product"),
        values=("buyer_vat_id", "invoice_date", "quantity"),
    )


def write_serials(rows, report):
    _upsert(
        SoldSerial,
        rows,
        report,
        key=("serial", "product"),
        values=("buyer_vat_id", "invoice_number", "invoice_date"),
    )


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
            for ean, pk, *rest in Product.objects.filter(ean__in=eans).values_list(
                "ean", "id", "name", "brand_id", "warranty_months", "quantity_allowed"
            )
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


CHECKERS = {"products": check_products, "sales": check_sales, "serials": check_serials}
WRITERS = {"products": write_products, "sales": write_sales, "serials": write_serials}


def run_import(kind, raw, *, dry_run=False, today=None, by=None):
    """Check every row of a CSV file (bytes); if all are right, write them all in one transaction.

    ``by`` is the staff member importing (None from a management command), for the action log.
    """
    report = ImportReport(kind=kind)
    records = read_file(raw, KINDS[kind], report)
    if records is None:
        return report
    rows = CHECKERS[kind](records, report, today or timezone.localdate())
    if not report.ok or dry_run:
        return report
    with transaction.atomic():
        WRITERS[kind](rows, report)
        fields = ("rows", "created", "updated", "unchanged")
        log_action(None, "catalogue.imported", actor=by, data={"kind": kind, **{f: getattr(report, f) for f in fields}})
    return report


def template_csv(kind):
    """Header and one example row, semicolon-separated as Excel writes it in Romania."""
    spec = KINDS[kind]
    header = ";".join(key for key, _label in spec.columns)
    return "\ufeff" + header + "\r\n" + ";".join(spec.example) + "\r\n"
