"""The warranty verdict of each line: lookup, warning per claim type, stored when filed, shown everywhere."""

import datetime

import pytest
from django.urls import reverse

from claims import rules, selectors
from claims.models import Claim, ClaimType, LineVerdict
from claims.tests.factories import ClaimFactory, ClaimLineFactory
from claims.tests.test_claim_form import post
from tests.html import text
from warranty.models import Sale
from warranty.tests.factories import BrandFactory, ProductFactory, SaleFactory, SoldSerialFactory

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def product(db):
    return ProductFactory(name="Robot vacuum", brand=BrandFactory(name="Dreame"), warranty_months=24)


def test_bought_in_warranty_by_ean(owner, product):
    SaleFactory(product=product, invoice_date=datetime.date(2025, 3, 15))
    SaleFactory(product=product, invoice_date=datetime.date(2023, 1, 2))
    found = selectors.line_warranty(user=owner, product=product, today=TODAY)
    assert found == rules.LineWarranty(LineVerdict.IN_WARRANTY, datetime.date(2025, 3, 15), datetime.date(2027, 3, 15))


def test_warranty_ended_by_ean(owner, product):
    SaleFactory(product=product, invoice_date=datetime.date(2023, 1, 2))
    found = selectors.line_warranty(user=owner, product=product, today=TODAY)
    assert (found.verdict, found.warranty_until) == (LineVerdict.EXPIRED, datetime.date(2025, 1, 2))


def test_not_bought_and_other_companies_purchases_do_not_count(owner, product):
    SaleFactory(product=product, buyer_vat_id="RO14399840")
    assert selectors.line_warranty(user=owner, product=product, today=TODAY).verdict == LineVerdict.NOT_BOUGHT


def test_nobody_to_ask_gives_no_verdict(staff, product):
    assert selectors.line_warranty(user=staff, product=product, today=TODAY) == rules.LineWarranty()


def test_tracked_serials_are_looked_up_by_serial(owner):
    drone = ProductFactory(brand=BrandFactory(name="DJI", serials_tracked=True, requires_serial=True))
    SaleFactory(product=drone, invoice_date=datetime.date(2026, 10, 1))  # another piece, in warranty
    SoldSerialFactory(serial="OLD1", product=drone, invoice_date=datetime.date(2023, 5, 1))
    assert selectors.line_warranty(user=owner, product=drone, serial="OLD1", today=TODAY).verdict == "expired"
    assert selectors.line_warranty(user=owner, product=drone, serial="NONE", today=TODAY).verdict == "not_bought"
    # Without a serial, the EAN answers.
    assert selectors.line_warranty(user=owner, product=drone, serial="", today=TODAY).verdict == "in_warranty"


def in_warranty(days_ago):
    bought = TODAY - datetime.timedelta(days=days_ago)
    return rules.LineWarranty(LineVerdict.IN_WARRANTY, bought, bought + datetime.timedelta(days=700))


@pytest.mark.parametrize(
    ("covered", "doa_days", "warranty", "warns"),
    [
        (
            True,
            None,
            rules.LineWarranty(LineVerdict.EXPIRED, datetime.date(2023, 1, 1), datetime.date(2025, 1, 1)),
            True,
        ),
        (True, None, rules.LineWarranty(LineVerdict.NOT_BOUGHT), True),
        (True, None, in_warranty(300), False),
        (False, 14, in_warranty(10), False),
        (False, 14, in_warranty(14), False),
        (False, 14, in_warranty(15), True),
        (False, 14, rules.LineWarranty(LineVerdict.NOT_BOUGHT), True),
        (False, None, rules.LineWarranty(LineVerdict.NOT_BOUGHT), False),  # a paid repair
        (True, None, rules.LineWarranty(), False),  # purchases not known: nothing to say
    ],
)
def test_the_claim_type_carries_the_rule(covered, doa_days, warranty, warns):
    claim_type = ClaimType(code="t", name="T", covered_by_warranty=covered, doa_days=doa_days)
    assert bool(rules.check_warranty_claim(claim_type, warranty, today=TODAY)) is warns


def test_a_doa_claim_on_an_old_sale_says_how_old():
    claim_type = ClaimType(code="doa", name="DOA", doa_days=14)
    why = rules.check_warranty_claim(claim_type, in_warranty(300), today=TODAY)
    assert why == "bought 300 days ago, more than the 14 days of a DOA claim"


def test_seeded_types_carry_their_rule(db):
    assert ClaimType.objects.get(code="warranty").covered_by_warranty
    assert ClaimType.objects.get(code="doa").doa_days == 14


