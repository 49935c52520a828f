"""Helpers for the browser tests: axe-core on every page, screenshots at two widths."""

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
_axe = Axe()


def check_page(page, name, *, mobile=True):
    """Fail on any axe-core violation; save a desktop and a 360 px screenshot."""
    page.wait_for_load_state("networkidle")
    results = _axe.run(page)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    if mobile:
        size = page.viewport_size
        page.set_viewport_size({"width": 360, "height": 780})
        # Nothing may stick out sideways at 360 px.
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            culprits = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.id || ''))"""
            )
            raise AssertionError(f"{name}: the page is {overflow}px wider than a 360px screen: {culprits}")
        page.screenshot(path=SCREENSHOTS / f"{name}-360.png", full_page=True)
        page.set_viewport_size(size)


def login(page, live_server, username, password, *, landing=None):
    """Log in through the login form, after logging out whoever is logged in; wait for ``landing`` if given."""
    page.goto(f"{live_server.url}/accounts/logout/")
    if page.locator("main form button[type=submit]").count():
        page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").first.click()
    if landing:
        page.wait_for_url(f"{live_server.url}{landing}")
    else:
        page.wait_for_load_state("networkidle")
