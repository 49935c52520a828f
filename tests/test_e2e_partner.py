"""The demo partner's day, in a real browser: warranty and serial checks, a claim
with two products and two files, the label, the search box, the CSV import."""

import io
import re

import pypdfium2
import pytest
import zxingcpp
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from playwright.sync_api import expect

from claims import demo
from claims.models import Claim, Status
from claims.tests.factories import pdf_bytes, png_bytes
from tests.browser import SCREENSHOTS, check_page, login
from warranty import demo as w

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_data(db):
    demo.load()


def ro(message):
    """What the partner reads: the demo partner's pages are in Romanian."""
    with translation.override("ro"):
        return gettext(message)


def login_partner(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "partener", demo.DEMO_PASSWORD_PARTNER, landing="/")


def test_dashboard_lookups(page, live_server, demo_data):
    login_partner(page, live_server)
    check_page(page, "10-dashboard")

    page.fill("#id_ean", w.DEMO_EAN_IN_WARRANTY)
    page.keyboard.press("Enter")
    expect(page.locator("#warranty-result .verdict")).to_contain_text(ro("In warranty"))
    check_page(page, "11-warranty-in")

    page.fill("#id_ean", w.DEMO_EAN_EXPIRED)
    page.keyboard.press("Enter")
    expect(page.locator("#warranty-result .verdict")).to_contain_text(ro("Warranty expired"))
    check_page(page, "12-warranty-expired")

    page.fill("#id_ean", "5901234123458")
    page.keyboard.press("Enter")
    page.locator("#id_ean_error").wait_for()
    check_page(page, "13-warranty-bad-ean", mobile=False)

    page.fill("#id_serial", w.DEMO_SERIAL_OWN)
    page.keyboard.press("Enter")
    expect(page.locator("#serial-result")).to_contain_text(
        f"{ro('Found')} {w.DEMO_SERIAL_OWN} {ro('was sold to your company.')}"
    )
    check_page(page, "14-serial-own")

    page.fill("#id_serial", w.DEMO_SERIAL_OTHER)
    page.keyboard.press("Enter")
    expect(page.locator("#serial-result")).to_contain_text(ro("Not found"))
    assert w.DEMO_SERIAL_OTHER in page.locator("#serial-result").inner_text()
    check_page(page, "15-serial-other-company")


def test_claim_with_two_products_label_and_search(page, live_server, demo_data, tmp_path):
    login_partner(page, live_server)
    page.get_by_role("link", name=re.compile("Deschideți o cerere nouă")).click()
    page.wait_for_url(f"{live_server.url}/claims/new/")
    check_page(page, "20-claim-new")

    # Product 1: needs a serial and a fault type (typed EAN shows the fields).
    page.fill("#id_lines-0-ean", w.DEMO_EAN_NEEDS_SERIAL_AND_FAULT)
    page.locator("#id_lines-0-fault_type").wait_for()
    page.select_option("#id_lines-0-fault_type", index=1)
    page.fill("#id_lines-0-serial", "E2E-SERIAL-0001")
    page.fill("#id_lines-0-document_date", "2026-09-01")
    page.fill("#id_lines-0-description", "Does not charge; the display stays dark.")

    # Product 2: an accessory with a quantity.
    page.locator("[data-add-line]").click()
    page.fill("#id_lines-1-ean", w.DEMO_EAN_ACCESSORY_QTY)
    page.locator("#id_lines-1-quantity").wait_for()
    page.fill("#id_lines-1-quantity", "3")
    page.fill("#id_lines-1-document_date", "2026-09-01")
    page.fill("#id_lines-1-description", "Cables do not charge.")

    warranty = page.locator("#id_claim_type option", has_text=re.compile("garanție|Warranty", re.I)).first
    page.select_option("#id_claim_type", warranty.get_attribute("value"))
    page.fill("#id_own_number", "E2E-42")
    page.fill("#id_package_contents", "Device and charger")
    invoice = tmp_path / "factura.pdf"
    invoice.write_bytes(pdf_bytes())
    photo = tmp_path / "poza.png"
    photo.write_bytes(png_bytes((400, 300)))
    page.set_input_files("#id_sales_documents", str(invoice))
    page.set_input_files("#id_photos", str(photo))
    check_page(page, "21-claim-filled", mobile=False)
    page.locator("#claim-form button[type=submit].btn-lg").click()
    page.wait_for_load_state("networkidle")
    if page.locator("#id_confirm_warranty").count():
        # Not bought by the demo company: the warranty type asks for a confirmation (the kept files stay ticked).
        page.check("#id_confirm_warranty")
        page.locator("#claim-form button[type=submit].btn-lg").click()

    page.wait_for_url(re.compile(r"/claims/\d+/registered/"))
    claim = Claim.objects.get(owner__username="partener", own_number="E2E-42")
    assert page.locator("#rma-number").inner_text() == claim.rma_number
    assert claim.status == Status.REGISTERED and claim.lines.count() == 2 and claim.attachments.count() == 2
    assert [line.quantity for line in claim.lines.order_by("position")] == [1, 3]
    assert any(claim.rma_number in m.subject for m in mail.outbox)
    check_page(page, "22-claim-registered")

    # The label: a PDF whose barcode and QR code scan.
    response = page.request.get(f"{live_server.url}/claims/{claim.pk}/label.pdf")
    assert response.headers["content-type"] == "application/pdf"
    document = pypdfium2.PdfDocument(response.body())
    image = document[0].render(scale=3).to_pil()
    image.save(SCREENSHOTS / "23-label.png")
    decoded = {(str(r.format).replace(" ", ""), r.text) for r in zxingcpp.read_barcodes(image)}
    assert any("Code128" in f and t == claim.rma_number for f, t in decoded), decoded
    assert any("QR" in f and t.endswith(f"/claims/{claim.pk}/") for f, t in decoded), decoded

    # Find it again from the dashboard: by RMA number, by serial, by own number.
    for query in (claim.rma_number.lower().replace("/", " / "), "e2e-serial-0001", "E2E-42"):
        page.goto(f"{live_server.url}/")
        page.fill("#id_q", query)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{live_server.url}/claims/{claim.pk}/")
    check_page(page, "24-claim-detail")

    page.goto(f"{live_server.url}/claims/")
    check_page(page, "25-claim-list")


