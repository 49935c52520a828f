"""The partner finds claims: partial search, filters, sorting and export, at 1280 and 360 px (issue 11.3, 11.8)."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from claims import demo
from claims.models import Claim
from tests.browser import check_page, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_data(db):
    demo.load()


@pytest.mark.parametrize("language", ["ro", "en"])
def test_the_partner_filters_sorts_and_exports(page, live_server, demo_data, language):
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "partener", demo.DEMO_PASSWORD_PARTNER, landing="/")
    page.goto(f"{live_server.url}/claims/?q=ed10&sort=rma&opened_from=2020-01-01")
    rows = page.locator("table.claim-table tbody tr")
    expect(rows).to_have_count(3)
    check_page(page, f"40-claim-list-filtered-{language}")
    # The heading sorts the other way round and says so.
    page.locator("th[aria-sort=ascending] a").click()
    expect(page.locator("th[aria-sort=descending]")).to_have_count(1)
    assert "q=ed10" in page.url and "opened_from=2020-01-01" in page.url
    # Part of a serial finds one claim.
    serial = Claim.objects.get(own_number="ED-102").lines.get().serial
    page.fill("#id_q", serial[-6:].lower())
    page.locator("form[role=search] button[type=submit]").click()
    expect(rows).to_have_count(1)
    # A wrong date is shown on its field, the page still answers.
    page.goto(f"{live_server.url}/claims/?opened_to=2026-02-31&status=diagnosis")
    expect(page.locator("#id_opened_to_error")).to_be_visible()
    expect(rows).to_have_count(1)
    check_page(page, f"41-claim-list-bad-date-{language}")
    with page.expect_download() as download:
        page.locator("a[href^='/claims/export.xlsx']").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.goto(f"{live_server.url}{Claim.objects.get(own_number='ED-102').get_absolute_url()}")
    check_page(page, f"42-claim-detail-{language}")
