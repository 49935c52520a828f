"""The customer master import: normalised, validated, idempotent by VAT id, all or nothing; companies follow it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.imports import CustomersImport, customers_import
from accounts.models import Company, Customer

pytestmark = pytest.mark.django_db

HEADER = "vat_id;legal_name;registered_address;authorised_emails;authorised_domains"


def csv_bytes(*lines, header=HEADER):
    return ("\r\n".join(([header] if header else []) + list(lines)) + "\r\n").encode()


ROWS = [
    'ro 185 472 90;Electro Demo SRL;"Bd. Unirii nr. 10\nBucurești";Office@ElectroDemo.ro, service@electrodemo.ro;'
    "@ElectroDemo.ro electro-demo.com",
    "RO14399840;Dante International SA;;;",
    "GR094259216;Hellas Parts AE;Athens;;hellas.gr",
]


def stored():
    return {
        c.vat_id: (c.legal_name, c.registered_address, c.authorised_emails, c.authorised_domains)
        for c in Customer.objects.all()
    }


def test_customers_are_imported_normalised():
    report = customers_import(csv_bytes(*ROWS))
    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert stored() == {
        "RO18547290": (
            "Electro Demo SRL",
            "Bd. Unirii nr. 10\nBucurești",
            "office@electrodemo.ro\nservice@electrodemo.ro",
            "electrodemo.ro\nelectro-demo.com",
        ),
        "RO14399840": ("Dante International SA", "", "", ""),
        "EL094259216": ("Hellas Parts AE", "Athens", "", "hellas.gr"),
    }
    demo = Customer.objects.get(vat_id="RO18547290")
    assert demo.authorises("SERVICE@electrodemo.ro") and demo.authorises("ana@electro-demo.com")
    assert not demo.authorises("ana@example.com")


def test_importing_again_writes_nothing_and_a_change_updates_by_vat_id():
    customers_import(csv_bytes(*ROWS))
    stamps = dict(Customer.objects.values_list("vat_id", "updated_at"))
    again = customers_import(csv_bytes(*ROWS))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert dict(Customer.objects.values_list("vat_id", "updated_at")) == stamps

    changed = customers_import(csv_bytes(ROWS[0], "RO14399840;Dante International SA;Str. Nouă 1;;emag.ro"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert stored()["RO14399840"] == ("Dante International SA", "Str. Nouă 1", "", "emag.ro")
    assert Customer.objects.count() == 3  # a file without a customer does not delete it


def test_existing_companies_take_the_name_and_address_of_the_master():
    company = Company.objects.create(vat_id="RO18547290", legal_name="RO18547290")
    other = Company.objects.create(vat_id="RO2816464", legal_name="Not in the file")
    report = customers_import(csv_bytes(*ROWS))
    assert report.companies_updated == 1
    company.refresh_from_db()
    other.refresh_from_db()
    assert (company.legal_name, company.registered_address) == ("Electro Demo SRL", "Bd. Unirii nr. 10\nBucurești")
    assert other.legal_name == "Not in the file"
    assert customers_import(csv_bytes(*ROWS)).companies_updated == 0


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written():
    rows = [
        *ROWS,
        "RO18547291;Bad check digit SRL;;;",  # row 5
        "18547290;No prefix SRL;;;",  # row 6
        "RO2816464;;;;",  # row 7: no name
        "RO6859662;Mail SRL;;ana@;",  # row 8
        "RO6859662;Mail SRL;;;firma",  # row 9: a domain without a dot, and the VAT id of row 8
        "RO6859662;Mail SRL;;;http://firma.ro",  # row 10
        "RO18547290;Twice SRL;;;",  # row 11: the VAT id of row 2
    ]
    report = customers_import(csv_bytes(*rows))
    assert [(e.row, e.column) for e in report.errors] == [
        (5, "VAT id"),
        (6, "VAT id"),
        (7, "Legal name"),
        (8, "Authorised e-mail addresses"),
        (9, "Authorised e-mail domains"),
        (9, "VAT id"),
        (10, "Authorised e-mail domains"),
        (10, "VAT id"),
        (11, "VAT id"),
    ]
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "RO18547291" in messages[(5, "VAT id")] and "country prefix" in messages[(5, "VAT id")]
    assert "“ana@” is not a valid e-mail address" in messages[(8, "Authorised e-mail addresses")]
    assert "without @" in messages[(9, "Authorised e-mail domains")]
    assert messages[(11, "VAT id")] == "Row 2 already has this VAT id."
    assert Customer.objects.count() == 0


def test_a_romanian_header_and_a_file_without_header():
    romanian = "cod_fiscal;denumire;sediu_social;adrese_email_autorizate;domenii_email_autorizate"
    assert customers_import(csv_bytes(ROWS[1], header=romanian)).created == 1
    assert customers_import(csv_bytes(ROWS[2], header=None)).created == 1
    assert CustomersImport.template_csv("ro").startswith("\ufeff" + romanian + "\r\n")
    assert CustomersImport.template_csv("en").startswith("\ufeff" + HEADER + "\r\n")


def test_management_command(tmp_path, capsys):
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(*ROWS))
    call_command("import_customers", str(path), "--dry-run")
    assert Customer.objects.count() == 0
    call_command("import_customers", str(path))
    assert "3 rows: 3 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    path.write_bytes(csv_bytes("RO18547291;Bad SRL;;;"))
    with pytest.raises(CommandError, match="1 errors in 1 rows; nothing was imported"):
        call_command("import_customers", str(path))
    assert "row 2, column VAT id" in capsys.readouterr().err


@pytest.fixture
def admin_client(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return client


def test_admin_import_page_with_template(admin_client):
    url = reverse("admin:accounts_customer_import")
    assert url in admin_client.get(reverse("admin:accounts_customer_changelist")).content.decode()
    template = admin_client.get(reverse("admin:accounts_customer_import_template"))
    assert template["Content-Disposition"] == 'attachment; filename="customers-template.csv"'
    assert template.content.decode("utf-8-sig").startswith(HEADER)

    page = admin_client.get(url)
    assert page.status_code == 200 and "Import customers from CSV" in page.content.decode()
    bad = admin_client.post(url, {"file": SimpleUploadedFile("c.csv", csv_bytes(ROWS[0], "RO1;X;;;"))})
    assert "Nothing was imported" in bad.content.decode() and Customer.objects.count() == 0
    done = admin_client.post(url, {"file": SimpleUploadedFile("c.csv", csv_bytes(*ROWS))}, follow=True)
    assert "3 rows imported: 3 new" in done.content.decode()
    assert Customer.objects.count() == 3


def test_partners_and_plain_staff_cannot_import(client, owner, staff):
    url = reverse("admin:accounts_customer_import")
    client.force_login(owner)
    assert client.get(url).status_code == 302
    client.force_login(staff)  # staff without the customer permissions
    assert client.get(url).status_code == 403
    assert client.get(reverse("admin:accounts_customer_import_template")).status_code == 403
