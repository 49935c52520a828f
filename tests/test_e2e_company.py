"""Colleagues in a browser: the demo partner's administrator invites a colleague, the colleague signs
up from the invitation, both work on the same claims; a stranger typing the company's VAT id waits,
sees no purchase data, and sees it only once the administrator approves."""

import re

import pytest
from django.core import mail

from accounts.models import MembershipState, User
from claims import demo
from claims.models import Claim
from claims.tests.factories import pdf_bytes
from tests.browser import check_page
from warranty import demo as w

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Reparatii-2026!"


@pytest.fixture
def demo_data(db):
    demo.load()


def login(page, live_server, username, password):
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")


def link_in(message, pattern):
    url = re.search(pattern, message.body).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def fill_signup(page, *, first, last, email, username, vat=None):
    if vat:
        page.select_option("#id_client_type", "b2b")
        page.select_option("#id_vat_country", vat[:2])
        page.fill("#id_vat_number", vat[2:])
    page.fill("#id_first_name", first)
    page.fill("#id_last_name", last)
    if email:
        page.fill("#id_email", email)
    page.fill("#id_phone_1", "0721 234 567")
    page.fill("#id_username", username)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_terms")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def open_claim(page, live_server, own_number, serial, tmp_path):
    page.goto(f"{live_server.url}/claims/new/")
    page.fill("#id_lines-0-ean", w.DEMO_EAN_NEEDS_SERIAL_AND_FAULT)
    page.locator("#id_lines-0-fault_type").wait_for()
    page.select_option("#id_lines-0-fault_type", index=1)
    page.fill("#id_lines-0-serial", serial)
    page.fill("#id_lines-0-document_date", "2026-09-01")
    page.fill("#id_lines-0-description", "Does not start.")
    page.select_option("#id_claim_type", index=1)
    page.fill("#id_own_number", own_number)
    invoice = tmp_path / f"{own_number}.pdf"
    invoice.write_bytes(pdf_bytes())
    page.set_input_files("#id_sales_documents", str(invoice))
    page.locator("#claim-form button[type=submit].btn-lg").click()
    page.wait_for_load_state("networkidle")
    if page.locator("#id_confirm_warranty").count():
        # A serial the company did not buy: the warranty type asks for a confirmation (the kept file stays ticked).
        page.check("#id_confirm_warranty")
        page.locator("#claim-form button[type=submit].btn-lg").click()
    page.wait_for_url(re.compile(r"/claims/\d+/registered/"))
    return Claim.objects.get(own_number=own_number)


def test_colleagues_share_claims_and_a_stranger_waits(page, live_server, demo_data, tmp_path):
    # The administrator (the demo partner) opens a claim, then invites a colleague.
    login(page, live_server, "partener", demo.DEMO_PASSWORD_PARTNER)
    first = open_claim(page, live_server, "COMP-1", "COMPANY-SN-1", tmp_path)
    page.get_by_role("link", name="Firmă").first.click()
    page.wait_for_url(f"{live_server.url}/company/")
    check_page(page, "70-company-page")
    mail.outbox.clear()
    page.fill("#id_email", "dan@electro-demo.ro")
    page.get_by_role("button", name="Trimiteți invitația").click()
    page.wait_for_url(f"{live_server.url}/company/")
    assert "dan@electro-demo.ro" in page.locator("main").inner_text()
    check_page(page, "71-company-invited")
    (invitation,) = [m for m in mail.outbox if m.to == ["dan@electro-demo.ro"]]
    accept = link_in(invitation, r"https?://\S+/invitation/\S+/")

    # The colleague signs up from the invitation: the company is set, no confirmation e-mail is needed.
    page.context.clear_cookies()
    page.goto(live_server.url + accept)
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    assert page.input_value("#id_email") == "dan@electro-demo.ro"
    assert page.input_value("#id_vat_number") == "18547290"
    check_page(page, "72-signup-from-invitation")
    fill_signup(page, first="Dan", last="Coleg", email=None, username="dan")
    dan = User.objects.get(username="dan")
    assert dan.membership.state == MembershipState.ACTIVE
    login(page, live_server, "dan", PASSWORD)
    page.goto(f"{live_server.url}/claims/")
    assert first.rma_number in page.locator("main").inner_text()
    assert "Ana Popescu" in page.locator("main").inner_text()
    check_page(page, "73-colleague-sees-claims")
    second = open_claim(page, live_server, "COMP-2", "COMPANY-SN-2", tmp_path)
    assert second.company == first.company and second.owner == dan

    # The administrator sees the colleague's claim, with who opened it.
    login(page, live_server, "partener", demo.DEMO_PASSWORD_PARTNER)
    page.goto(f"{live_server.url}/claims/")
    text = page.locator("main").inner_text()
    assert second.rma_number in text and "Dan Coleg" in text
    page.goto(f"{live_server.url}{second.get_absolute_url()}")
    assert "Dan Coleg" in page.locator("main").inner_text()

    # A stranger signs up with the company's VAT id: pending, no purchases, no claims.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/signup/")
    mail.outbox.clear()
    fill_signup(page, first="Ion", last="Strain", email="ion@gmail.com", username="ion", vat="RO18547290")
    confirm = link_in(mail.outbox[-1], r"https?://\S+/accounts/confirm-email/\S+/")
    page.goto(live_server.url + confirm)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    login(page, live_server, "ion", PASSWORD)
    main = page.locator("main").inner_text()
    assert "așteptarea aprobării" in main and first.rma_number not in main
    check_page(page, "74-stranger-pending")
    page.fill("#id_ean", w.DEMO_EAN_IN_WARRANTY)
    page.keyboard.press("Enter")
    page.locator("#warranty-result .verdict").wait_for()
    verdict = page.locator("#warranty-result").inner_text()
    assert "nu a fost încă aprobată" in verdict and "Ultima dumneavoastră achiziție" not in verdict
    check_page(page, "75-stranger-warranty-period-only")
    assert page.goto(f"{live_server.url}{first.get_absolute_url()}").status == 404

    # The administrator approves; the stranger now sees the purchases.
    login(page, live_server, "partener", demo.DEMO_PASSWORD_PARTNER)
    page.goto(f"{live_server.url}/company/")
    assert "Ion Strain" in page.locator("main").inner_text()
    check_page(page, "76-company-request")
    page.get_by_role("button", name=re.compile("Aprobați Ion Strain")).click()
    page.wait_for_url(f"{live_server.url}/company/")
    login(page, live_server, "ion", PASSWORD)
    page.fill("#id_ean", w.DEMO_EAN_IN_WARRANTY)
    page.keyboard.press("Enter")
    page.locator("#warranty-result .badge.text-bg-success").wait_for()
    assert first.rma_number in page.locator("main").inner_text()
