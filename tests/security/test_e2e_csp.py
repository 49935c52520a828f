"""Issue 10.10: the browser tests notice a CSP violation, and the portal's pages cause none."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_blocked_inline_script_is_reported(page, live_server, csp_violations):
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    probe = f"{live_server.url}/csp-probe/"
    page.route(
        probe,
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": policy},
            body='<!doctype html><title>probe</title><button onclick="alert(1)">x</button>'
            "<script>document.title = 'ran'</script>",
        ),
    )
    page.goto(probe)
    page.wait_for_timeout(300)
    assert page.title() == "probe"
    assert any("script-src" in violation for violation in csp_violations), csp_violations
    csp_violations.clear()


def test_the_public_pages_cause_no_violation(page, live_server, csp_violations):
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/terms/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert csp_violations == []