def test_claim_form_errors_are_summarised(page, live_server, demo_data, tmp_path):
    login_partner(page, live_server)
    page.goto(f"{live_server.url}/claims/new/")
    page.fill("#id_lines-0-ean", w.DEMO_EAN_NEEDS_SERIAL_AND_FAULT)
    page.fill("#id_lines-0-description", "Kept text")
    invoice = tmp_path / "factura-martie.pdf"
    invoice.write_bytes(pdf_bytes())
    page.set_input_files("#id_sales_documents", str(invoice))
    page.locator("#claim-form button[type=submit].btn-lg").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.input_value("#id_lines-0-description") == "Kept text"
    # The invoice passed its checks: it is kept, ticked, and not asked for again.
    kept = page.locator("input[name=held]")
    assert kept.count() == 1 and kept.is_checked()
    assert "factura-martie.pdf" in page.locator("#files-title").locator("..").inner_text()
    assert page.locator("#id_sales_documents_error").count() == 0
    check_page(page, "26-claim-errors")
    assert Claim.objects.filter(owner__username="partener").count() == 3  # only the demo claims


def test_csv_import_attach_and_handover(page, live_server, demo_data, tmp_path):
    login_partner(page, live_server)
    page.goto(f"{live_server.url}/claims/import/")
    check_page(page, "30-import")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("șablonul|template", re.I)).click()
    template = download_info.value.path().read_text(encoding="utf-8-sig")
    header = template.splitlines()[0]
    rows = [
        f"IMP-1;{w.DEMO_EAN_IN_WARRANTY};CSV-SN-1;2026-10-01;Nu pornește;Reparație",
        f'IMP-2;{w.DEMO_EAN_IN_WARRANTY};CSV-SN-2;2026-10-02;"Se oprește,\napoi repornește";Înlocuire',
        f"IMP-3;{w.DEMO_EAN_IN_WARRANTY};CSV-SN-3;2026-10-03;Zgomot;",
    ]
    csv_path = tmp_path / "cereri.csv"
    csv_path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8-sig")
    page.set_input_files("#id_file", str(csv_path))
    page.select_option("#id_claim_type", index=1)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/claims/import/\d+/$"))
    imported = list(Claim.objects.filter(own_number__startswith="IMP-").order_by("rma_seq"))
    assert len(imported) == 3 and all(c.status == Status.AWAITING_DOCUMENTS for c in imported)
    body = page.locator("main").inner_text()
    assert all(c.rma_number in body for c in imported)
    check_page(page, "31-import-result")

    invoice = tmp_path / "factura.pdf"
    invoice.write_bytes(pdf_bytes())
    page.set_input_files("#id_document", str(invoice))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert all(Claim.objects.get(pk=c.pk).status == Status.REGISTERED for c in imported)
    check_page(page, "32-import-attached")

    href = page.locator("a[href$='handover.pdf']").get_attribute("href")
    response = page.request.get(live_server.url + href)
    document = pypdfium2.PdfDocument(response.body())
    image = document[0].render(scale=3).to_pil()
    image.save(SCREENSHOTS / "33-handover.png")
    texts = {r.text for r in zxingcpp.read_barcodes(image)}
    assert {c.rma_number for c in imported} <= texts


def test_no_horizontal_scroll_and_keyboard_menu_at_360(page, live_server, demo_data):
    login_partner(page, live_server)
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/")
    toggler = page.locator(".navbar-toggler")
    toggler.focus()
    page.keyboard.press("Enter")
    page.locator("#main-menu.show").wait_for()
    assert page.locator("#main-menu a[href='/claims/']").is_visible()
    Image.open(io.BytesIO(page.screenshot())).save(SCREENSHOTS / "40-menu-360.png")
