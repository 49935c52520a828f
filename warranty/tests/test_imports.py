"""CSV imports of products, sales and sold serials: all rows checked, all or nothing, idempotent."""

import datetime
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from warranty.imports import run_import
from warranty.models import Brand, FaultType, Product, Sale, SoldSerial

from .factories import FaultTypeFactory, ProductFactory, gtin

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


def csv_bytes(lines, *, delimiter=";", bom=False, header=None):
    rows = ([delimiter.join(header)] if header else []) + [delimiter.join(cells) for cells in lines]
    text = "\r\n".join(rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


@pytest.fixture
def products():
    return [ProductFactory(ean=gtin(n)) for n in range(1, 4)]


def sales_rows(products):
    return [
        ["RO18547290", "F-1", "2026-03-01", products[0].ean, "2"],
        ["RO 185 472 90", "F-1", "2026-03-01", products[1].ean, ""],
        ["RO14399840", "F-2", "01.04.2026", products[0].ean, "1"],
    ]


def snapshot():
    return sorted(Sale.objects.values_list("invoice_number", "product_id", "buyer_vat_id", "invoice_date", "quantity"))


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("header", [None, ["buyer_vat_id", "invoice_number", "invoice_date", "ean", "quantity"]])
def test_sales_import_reads_excel_files_and_normalises(products, delimiter, bom, header):
    report = run_import(
        "sales", csv_bytes(sales_rows(products), delimiter=delimiter, bom=bom, header=header), today=TODAY
    )
    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated) == (3, 3, 0)
    assert snapshot() == sorted(
        [
            ("F-1", products[0].pk, "RO18547290", datetime.date(2026, 3, 1), 2),
            ("F-1", products[1].pk, "RO18547290", datetime.date(2026, 3, 1), 1),
            ("F-2", products[0].pk, "RO14399840", datetime.date(2026, 4, 1), 1),
        ]
    )


