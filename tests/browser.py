"""Helpers for the browser tests: axe-core on every page, screenshots at two widths."""

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
_axe = Axe()


# A table wider than its box must sit in a scroll container (overflow-x auto) that a keyboard can reach
# (tabindex=0) and a screen reader can name; no cell may clip its text ("01.09.202").
TABLES_THAT_CUT = """() => {
  const problems = [];
  const visible = e => e.getClientRects().length > 0;
  for (const table of document.querySelectorAll('table')) {
    if (!visible(table)) continue;
    const what = 'table ' + (table.caption ? '"' + table.caption.textContent.trim().slice(0, 40) + '"' : table.className);
    let scroller = null;
    for (let e = table.parentElement; e && e !== document.body; e = e.parentElement) {
      const overflowX = getComputedStyle(e).overflowX;
      if (overflowX === 'auto' || overflowX === 'scroll') { scroller = e; break; }
    }
    const box = scroller || table.parentElement;
    if (table.getBoundingClientRect().width > box.clientWidth + 1) {
      if (!scroller) problems.push(what + ' is wider than its box and does not scroll');
      else if (scroller.getAttribute('tabindex') !== '0') problems.push(what + ' scrolls in a box without tabindex=0');
      else if (!(scroller.getAttribute('aria-label') || scroller.getAttribute('aria-labelledby')))
        problems.push(what + ' scrolls in a box without an accessible name');
    }
    for (const cell of table.querySelectorAll('th, td')) {
      if (visible(cell) && getComputedStyle(cell).overflowX !== 'visible' && cell.scrollWidth > cell.clientWidth + 1)
        problems.push(what + ' clips a cell: ' + cell.textContent.trim().slice(0, 30));
    }
  }
  return problems;
}"""


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
        cut = page.evaluate(TABLES_THAT_CUT)
        assert not cut, f"{name} at 360px: {cut}"
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
