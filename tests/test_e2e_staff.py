"""A technician works a claim in the admin while the partner follows it."""

import re

import pytest
from django.core import mail
from django.utils import translation

from claims import demo
from claims.models import Claim, QuoteDecision, Status
from tests.browser import check_page, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def staff_change(page, live_server, claim, status, shot, **fields):
    page.goto(f"{live_server.url}/admin/claims/claim/{claim.pk}/change/")
    page.select_option("#id_new_status", status)
    page.fill("#id_note", fields.pop("note", ""))
    for name, value in fields.items():
        if name == "new_quote_currency" or name.endswith("-outcome"):
            page.select_option(f"#id_{name}", value)
        else:
            page.fill(f"#id_{name}", value)
    check_page(page, shot, mobile=False)
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state("networkidle")
    claim.refresh_from_db()
    assert claim.status == status, page.locator("#content").inner_text()[:2000]


def test_technician_and_partner_follow_a_paid_repair(page, live_server, db):
    demo.load()
    page.set_viewport_size({"width": 1280, "height": 900})
    claim = Claim.objects.filter(owner__username="partener", status=Status.REGISTERED).first()
    before = len(mail.outbox)

    login(page, live_server, "service", demo.DEMO_PASSWORD_STAFF)
    page.goto(f"{live_server.url}/admin/claims/claim/")
    check_page(page, "50-admin-claims", mobile=False)
    page.goto(f"{live_server.url}/admin/claims/claim/overview/")
    check_page(page, "51-admin-overview", mobile=False)

    staff_change(page, live_server, claim, Status.RECEIVED, "52-admin-receive", note="Coletul a sosit.")
    staff_change(page, live_server, claim, Status.DIAGNOSIS, "53-admin-diagnosis")
    staff_change(
        page,
        live_server,
        claim,
        Status.WAITING_CUSTOMER,
        "54-admin-quote",
        note="Placa de bază trebuie înlocuită.",
        new_quote_amount="349.00",
        new_quote_currency="RON",
        new_quote_text="Placă de bază nouă, manopera inclusă.",
    )

    login(page, live_server, "partener", demo.DEMO_PASSWORD_PARTNER)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    quote = page.locator(".quote-card").inner_text()
    assert re.search(r"\b349[.,]00 RON\b", quote) and "Placă de bază nouă, manopera inclusă." in quote
    check_page(page, "55-partner-quote")
    page.locator("button[name=decision][value=accept]").click()
    page.wait_for_load_state("networkidle")
    check_page(page, "55b-partner-quote-confirm")
    page.locator("button[name=confirmed][value=yes]").click()
    page.wait_for_load_state("networkidle")
    claim.refresh_from_db()
    assert claim.quote_decision == QuoteDecision.ACCEPTED

    login(page, live_server, "service", demo.DEMO_PASSWORD_STAFF)
    staff_change(page, live_server, claim, Status.REPAIR, "56-admin-repair")
    staff_change(page, live_server, claim, Status.RESOLVED, "57-admin-resolve", **{"lines-0-outcome": "repaired"})
    staff_change(page, live_server, claim, Status.SHIPPED_BACK, "58-admin-ship", new_return_tracking="FAN-RET-998877")

    login(page, live_server, "partener", demo.DEMO_PASSWORD_PARTNER)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    timeline = page.locator(".timeline").inner_text()
    with translation.override("ro"):
        labels = [
            str(s.label)
            for s in (
                Status.RECEIVED,
                Status.DIAGNOSIS,
                Status.WAITING_CUSTOMER,
                Status.REPAIR,
                Status.RESOLVED,
                Status.SHIPPED_BACK,
            )
        ]
    for label in labels:
        assert label in timeline, label
    assert page.locator(".timeline-item").count() >= 8
    assert "FAN-RET-998877" in page.locator("main").inner_text()
    check_page(page, "59-partner-timeline")

    subjects = [m.subject for m in mail.outbox[before:]]
    assert sum(claim.rma_number in s for s in subjects) >= 7
    assert any(m.to == ["service@innpro.ro"] for m in mail.outbox[before:])
    assert re.search(r"349", "".join(m.body for m in mail.outbox[before:]))


def test_technician_imports_sales_from_csv(page, live_server, tmp_path):
    from warranty import demo as catalogue
    from warranty.models import Sale

    demo.load()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "service", demo.DEMO_PASSWORD_STAFF)
    page.goto(f"{live_server.url}/admin/warranty/sale/")
    check_page(page, "60-admin-sales", mobile=False)
    page.get_by_role("link", name=re.compile("Import CSV")).click()
    check_page(page, "61-admin-sales-import", mobile=False)

    before = Sale.objects.count()
    rows = [
        f"RO18547290;INN-2026-09001;2026-11-02;{catalogue.DEMO_EAN_EXPIRED};4",
        "RO18547290;INN-2026-09001;2026-11-02;5901234123458;1",
        f"RO99;INN-2026-09002;2026-11-03;{catalogue.DEMO_EAN_IN_WARRANTY};1",
    ]
    bad = tmp_path / "vanzari.csv"
    bad.write_text("buyer_vat_id;invoice_number;invoice_date;ean;quantity\n" + "\n".join(rows) + "\n")
    page.set_input_files("#id_file", str(bad))
    page.locator("input[type=submit]").click()
    table = page.locator("#import-errors")
    table.wait_for()
    # Rows 3 and 4 of the file are wrong (the header is row 1).
    assert set(table.locator("tbody tr td:first-child").all_inner_texts()) == {"3", "4"}
    assert Sale.objects.count() == before
    check_page(page, "62-admin-sales-import-errors", mobile=False)

    good = tmp_path / "vanzari-corectat.csv"
    good.write_text("\n".join([rows[0], rows[0].replace("09001", "09003")]) + "\n")
    page.set_input_files("#id_file", str(good))
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/admin/warranty/sale/")
    assert Sale.objects.count() == before + 2
    check_page(page, "63-admin-sales-imported", mobile=False)


def test_technician_renames_a_claim_type_in_romanian_only(page, live_server):
    from claims.models import ClaimType

    demo.load()
    claim_type = ClaimType.objects.get(code="doa")
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "service", demo.DEMO_PASSWORD_STAFF)
    page.goto(f"{live_server.url}/admin/claims/claimtype/{claim_type.pk}/change/")
    assert page.input_value("#id_name_en") == "Dead on arrival (DOA)"
    page.fill("#id_name_ro", "Defect la primire (DOA)")
    check_page(page, "64-admin-claim-type", mobile=False)
    page.locator("input[name=_save]").click()
    page.wait_for_url(f"{live_server.url}/admin/claims/claimtype/")
    claim_type.refresh_from_db()
    assert (claim_type.name_ro, claim_type.name_en) == ("Defect la primire (DOA)", "Dead on arrival (DOA)")
