"""Helpers for the browser tests: axe-core on every page, screenshots at two widths."""

import functools
import re
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


@functools.cache
def _phrases():
    """{"ro": English texts that must not show on a Romanian page, "en": Romanian texts for an English one}.

    Taken from our catalogue: every entry of three words or more whose translation differs, without
    placeholders or markup (those are cut into pieces on a page).
    """
    from tests.test_translations import PO, entries

    found = {"ro": set(), "en": set()}
    for entry in entries(PO):
        english, romanian = entry["msgid"], entry["msgstr"].get(0, "")
        if not romanian or english == romanian or "fuzzy" in entry["flags"]:
            continue
        for language, text in (("ro", english), ("en", romanian)):
            if len(text.split()) >= 3 and not re.search(r"[%<>{}\n]", text):
                found[language].add(text)
    # A phrase that is also part of a translation in the page's own language is not foreign there.
    for language, other in (("ro", "en"), ("en", "ro")):
        found[language] = {t for t in found[language] if not any(t in own for own in found[other])}
    return found


def _foreign_text(text, language):
    text = " ".join(text.split())
    return sorted(phrase for phrase in _phrases().get(language, ()) if phrase in text)


def check_languages(page, name):
    """The page and the same page in the other language each speak only their own language."""
    from django.conf import settings

    language = page.locator("html").get_attribute("lang")
    foreign = _foreign_text(page.inner_text("body"), language)
    assert not foreign, f"{name} ({language}) shows text of the other language: {foreign}"
    other = "en" if language == "ro" else "ro"
    context = page.context
    base = {c["name"]: c for c in context.cookies(page.url)}
    restore = base.get(settings.LANGUAGE_COOKIE_NAME)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": other, "url": page.url}])
    twin = context.new_page()
    try:
        twin.goto(page.url)
        twin.wait_for_load_state("networkidle")
        shown = twin.locator("html").get_attribute("lang")
        if shown == other:
            foreign = _foreign_text(twin.inner_text("body"), other)
            assert not foreign, f"{name} ({other}) shows text of the other language: {foreign}"
    finally:
        twin.close()
        if restore:
            context.add_cookies([{k: restore[k] for k in ("name", "value", "domain", "path")}])
        else:
            context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)


def check_page(page, name, *, mobile=True):
    """Fail on any axe-core violation or text of the other language; save a desktop and a 360 px screenshot."""
    page.wait_for_load_state("networkidle")
    results = _axe.run(page)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"
    if page.url.startswith("http") and page.locator("html").get_attribute("lang") in ("ro", "en"):
        check_languages(page, name)
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


def htmx_settled(page):
    """Wait until no htmx request is in flight, being swapped or settling. (wait_for_load_state returns at
    once on a page already loaded: it does not wait for htmx.)"""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


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