def test_reimport_changes_nothing_and_a_changed_row_updates_by_natural_key(products):
    raw = csv_bytes(sales_rows(products))
    run_import("sales", raw, today=TODAY)
    before, ids = snapshot(), sorted(Sale.objects.values_list("pk", flat=True))

    again = run_import("sales", raw, today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot() == before and sorted(Sale.objects.values_list("pk", flat=True)) == ids

    changed = sales_rows(products)
    changed[0][4] = "7"
    report = run_import("sales", csv_bytes(changed), today=TODAY)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Sale.objects.get(invoice_number="F-1", product=products[0]).quantity == 7
    assert Sale.objects.count() == 3


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written(products):
    rows = sales_rows(products) + [
        ["RO18547291", "F-3", "2026-03-01", products[0].ean, "1"],  # check digit of the VAT id
        ["RO18547290", "F-3", "2026-02-30", products[0].ean, "1"],  # no such day
        ["RO18547290", "F-3", "2026-03-01", "5901234123458", "1"],  # EAN check digit
        ["RO18547290", "F-3", "2026-03-01", gtin(999), "1"],  # not in the catalogue
        ["RO18547290", "F-4", "2026-03-01", products[2].ean, "²"],
        ["RO18547290", "F-1", "2026-03-01", products[0].ean, "1"],  # same key as row 1
        ["RO18547290", "", "2099-01-01", products[0].ean, "1"],
    ]
    report = run_import("sales", csv_bytes(rows), today=TODAY)
    found = {(e.row, e.column) for e in report.errors}
    assert found == {
        (4, "Buyer VAT id"),
        (5, "Invoice date"),
        (6, "EAN"),
        (7, "EAN"),
        (8, "Quantity"),
        (9, "EAN"),
        (10, "Invoice number"),
        (10, "Invoice date"),
    }
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "No product with the EAN" in messages[(7, "EAN")]
    assert "Row 1 already has" in messages[(9, "EAN")]
    assert "future" in messages[(10, "Invoice date")]
    assert Sale.objects.count() == 0


def test_files_that_are_not_csv_get_a_message(products):
    assert "not a CSV text file" in run_import("sales", b"\x89PNG\r\n\x1a\n\x00\x00\x00", today=TODAY).file_error
    assert "no rows" in run_import("sales", b"\r\n\r\n", today=TODAY).file_error
    report = run_import("sales", b"RO18547290;F-1\r\n", today=TODAY)
    assert [(e.row, e.column) for e in report.errors] == [(1, "Buyer VAT id")]
    assert "Expected 4 to 5 columns, found 2" in report.errors[0].message


def test_serials_import_normalises_and_is_idempotent(products):
    rows = [
        ["3qd sl9x 001", products[0].ean, "RO18547290", "F-1", "2026-03-01"],
        ["3QDSL9X002", products[0].ean, "RO14399840", "F-2", "2026-04-01"],
    ]
    report = run_import("serials", csv_bytes(rows), today=TODAY)
    assert report.ok and report.created == 2
    assert SoldSerial.objects.get(buyer_vat_id="RO18547290").serial == "3QDSL9X001"
    again = run_import("serials", csv_bytes(rows), today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    rows.append(["3QDSL9X001", products[0].ean, "RO18547290", "F-9", "2026-03-01"])
    report = run_import("serials", csv_bytes(rows), today=TODAY)
    assert [(e.row, e.column) for e in report.errors] == [(3, "Serial number")]
    assert SoldSerial.objects.filter(invoice_number="F-9").count() == 0


def test_products_import_creates_brands_sets_fault_types_and_is_idempotent():
    FaultTypeFactory(code="noise", name="Noise")
    FaultTypeFactory(code="no-power", name="No power")
    rows = [
        [gtin(501), "Robot vacuum X", "NewBrand", "24", "no", "noise|no-power"],
        [gtin(502), "Cable", "NewBrand", "12", "da"],
    ]
    report = run_import("products", csv_bytes(rows), today=TODAY)
    assert report.ok and report.created == 2
    vacuum = Product.objects.get(ean=gtin(501))
    assert vacuum.brand.name == "NewBrand" and not vacuum.quantity_allowed
    assert sorted(vacuum.fault_types.values_list("code", flat=True)) == ["no-power", "noise"]
    assert Product.objects.get(ean=gtin(502)).quantity_allowed
    again = run_import("products", csv_bytes(rows), today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    rows[0][5] = "noise"
    rows[1][3] = "6"
    report = run_import("products", csv_bytes(rows), today=TODAY)
    assert report.updated == 2
    assert list(Product.objects.get(ean=gtin(501)).fault_types.values_list("code", flat=True)) == ["noise"]
    assert Product.objects.get(ean=gtin(502)).warranty_months == 6
    assert Brand.objects.filter(name="NewBrand").count() == 1

    rows[0][2] = "newbrand"  # the same brand, typed in other letter case
    rows[1][2] = "NEWBRAND"
    again = run_import("products", csv_bytes(rows), today=TODAY)
    assert again.ok and Brand.objects.filter(name__iexact="newbrand").count() == 1


def test_products_import_refuses_unknown_fault_types_and_bad_values():
    rows = [
        [gtin(601), "A", "B", "24", "no", "melted"],
        [gtin(602), "", "B", "0", "maybe"],
        ["5901234123458", "C", "", "24"],
    ]
    report = run_import("products", csv_bytes(rows), today=TODAY)
    assert {(e.row, e.column) for e in report.errors} == {
        (1, "Fault type codes"),
        (2, "Name"),
        (2, "Warranty months"),
        (2, "Quantity on claims"),
        (3, "EAN"),
        (3, "Brand"),
    }
    assert Product.objects.count() == 0 and FaultType.objects.count() == 0


def test_management_commands(products, tmp_path, capsys):
    good = tmp_path / "sales.csv"
    good.write_bytes(csv_bytes(sales_rows(products)))
    call_command("import_sales", str(good), "--dry-run")
    assert Sale.objects.count() == 0
    call_command("import_sales", str(good))
    assert "3 rows: 3 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["RO18547290", "F-9", "2026-13-01", products[0].ean, "1"]]))
    with pytest.raises(CommandError, match="1 errors in 1 rows; nothing was imported"):
        call_command("import_sales", str(bad))
    assert "row 1, column Invoice date" in capsys.readouterr().err


def test_admin_import_page_shows_errors_then_imports(client, technician, owner, products):
    client.force_login(technician)
    url = reverse("admin:warranty_sale_import")
    changelist = client.get(reverse("admin:warranty_sale_changelist"))
    assert url in changelist.content.decode()
    template = client.get(reverse("admin:warranty_sale_import_template"))
    assert template.content.decode("utf-8-sig").startswith("buyer_vat_id;invoice_number;invoice_date;ean;quantity")

    bad = sales_rows(products) + [["RO18547290", "F-3", "2026-03-01", "123", "1"]]
    page = client.post(url, {"file": SimpleUploadedFile("s.csv", csv_bytes(bad))})
    html = page.content.decode()
    assert page.status_code == 200 and "Nothing was imported" in html
    assert "<td>4</td><td>EAN</td>" in html
    assert Sale.objects.count() == 0

    done = client.post(url, {"file": SimpleUploadedFile("s.csv", csv_bytes(sales_rows(products)))}, follow=True)
    assert "3 rows imported: 3 new" in done.content.decode()
    assert Sale.objects.count() == 3

    not_csv = client.post(url, {"file": SimpleUploadedFile("s.csv", b"\x00\x01\x02")})
    assert "not a CSV text file" in not_csv.content.decode()

    client.force_login(owner)
    assert client.get(url).status_code == 302  # partners never reach the admin


@pytest.mark.postgres
def test_one_hundred_thousand_sales_rows_in_under_30_seconds(capsys):
    catalogue = [ProductFactory(ean=gtin(10_000 + n)) for n in range(200)]
    buyers = ["RO18547290", "RO14399840", "RO2816464", "RO6859662"]
    rows = [
        [buyers[i % 4], f"INV-{i // 5:06d}", "2026-03-01", catalogue[i % 200].ean, str(1 + i % 3)]
        for i in range(100_000)
    ]
    raw = csv_bytes(rows, header=["buyer_vat_id", "invoice_number", "invoice_date", "ean", "quantity"])
    started = time.perf_counter()
    report = run_import("sales", raw, today=TODAY)
    elapsed = time.perf_counter() - started
    assert report.ok, report.errors[:5]
    assert report.created == 100_000 and Sale.objects.count() == 100_000
    started = time.perf_counter()
    again = run_import("sales", raw, today=TODAY)
    elapsed_again = time.perf_counter() - started
    assert again.unchanged == 100_000
    with capsys.disabled():
        print(f"\n100,000-row sales import: {elapsed:.1f} s; the same file again: {elapsed_again:.1f} s")
    assert elapsed < 30


def test_admin_search_of_sales_and_serials_is_exact(client, technician, products):
    run_import("sales", csv_bytes(sales_rows(products)), today=TODAY)
    run_import("serials", csv_bytes([["3QDSL9X001", products[0].ean, "RO18547290", "F-1", "2026-03-01"]]), today=TODAY)
    client.force_login(technician)
    sales = reverse("admin:warranty_sale_changelist")
    assert client.get(sales, {"q": "ro 18547290"}).context["cl"].result_count == 2
    assert client.get(sales, {"q": "F-2"}).context["cl"].result_count == 1
    assert client.get(sales, {"q": products[0].ean}).context["cl"].result_count == 2
    assert client.get(sales, {"q": "F-"}).context["cl"].result_count == 0
    serials = reverse("admin:warranty_soldserial_changelist")
    assert client.get(serials, {"q": "3qdsl9x 001"}).context["cl"].result_count == 1


def test_a_key_repeated_in_a_later_chunk_is_found_and_nothing_is_written(products, monkeypatch):
    from warranty.imports import SalesImport, SerialsImport

    monkeypatch.setattr(SalesImport, "chunk_size", 2)
    monkeypatch.setattr(SerialsImport, "chunk_size", 2)
    rows = sales_rows(products) + [
        ["RO18547290", "F-9", "2026-03-01", products[2].ean, "1"],
        ["RO18547290", "F-1", "2026-03-01", products[1].ean, "5"],  # row 5: the key of row 2, two chunks later
        ["RO18547290", "F-9", "2026-03-01", products[2].ean, "1"],  # row 6: the key of row 4
    ]
    report = run_import("sales", csv_bytes(rows), today=TODAY)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (5, "EAN", "Row 2 already has this EAN on invoice F-1."),
        (6, "EAN", "Row 4 already has this EAN on invoice F-9."),
    ]
    assert report.error_count == 2 and Sale.objects.count() == 0

    serials = [[f"SN{i}", products[0].ean, "RO18547290", "F-1", "2026-03-01"] for i in range(5)] + [
        ["sn 1", products[0].ean, "RO18547290", "F-2", "2026-03-01"]
    ]
    report = run_import("serials", csv_bytes(serials), today=TODAY)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (6, "Serial number", "Row 2 already has this serial number.")
    ]
    assert SoldSerial.objects.count() == 0


def test_templates_follow_the_page_language_and_both_headers_are_read(client, technician, products):
    client.force_login(technician)
    client.cookies["portal_language"] = "ro"
    romanian = client.get(reverse("admin:warranty_sale_import_template")).content.decode("utf-8-sig")
    assert romanian.startswith("cod_fiscal_cumpărător;număr_factură;data_factură;ean;cantitate\r\n")
    header = romanian.split("\r\n")[0].split(";")
    report = run_import("sales", csv_bytes(sales_rows(products), header=header), today=TODAY)
    assert report.ok and report.created == 3
    client.cookies["portal_language"] = "en"
    english = client.get(reverse("admin:warranty_sale_import_template")).content.decode("utf-8-sig")
    assert english.startswith("buyer_vat_id;invoice_number;invoice_date;ean;quantity\r\n")


def test_a_wrong_date_names_both_formats(products):
    rows = [["RO18547290", "F-1", "2026/03/01", products[0].ean, "1"]]
    [error] = run_import("sales", csv_bytes(rows), today=TODAY).errors
    assert "yyyy-mm-dd" in error.message and "dd.mm.yyyy" in error.message
