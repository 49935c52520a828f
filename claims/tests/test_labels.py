"""The claim label and the batch handover are real PDFs whose barcodes scan."""

import datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.conf import settings

from accounts.tests.factories import UserFactory
from claims.labels import render_batch_handover, render_claim_label
from claims.models import Claim, ClaimLine, ClaimType
from claims.tests.factories import ClaimFactory, ClaimLineFactory
from warranty.models import Brand, FaultType, Product
from warranty.tests.factories import gtin

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
CLAIM_URL = "https://rma.innpro.ro/claims/7/"


def page_image(pdf_bytes, index=0, scale=3, grey=True):
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        image = pdf[index].render(scale=scale).to_pil()
        return image.convert("L") if grey else image.convert("RGB")
    finally:
        pdf.close()


def page_count(pdf_bytes):
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        return len(pdf)
    finally:
        pdf.close()


def page_text(pdf_bytes, index=0):
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        return pdf[index].get_textpage().get_text_range()
    finally:
        pdf.close()


def decoded(image, barcode_format):
    return {b.text for b in zxingcpp.read_barcodes(image) if b.format == barcode_format}


def save_screenshot(image, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SCREENSHOTS / name)


@pytest.fixture
def claim(db):
    owner = UserFactory(username="eltech", first_name="Ștefan", last_name="Țăranu", vat_number="18547290")
    brand = Brand.objects.get_or_create(name="DJI")[0]
    drone = Product.objects.create(
        ean=gtin(987_001),
        name="DJI Mini 4 Pro Fly More Combo Plus (DJI RC 2) with three intelligent flight batteries and shoulder bag",
        brand=brand,
    )
    vacuum = Product.objects.create(ean=gtin(987_002), name="Dreame L10s Ultra", brand=brand)
    fault = FaultType.objects.get_or_create(code="LABEL_TEST", defaults={"name": "Does not turn on"})[0]
    claim_type = ClaimType.objects.get_or_create(code="warranty", defaults={"name": "Warranty repair"})[0]
    claim = Claim.objects.create(
        company=owner.membership.company,
        rma_year=2026,
        rma_seq=7,
        rma_number="RMA/7/SR/2026",
        owner=owner,
        claim_type=claim_type,
        own_number="PR-77",
        waybill="FAN 2026 123456",
        package_contents="Drone, 2 batteries, charger, original box",
        return_name="Electro Demo SRL",
        return_street="Str. Mihai Viteazu nr. 10, ap. 3",
        return_postal_code="030823",
        return_city="București",
        return_country="RO",
        return_phone="+40721000001",
    )
    ClaimLine.objects.create(
        claim=claim,
        position=1,
        product=drone,
        serial="1SDJK7R0A10043",
        document_date=datetime.date(2026, 3, 14),
        description="The gimbal does not move after a fall; the camera shows a gimbal motor overload warning.",
        expectations="Repair under warranty.",
    )
    ClaimLine.objects.create(
        claim=claim,
        position=2,
        product=vacuum,
        serial="",
        quantity=2,
        fault_type=fault,
        document_date=datetime.date(2026, 2, 1),
        description="Does not turn on, the charging light stays off.",
    )
    return claim


def render(claim):
    lines = list(claim.lines.select_related("product", "fault_type").order_by("position"))
    return render_claim_label(claim=claim, lines=lines, claim_url=CLAIM_URL)


def test_label_barcode_and_qr_code_scan(claim):
    pdf = render(claim)
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 1
    image = page_image(pdf)
    save_screenshot(page_image(pdf, grey=False), "label.png")
    assert "RMA/7/SR/2026" in decoded(image, zxingcpp.BarcodeFormat.Code128)
    assert CLAIM_URL in decoded(image, zxingcpp.BarcodeFormat.QRCode)


def test_label_text(claim):
    text = page_text(render(claim))
    for expected in [
        "RMA/7/SR/2026",
        settings.SERVICE_ADDRESS[0],
        "Dreame L10s Ultra",
        "1SDJK7R0A10043",
        gtin(987_002),
        "Unmarked parcels will not be processed.",
        "RO18547290",
        "PR-77",
        "FAN 2026 123456",
        "Warranty repair",
        "Does not turn on",
        "14 Mar 2026",
        "Electro Demo SRL",
    ]:
        assert expected in text, expected
    # Romanian diacritics are printed, not dropped.
    assert "Ștefan Țăranu" in text and "București" in text


