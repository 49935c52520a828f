import datetime

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.errors import RuleViolation
from tests.html import text
from warranty.selectors import Verdict, add_months, serial_check, warranty_for_ean
from warranty.tests.factories import BrandFactory, ProductFactory, SaleFactory, SoldSerialFactory, gtin

TODAY = datetime.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2024, 2, 29), 12, datetime.date(2025, 2, 28)),
        (datetime.date(2024, 2, 29), 48, datetime.date(2028, 2, 29)),
        (datetime.date(2025, 8, 31), 6, datetime.date(2026, 2, 28)),
        (datetime.date(2025, 11, 15), 24, datetime.date(2027, 11, 15)),
        (datetime.date(2025, 12, 31), 2, datetime.date(2026, 2, 28)),
    ],
)
def test_add_months_counts_calendar_months(start, months, end):
    assert add_months(start, months) == end


@pytest.fixture
def product(db):
    return ProductFactory(name="DJI Mini 4 Pro", brand=BrandFactory(name="DJI"), warranty_months=24)


def test_latest_purchase_counts(owner, product):
    SaleFactory(product=product, invoice_date=datetime.date(2023, 5, 1))
    SaleFactory(product=product, invoice_date=datetime.date(2025, 6, 10))
    SaleFactory(product=product, invoice_date=datetime.date(2024, 1, 1))
    result = warranty_for_ean(user=owner, raw_ean=product.ean, today=TODAY)
    assert result.last_purchase == datetime.date(2025, 6, 10)
    assert result.warranty_end == datetime.date(2027, 6, 10)
    assert result.verdict == Verdict.IN_WARRANTY


def test_another_companys_purchase_is_ignored(owner, product):
    SaleFactory(product=product, buyer_vat_id="RO14399840", invoice_date=datetime.date(2026, 10, 1))
    result = warranty_for_ean(user=owner, raw_ean=product.ean, today=TODAY)
    assert result.verdict == Verdict.NOT_BOUGHT
    assert result.last_purchase is None


def test_boundary_day_is_still_in_warranty_and_the_next_is_expired(owner, product):
    SaleFactory(product=product, invoice_date=datetime.date(2024, 11, 25))
    assert warranty_for_ean(user=owner, raw_ean=product.ean, today=TODAY).verdict == Verdict.IN_WARRANTY
    expired = warranty_for_ean(user=owner, raw_ean=product.ean, today=TODAY + datetime.timedelta(days=1))
    assert expired.verdict == Verdict.EXPIRED
    assert expired.warranty_end == TODAY


def test_leap_day_purchase(owner, db):
    product = ProductFactory(warranty_months=12)
    SaleFactory(product=product, invoice_date=datetime.date(2024, 2, 29))
    result = warranty_for_ean(user=owner, raw_ean=product.ean, today=datetime.date(2025, 2, 28))
    assert result.warranty_end == datetime.date(2025, 2, 28)
    assert result.verdict == Verdict.IN_WARRANTY


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("59012341234", "13"),
        ("590123412345A", "digits"),
        ("5901234123458", "last digit"),
        ("", "EAN"),
    ],
    ids=["too-short", "letters", "bad-check-digit", "empty"],
)
def test_malformed_ean_has_its_own_message(owner, db, raw, fragment):
    with pytest.raises(RuleViolation) as error:
        warranty_for_ean(user=owner, raw_ean=raw, today=TODAY)
    assert fragment in str(error.value.message)
    assert (error.value.field, error.value.code) == ("ean", "ean_malformed")


def test_unknown_ean_says_it_is_not_in_the_catalogue(owner, db):
    with pytest.raises(RuleViolation) as error:
        warranty_for_ean(user=owner, raw_ean=gtin(999999), today=TODAY)
    assert "catalogue" in str(error.value.message) and error.value.code == "ean_unknown"


@pytest.mark.parametrize(("raw", "fragment"), [("  ", "Type the serial"), ("X" * 101, "at most 100")])
def test_serial_check_says_why_it_cannot_look_up(owner, db, raw, fragment):
    with pytest.raises(RuleViolation) as error:
        serial_check(user=owner, raw_serial=raw, today=TODAY)
    assert fragment in str(error.value.message) and error.value.field == "serial"


def test_ean_with_spaces_is_accepted(owner, product):
    code = f"{product.ean[:1]} {product.ean[1:7]} {product.ean[7:]}"
    assert warranty_for_ean(user=owner, raw_ean=code, today=TODAY).product == product


