"""Two products, one in warranty and one out: the partner confirms the warning, the technician gives each
its own outcome, and the partner reads both (issue 11.1 and 11.2)."""

import re

import pytest
from django.contrib.auth import get_user_model

from claims import demo
from claims.models import Claim, LineVerdict, Status
from claims.services import claim_change_status
from claims.tests.factories import pdf_bytes
from tests.browser import check_page, htmx_settled, login
from tests.test_e2e_staff import staff_change
from warranty import demo as w

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def fill_line(page, index, ean, serial, description):
    page.fill(f"#id_lines-{index}-ean", ean)
    page.locator(f"#lines-{index}-product .line-verdict").wait_for()
    page.fill(f"#id_lines-{index}-serial", serial)
    # The serial's change asks for the product's block again, by the serial, and the answer replaces the
    # fault type's list: choose the fault type once it has come (chosen before, the choice was lost).
    with page.expect_response(lambda response: "/claims/new/line/" in response.url):
        page.locator(f"#id_lines-{index}-serial").blur()
    htmx_settled(page)
    if page.locator(f"#id_lines-{index}-fault_type").count():
        page.select_option(f"#id_lines-{index}-fault_type", index=1)
    page.fill(f"#id_lines-{index}-document_date", "2026-09-01")
    page.fill(f"#id_lines-{index}-description", description)


def test_partner_confirms_the_warning_and_reads_an_outcome_per_product(page, live_server, db, tmp_path):
    demo.load()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "partener", demo.DEMO_PASSWORD_PARTNER, landing="/")
    page.goto(f"{live_server.url}/claims/new/")
    fill_line(page, 0, w.DEMO_EAN_IN_WARRANTY, "ED820NB24A03311", "Left speaker is silent.")
    page.locator("[data-add-line]").click()
    fill_line(page, 1, w.DEMO_EAN_EXPIRED, "DX700-2023-55120", "Does not start.")
    assert "garanție" in page.locator("#lines-0-product .line-verdict").inner_text().lower()
    warranty = page.locator("#id_claim_type option", has_text=re.compile("garanție", re.I)).first
    page.select_option("#id_claim_type", warranty.get_attribute("value"))
    page.fill("#id_own_number", "E2E-LINES")
    invoice = tmp_path / "factura.pdf"
    invoice.write_bytes(pdf_bytes())
    page.set_input_files("#id_sales_documents", str(invoice))
    check_page(page, "70-lines-verdicts", mobile=False)
    # The claim type's choice and the lines' previews ask the server (htmx): submit once they have answered.
    htmx_settled(page)
    page.locator("#claim-form button[type=submit].btn-lg").click()
    page.wait_for_load_state("networkidle")

    # The out-of-warranty product brings a warning that must be confirmed.
    page.locator("#id_confirm_warranty").wait_for(state="attached")
    assert not Claim.objects.filter(own_number="E2E-LINES").exists()
    check_page(page, "71-lines-warning")
    page.check("#id_confirm_warranty")
    page.locator("#claim-form button[type=submit].btn-lg").click()
    page.wait_for_url(re.compile(r"/claims/\d+/registered/"))
    claim = Claim.objects.get(own_number="E2E-LINES")
    verdicts = list(claim.lines.order_by("position").values_list("verdict", flat=True))
    assert verdicts == [LineVerdict.IN_WARRANTY, LineVerdict.EXPIRED]

    staff = get_user_model().objects.get(username="service")
    for status in (Status.RECEIVED, Status.DIAGNOSIS, Status.REPAIR):
        claim_change_status(claim=claim, to=status, by=staff, notify=False)
    login(page, live_server, "service", demo.DEMO_PASSWORD_STAFF)
    staff_change(
        page,
        live_server,
        claim,
        Status.RESOLVED,
        "72-lines-admin-resolve",
        **{
            "lines-0-outcome": "repaired",
            "lines-1-outcome": "returned_unrepaired",
            "lines-1-outcome_reason": "Garanția a expirat; reparația nu a fost acceptată.",
        },
    )
    claim.refresh_from_db()
    assert claim.resolution == "mixed"

    login(page, live_server, "partener", demo.DEMO_PASSWORD_PARTNER, landing="/")
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    outcomes = page.locator(".line-outcome").all_inner_texts()
    assert outcomes[0] == "Reparat" and "Garanția a expirat" in outcomes[1], outcomes
    check_page(page, "73-lines-partner-outcomes")

    # The partner finds the claim again from the claim list by a part of a serial, in English too.
    page.goto(f"{live_server.url}/claims/")
    page.fill("main #id_q", "55120")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert claim.rma_number in page.locator("main").inner_text()
    page.locator("button[name=language][value=en]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    outcomes = page.locator(".line-outcome").all_inner_texts()
    assert outcomes[0] == "Repaired" and "Returned unrepaired" in outcomes[1], outcomes
    check_page(page, "74-lines-partner-outcomes-english")


def test_a_fault_type_chosen_while_the_serial_is_checked_stays_chosen(page, live_server, db):
    """The serial's check brings the product's block back, fault types included: a fault type chosen
    while the check was on its way stays chosen (static/js/portal.js)."""
    demo.load()
    login(page, live_server, "partener", demo.DEMO_PASSWORD_PARTNER, landing="/")
    page.goto(f"{live_server.url}/claims/new/")
    page.fill("#id_lines-0-ean", w.DEMO_EAN_NEEDS_SERIAL_AND_FAULT)
    page.locator("#id_lines-0-fault_type").wait_for()
    held = []

    def hold_the_first(route):  # the serial's check waits until released below
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/claims/new/line/**", hold_the_first)
    page.fill("#id_lines-0-serial", "E2E-KEEP-0001")
    page.locator("#id_lines-0-serial").blur()
    while not held:
        page.wait_for_timeout(50)
    page.select_option("#id_lines-0-fault_type", index=1)
    chosen = page.eval_on_selector("#id_lines-0-fault_type", "select => select.value")
    assert chosen
    with page.expect_response(lambda response: "/claims/new/line/" in response.url):
        held[0].continue_()
    htmx_settled(page)
    assert page.eval_on_selector("#id_lines-0-fault_type", "select => select.value") == chosen
    check_page(page, "75-lines-fault-type-kept", mobile=False)