def test_label_without_optional_fields(claim):
    claim.own_number = claim.waybill = claim.package_contents = ""
    claim.return_phone = ""
    claim.save()
    text = page_text(render(claim))
    assert "RMA/7/SR/2026" in text and "Package contents" not in text


def test_label_is_translated(claim):
    from django.utils import translation

    with translation.override("ro"):
        pdf = render(claim)
    text = page_text(pdf)
    assert "RMA/7/SR/2026" in text and "Coletele nemarcate nu vor fi procesate." in text
    # Dates in the language's short format: 14.03.2026 in Romanian (14 Mar 2026 in English).
    assert "14.03.2026" in text and "14 Mar 2026" not in text


def test_label_with_many_lines_flows_onto_more_pages(claim):
    product = claim.lines.first().product
    for position in range(3, 25):
        ClaimLine.objects.create(
            claim=claim,
            position=position,
            product=product,
            serial=f"SN{position:04d}",
            document_date=datetime.date(2026, 3, 1),
            description="Broken.",
        )
    pdf = render(claim)
    assert page_count(pdf) > 1
    assert "SN0024" in page_text(pdf, page_count(pdf) - 1)


def test_label_with_very_long_texts_still_renders(claim):
    line = claim.lines.first()
    line.description, line.expectations = "Nu pornește. " * 400, "Înlocuire. " * 450
    line.save()
    pdf = render(claim)
    text = " ".join(page_text(pdf, n) for n in range(page_count(pdf)))
    assert "Nu pornește" in text and "…" in text


def make_batch(owner, count):
    claims = []
    for _ in range(count):
        line = ClaimLineFactory(claim=ClaimFactory(owner=owner), position=1)
        claims.append(line.claim)
    ids = [c.pk for c in claims]
    return list(Claim.objects.filter(pk__in=ids).prefetch_related("lines__product").order_by("rma_year", "rma_seq"))


def test_batch_handover_barcodes_scan(owner):
    claims = make_batch(owner, 3)
    pdf = render_batch_handover(
        claims=claims, base_url="https://rma.innpro.ro", owner=owner, company=owner.membership.company
    )
    assert page_count(pdf) == 1
    image = page_image(pdf)
    save_screenshot(page_image(pdf, grey=False), "batch-handover.png")
    assert decoded(image, zxingcpp.BarcodeFormat.Code128) >= {c.rma_number for c in claims}
    text = page_text(pdf)
    assert settings.SERVICE_ADDRESS[0] in text and "Unmarked parcels will not be processed." in text
    for claim in claims:
        line = claim.lines.all()[0]
        assert claim.rma_number in text and line.product.name in text and line.serial in text


def test_batch_handover_of_many_claims_has_several_pages(owner):
    claims = make_batch(owner, 120)
    pdf = render_batch_handover(
        claims=claims, base_url="https://rma.innpro.ro", owner=owner, company=owner.membership.company
    )
    pages = page_count(pdf)
    assert pages > 1
    last = page_text(pdf, pages - 1)
    assert claims[-1].rma_number in last and f"Page {pages} of {pages}" in last
    # The barcodes of a later page scan as well.
    assert claims[-1].rma_number in decoded(page_image(pdf, pages - 1), zxingcpp.BarcodeFormat.Code128)


def test_label_is_served_from_its_stored_copy_until_the_claim_changes(owner_client, owner, monkeypatch):
    from django.urls import reverse

    from claims import stored_labels

    claim = ClaimLineFactory(claim=ClaimFactory(owner=owner)).claim
    renders = []
    real = stored_labels.render_claim_label

    def counting(**kwargs):
        renders.append(kwargs["claim"].pk)
        return real(**kwargs)

    monkeypatch.setattr(stored_labels, "render_claim_label", counting)
    url = reverse("claim_label", args=[claim.pk])
    first = owner_client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert owner_client.get(url).content == first.content
    assert len(renders) == 1
    claim.refresh_from_db()
    assert claim.label_pdf and claim.label_hash
    claim.waybill = "AWB123"
    claim.save()
    assert owner_client.get(url).status_code == 200
    assert len(renders) == 2
    line = claim.lines.get()
    line.serial = "NEWSERIAL1"
    line.save()
    owner_client.get(url)
    assert len(renders) == 3
    owner_client.get(url)
    assert len(renders) == 3
