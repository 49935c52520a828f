"""The partner API in a browser: the administrator creates a key (shown once) and revokes it; the API's
documentation page runs from our own static files under the strict CSP."""

import pytest
from django.test import Client

from api.models import CompanyAPIKey
from claims import demo
from tests.browser import check_page, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo_data(db):
    demo.load()


def test_the_administrator_creates_and_revokes_a_key(page, live_server, demo_data):
    login(page, live_server, "partener", demo.DEMO_PASSWORD_PARTNER)
    page.goto(f"{live_server.url}/company/")
    page.get_by_role("link", name="Chei API").click()
    page.wait_for_url(f"{live_server.url}/company/api-keys/")
    page.fill("#id_name", "ERP")
    page.select_option("#id_scope", "read_write")
    page.locator("main form button[type=submit]").last.click()
    secret = page.locator("#new-api-key").inner_text().strip()
    key = CompanyAPIKey.objects.get(name="ERP")
    assert secret.startswith(key.prefix + ".")
    check_page(page, "api-keys")
    api = Client(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    assert api.get("/api/v1/claims/").status_code == 200
    page.reload()
    assert secret not in page.content()
    page.get_by_role("button", name="Revocați ERP").click()
    page.wait_for_load_state("networkidle")
    assert api.get("/api/v1/claims/").status_code == 401


def test_the_documentation_page_runs_under_the_csp(page, live_server):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("request", lambda r: problems.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock", timeout=15000)
    assert page.locator(".opblock").count() >= 10
    assert problems == []