def test_out_of_warranty_line_asks_for_confirmation_then_stores_the_verdict(
    owner_client, claim_post, invoice, catalogue
):
    # The vacuum was bought three years ago: its warranty ended.
    Sale.objects.filter(product=catalogue["vacuum"]).delete()
    old = datetime.date.today() - datetime.timedelta(days=3 * 365)
    SaleFactory(product=catalogue["vacuum"], invoice_date=old)
    response = post(owner_client, claim_post(), ("doc", invoice))
    assert response.status_code == 200 and Claim.objects.count() == 0
    page = text(response.content.decode())
    assert "does not fit every product" in page and "Product 2 · Dreame L10s Ultra: warranty ended" in page
    assert 'name="confirm_warranty"' in response.content.decode()

    invoice.seek(0)
    response = post(owner_client, claim_post(confirm_warranty="on"), ("doc", invoice))
    assert response.status_code == 302
    drone, vacuum = Claim.objects.get().lines.order_by("position")
    assert drone.verdict == LineVerdict.IN_WARRANTY and drone.purchase_date is not None
    assert (vacuum.verdict, vacuum.purchase_date) == (LineVerdict.EXPIRED, old)
    assert vacuum.out_of_warranty_when_filed and not drone.out_of_warranty_when_filed


def test_a_paid_repair_type_brings_no_warning(owner_client, claim_post, invoice, catalogue):
    paid = ClaimType.objects.get(code="paid-repair")
    response = post(
        owner_client,
        claim_post(claim_type=str(paid.pk), **{"lines-0-serial": "NEVER-SOLD"}),
        ("doc", invoice),
    )
    assert response.status_code == 302
    assert Claim.objects.get().lines.get(position=1).verdict == LineVerdict.NOT_BOUGHT


def test_the_product_preview_shows_the_verdict_and_no_error_yet(owner_client, catalogue, claim_post):
    html = owner_client.get(
        reverse("claim_line_product"), {"lines-0-ean": catalogue["vacuum"].ean}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Bought by your company on" in text(html) and "in warranty until" in text(html)
    assert "Choose the fault type of this product." not in html and "is-invalid" not in html
    unsold = ProductFactory(name="Unsold", brand=catalogue["vacuum"].brand)
    html = owner_client.get(reverse("claim_line_product"), {"lines-0-ean": unsold.ean}).content.decode()
    assert "Not found in your company's purchases" in text(html)


def test_claim_page_and_admin_show_the_verdict(owner_client, technician_client, owner):
    claim = ClaimFactory(owner=owner)
    ClaimLineFactory(
        claim=claim,
        position=1,
        verdict=LineVerdict.EXPIRED,
        purchase_date=datetime.date(2023, 1, 2),
        warranty_until=datetime.date(2025, 1, 2),
    )
    page = text(owner_client.get(reverse("claim_detail", args=[claim.pk])).content.decode())
    assert "Warranty ended Bought by your company on 2 Jan 2023; the warranty ended on 2 Jan 2025." in page
    admin = text(technician_client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode())
    assert "Warranty ended · bought on" in admin


def test_admin_filters_claims_out_of_warranty_when_filed(technician_client, owner):
    out = ClaimLineFactory(claim=ClaimFactory(owner=owner), verdict=LineVerdict.NOT_BOUGHT).claim
    fine = ClaimLineFactory(claim=ClaimFactory(owner=owner), verdict=LineVerdict.IN_WARRANTY).claim
    html = technician_client.get(reverse("admin:claims_claim_changelist"), {"filed_warranty": "out"}).content.decode()
    assert out.rma_number in html and fine.rma_number not in html
    html = technician_client.get(reverse("admin:claims_claim_changelist"), {"filed_warranty": "in"}).content.decode()
    assert fine.rma_number in html and out.rma_number not in html


def test_preview_quantity_starts_at_one_and_serial_label_names_the_brands(owner_client, catalogue):
    html = owner_client.get(reverse("claim_line_product"), {"lines-3-ean": catalogue["cable"].ean}).content.decode()
    assert 'name="lines-3-quantity" value="1"' in html
    page = owner_client.get(reverse("claim_new")).content.decode()
    assert "Required for DJI products." in text(page)


def test_serial_is_marked_required_for_a_brand_that_needs_it(owner_client, catalogue, claim_post, invoice):
    response = post(owner_client, claim_post(**{"lines-0-serial": ""}), ("doc", invoice))
    html = response.content.decode()
    group = html[html.index('id="id_lines-0-serial_group"') :]
    group = group[: group.index("</div>")]
    assert 'class="required"' in group
    assert "DJI products need the serial number" in text(html)
