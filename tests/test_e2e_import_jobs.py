"""A technician's CSV import runs in the background: the job page with its progress and report, and the job list."""

import re

import pytest
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from claims import demo
from core.models import ImportJob
from tests.browser import check_page, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEADER = "buyer_vat_id;invoice_number;invoice_date;ean;quantity"


def in_language_of(page, message, **values):
    """``message`` as the page shows it, in the page's own language."""
    with translation.override(page.locator("html").get_attribute("lang")):
        return gettext(message) % values


def upload(page, live_server, path, *, background):
    page.goto(f"{live_server.url}/admin/warranty/sale/import/")
    page.set_input_files("#id_file", str(path))
    page.set_checked("#id_background", background)
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/core/importjob/\d+/change/$"))
    page.wait_for_load_state("networkidle")


def test_technician_follows_a_background_import(page, live_server, tmp_path):
    from warranty import demo as catalogue
    from warranty.imports import SalesImport
    from warranty.models import Sale

    demo.load()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "service", demo.DEMO_PASSWORD_STAFF)
    page.goto(f"{live_server.url}/admin/warranty/sale/import/")
    check_page(page, "65-admin-sales-import-background")

    before = Sale.objects.count()
    good = tmp_path / "vanzari-noiembrie.csv"
    rows = [
        f"RO18547290;INN-2026-09101;2026-11-02;{catalogue.DEMO_EAN_EXPIRED};4",
        f"RO18547290;INN-2026-09102;2026-11-03;{catalogue.DEMO_EAN_IN_WARRANTY};1",
        f"RO18547290;INN-2026-09103;2026-11-04;{catalogue.DEMO_EAN_ACCESSORY_QTY};2",
    ]
    good.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    upload(page, live_server, good, background=True)

    # Celery is eager here: the job ran as the upload's transaction committed.
    job = ImportJob.objects.get(file_name="vanzari-noiembrie.csv")
    assert job.state == ImportJob.State.DONE
    assert Sale.objects.count() == before + 3
    content = " ".join(page.locator("#content").inner_text().split())
    assert "vanzari-noiembrie.csv" in content
    assert page.locator("#import-job-progress").get_attribute("value") == "100"
    progress_text = page.locator("#import-job-progress-text").inner_text()
    assert re.search(r"\b100\s?%", progress_text) and re.search(r"\b3\b", progress_text), progress_text
    done = page.locator("#import-done")
    assert done.is_visible()
    imported = in_language_of(
        page,
        "%(rows)d rows imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
        rows=3,
        created=3,
        updated=0,
        unchanged=0,
    )
    assert done.inner_text().strip() == imported
    # A finished job stops asking for its status.
    assert page.locator("#import-job-status[hx-get]").count() == 0
    check_page(page, "66-admin-import-job-done")

    page.locator(".breadcrumbs a").last.click()
    page.wait_for_url(f"{live_server.url}/admin/core/importjob/")
    row = page.locator("#result_list tbody tr", has_text="vanzari-noiembrie.csv")
    assert row.count() == 1
    cells = " ".join(row.inner_text().split())
    assert "100 %" in cells and imported in cells, cells
    check_page(page, "67-admin-import-jobs")
    # The kind filter names the import as the pages do, not by its code.
    with translation.override(page.locator("html").get_attribute("lang")):
        sales = str(capfirst(SalesImport.label))
    page.locator("#changelist-filter").get_by_role("link", name=sales, exact=True).click()
    page.wait_for_url(re.compile(r"/admin/core/importjob/\?kind=sales$"))
    assert page.locator("#result_list tbody tr", has_text="vanzari-noiembrie.csv").count() == 1

    # The list leads back to the job.
    row.locator("a").first.click()
    page.wait_for_url(re.compile(rf"/admin/core/importjob/{job.pk}/change/"))
    assert page.locator("#import-done").is_visible()


def test_a_large_file_runs_in_the_background_and_shows_its_errors(page, live_server, settings, tmp_path):
    from warranty import demo as catalogue
    from warranty.imports import SalesImport
    from warranty.models import Sale

    # The live server runs in this process: it sees the test's settings.
    settings.CSV_ADMIN_INLINE_ROWS = 2
    demo.load()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "service", demo.DEMO_PASSWORD_STAFF)

    before = Sale.objects.count()
    bad = tmp_path / "vanzari-gresite.csv"
    rows = [
        f"RO18547290;INN-2026-09201;2026-11-02;{catalogue.DEMO_EAN_EXPIRED};4",
        "RO18547290;INN-2026-09201;2026-11-02;5901234123458;1",
        f"RO18547290;INN-2026-09202;2026-13-03;{catalogue.DEMO_EAN_IN_WARRANTY};1",
    ]
    bad.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    # Not asked for: four lines are more than CSV_ADMIN_INLINE_ROWS.
    upload(page, live_server, bad, background=False)

    job = ImportJob.objects.get(file_name="vanzari-gresite.csv")
    assert job.state == ImportJob.State.DONE
    assert Sale.objects.count() == before
    summary = page.locator("#import-errors-summary")
    assert summary.is_visible()
    assert "vanzari-gresite.csv" in page.locator("#content").inner_text()
    table = page.locator("#import-errors")
    assert table.is_visible()
    found = [tuple(c.strip() for c in r.locator("td").all_inner_texts()) for r in table.locator("tbody tr").all()]
    # Rows 3 and 4 of the file are wrong (the header is row 1): a bad EAN check digit, a month 13.
    with translation.override(page.locator("html").get_attribute("lang")):
        date, ean = (str(column.label) for column in SalesImport.columns[2:4])
    assert {(row, column) for row, column, _problem in found} == {("3", ean), ("4", date)}, found
    assert all(problem for _row, _column, problem in found)
    check_page(page, "68-admin-import-job-errors")

    page.goto(f"{live_server.url}/admin/core/importjob/")
    row = page.locator("#result_list tbody tr", has_text="vanzari-gresite.csv")
    assert row.count() == 1
    with translation.override(page.locator("html").get_attribute("lang")):
        summary = ngettext(
            "%(n)d error in %(rows)d rows. Nothing was imported.",
            "%(n)d errors in %(rows)d rows. Nothing was imported.",
            2,
        ) % {"n": 2, "rows": 3}
    assert summary in " ".join(row.inner_text().split())