def test_user_without_vat_sees_product_and_period_only(product):
    from accounts.models import ClientType

    customer = UserFactory(username="client", client_type=ClientType.END_CUSTOMER, vat_country="", vat_number="")
    SaleFactory(product=product)
    result = warranty_for_ean(user=customer, raw_ean=product.ean, today=TODAY)
    assert result.product == product and result.verdict == Verdict.NO_VAT_ID and result.last_purchase is None


def test_staff_without_company_sees_no_purchases(staff, product):
    SaleFactory(product=product)
    result = warranty_for_ean(user=staff, raw_ean=product.ean, today=TODAY)
    assert result.verdict == Verdict.NOT_MEMBER and result.last_purchase is None


def test_serial_sold_to_own_company(owner, product):
    SoldSerialFactory(serial="1SDJK7R0A10043", product=product, invoice_date=datetime.date(2025, 1, 31))
    result = serial_check(user=owner, raw_serial=" 1sdjk7r0a10043 ", today=TODAY)
    assert result.found and result.sold_serial.product == product
    assert result.warranty_end == datetime.date(2027, 1, 31) and result.in_warranty


def test_serial_of_another_company_reveals_nothing(owner, product):
    SoldSerialFactory(serial="3QFBK2C0089921", product=product, buyer_vat_id="RO14399840")
    result = serial_check(user=owner, raw_serial="3QFBK2C0089921", today=TODAY)
    assert not result.found and result.sold_serial is None and result.warranty_end is None


def test_serial_check_lists_tracked_brands(owner, db):
    BrandFactory(name="EcoFlow", serials_tracked=True)
    BrandFactory(name="Edifier", serials_tracked=False)
    tracked = serial_check(user=owner, raw_serial="X", today=TODAY).tracked_brands
    assert "EcoFlow" in tracked and "Edifier" not in tracked


def test_dashboard_lookups_without_javascript(owner_client, product):
    SaleFactory(product=product, invoice_date=datetime.date.today() - datetime.timedelta(days=30))
    html = owner_client.get(reverse("dashboard"), {"ean": product.ean}).content.decode()
    assert "DJI Mini 4 Pro" in html and "verdict-in_warranty" in html
    html = owner_client.get(reverse("dashboard"), {"ean": "123"}).content.decode()
    assert 'id="id_ean_error"' in html and 'aria-describedby="ean-hint id_ean_error"' in html


def test_dashboard_htmx_returns_only_the_result(owner_client, product):
    response = owner_client.get(
        reverse("dashboard"), {"serial": "NOPE"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="serial-result"
    )
    html = response.content.decode()
    assert html.startswith('<div id="serial-result"') and "<html" not in html


@pytest.mark.parametrize("sales", [1, 60])
def test_dashboard_and_lookups_run_constant_queries(owner_client, product, sales, django_assert_max_num_queries):
    for i in range(sales):
        SaleFactory(product=product, invoice_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=i))
        SoldSerialFactory(product=product)
    with django_assert_max_num_queries(9):
        owner_client.get(reverse("dashboard"))
    with django_assert_max_num_queries(8):
        owner_client.get(
            reverse("dashboard"), {"ean": product.ean}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="warranty-result"
        )
    with django_assert_max_num_queries(8):
        owner_client.get(
            reverse("dashboard"), {"serial": "SN00000001"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="serial-result"
        )


def test_search_says_no_claim_found(owner_client):
    html = owner_client.get(reverse("dashboard"), {"q": "RMA/1/SR/2026"}).content.decode()
    assert "No claim found Nothing matches “RMA/1/SR/2026” among your claims." in text(html)


def test_tracked_brands_are_cached_until_a_brand_changes(db, django_assert_num_queries):
    from warranty.selectors import tracked_brands

    brand = BrandFactory(name="Zeta Cache", serials_tracked=True)
    with django_assert_num_queries(1):
        assert "Zeta Cache" in tracked_brands()
    with django_assert_num_queries(0):
        assert "Zeta Cache" in tracked_brands()
    brand.serials_tracked = False
    brand.save()
    assert "Zeta Cache" not in tracked_brands()
    other = BrandFactory(name="Zeta Other", serials_tracked=True)
    assert "Zeta Other" in tracked_brands()
    other.delete()
    assert "Zeta Other" not in tracked_brands()
