"""Issue 10.7: no 500 from uploaded or stored data."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import Claim
from claims.tests.conftest import catalogue, owner_address  # noqa: F401 - fixtures
from warranty.models import Sale
from warranty.tests.factories import ProductFactory, gtin

pytestmark = pytest.mark.django_db

NOT_CSV = "This is not a CSV text file"


def nul_after_4_kb(row, nul_row, repeat=200):
    """A file of right rows (``row(n)``) whose NUL sits in a last row far past the first 4 KB."""
    text = "\r\n".join(row(n) for n in range(1, repeat + 1)) + "\r\n"
    assert len(text) > 4096
    return (text + nul_row + "\r\n").encode()


def test_claims_import_refuses_a_nul_past_the_first_4_kb(owner, catalogue, owner_address):  # noqa: F811
    from claims.csv_import import claims_import_csv
    from claims.services import ReturnAddress

    day = (datetime.date.today() - datetime.timedelta(days=10)).isoformat()
    drone = catalogue["drone"].ean
    raw = nul_after_4_kb(
        lambda n: f"PR-{n},{drone},1SDJK7R0A1{n:04d},{day},Gimbal blocked after a fall,Repair",
        f"PR-X,{drone},1SDJK7R0A19999,{day},Gimbal\x00 blocked,Repair",
        repeat=60,
    )
    result = claims_import_csv(
        user=owner,
        uploaded=SimpleUploadedFile("claims.csv", raw, content_type="text/csv"),
        claim_type=catalogue["warranty_type"],
        return_address=ReturnAddress.from_address(owner_address),
    )
    assert not result.ok
    assert NOT_CSV in result.file_error
    assert Claim.objects.count() == 0


@pytest.mark.parametrize("kind", ["sales", "products"])
def test_catalogue_imports_refuse_a_nul_past_the_first_4_kb(kind):
    from warranty.imports import run_import

    product = ProductFactory(ean=gtin(1))
    if kind == "sales":
        raw = nul_after_4_kb(
            lambda n: f"RO18547290;F-{n};2026-03-01;{product.ean};1", f"RO18547290;F-\x00X;2026-03-01;{product.ean};1"
        )
    else:
        raw = nul_after_4_kb(lambda n: f"{gtin(n + 10)};Drone {n};DJI;24", f"{gtin(2)};Dro\x00ne;DJI;24")
    report = run_import(kind, raw, today=datetime.date(2026, 11, 25))
    assert not report.ok
    assert NOT_CSV in report.file_error
    assert Sale.objects.count() == 0


@pytest.mark.parametrize("day", [datetime.date(9999, 12, 31), datetime.date(9999, 1, 1), datetime.date(1, 1, 1)])
def test_lookups_never_fail_on_any_stored_date(owner_client, day):
    from warranty.tests.factories import SaleFactory, SoldSerialFactory

    product = ProductFactory(ean=gtin(7), warranty_months=36)
    SaleFactory(product=product, invoice_date=day)
    SoldSerialFactory(product=product, serial="SNFAR0001", invoice_date=day)

    response = owner_client.get("/", {"ean": product.ean})
    assert response.status_code == 200
    assert response.context["warranty"].warranty_end is not None
    response = owner_client.get("/", {"serial": "SNFAR0001"})
    assert response.status_code == 200
    assert response.context["serial"].found


def test_add_months_reaches_the_last_date_instead_of_failing():
    from warranty.selectors import add_months

    assert add_months(datetime.date(9999, 12, 31), 24) == datetime.date.max
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)


@pytest.mark.parametrize("model", ["sale", "soldserial"])
def test_the_admin_refuses_invoice_dates_past_tomorrow(client, staff, model):
    from django.utils import timezone

    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    product = ProductFactory(ean=gtin(8))
    data = {
        "buyer_vat_id": "RO18547290",
        "invoice_number": "FV-1",
        "product": product.pk,
        "quantity": 1,
        "serial": "SN-ADMIN-1",
    }
    url = f"/admin/warranty/{model}/add/"
    far = client.post(url, {**data, "invoice_date": "9999-12-31"})
    assert far.status_code == 200
    assert "invoice_date" in far.context["adminform"].form.errors

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    day_after = tomorrow + datetime.timedelta(days=1)
    assert (
        "invoice_date"
        in client.post(url, {**data, "invoice_date": day_after.isoformat()}).context["adminform"].form.errors
    )
    assert client.post(url, {**data, "invoice_date": tomorrow.isoformat()}).status_code == 302
