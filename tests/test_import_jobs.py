"""Admin CSV imports too large for the request run as a Celery task (eager here), with a page of their own."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core import importjobs
from core.models import ActionLogEntry, ImportJob
from tests.html import table_rows, text
from warranty.imports import SalesImport
from warranty.models import Sale
from warranty.tests.factories import ProductFactory, gtin

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:warranty_sale_import"


def csv_bytes(lines):
    return ("\r\n".join(";".join(cells) for cells in lines) + "\r\n").encode()


@pytest.fixture
def products():
    return [ProductFactory(ean=gtin(n)) for n in range(1, 4)]


def sales_rows(products):
    return [
        ["RO18547290", "F-1", "2026-03-01", products[0].ean, "2"],
        ["RO 185 472 90", "F-1", "2026-03-01", products[1].ean, ""],
        ["RO14399840", "F-2", "01.04.2026", products[0].ean, "1"],
    ]


def bad_rows(products):
    return [
        *sales_rows(products),
        ["RO18547290", "F-3", "2026-03-01", "123", "1"],
        ["RO18547290", "F-4", "2026-13-01", products[2].ean, "x"],
    ]


def english_client(user):
    browser = Client()
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    browser.force_login(user)
    return browser


def technician_named(username):
    user = UserFactory(username=username, email=f"{username}@example.com", is_staff=True, vat_country="", vat_number="")
    user.groups.add(Group.objects.get(name="Service staff"))
    return user


@pytest.fixture
def tech(technician):
    return english_client(technician)


@pytest.fixture
def small_threshold(settings):
    settings.CSV_ADMIN_INLINE_ROWS = 2


def upload(client, captured, rows, *, name="sales-march.csv", **data):
    with captured(execute=True):
        return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, csv_bytes(rows)), **data})


def job_url(job):
    return reverse("admin:core_importjob_change", args=[job.pk])


def test_a_large_upload_runs_as_a_job_and_its_page_shows_the_report(
    tech, technician, products, small_threshold, django_capture_on_commit_callbacks
):
    response = upload(tech, django_capture_on_commit_callbacks, sales_rows(products))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert (job.state, job.uploaded_by, job.kind, job.file_name) == ("done", technician, "sales", "sales-march.csv")
    assert "sales-march" not in job.file.name  # stored under a name of its own
    assert Sale.objects.count() == 3
    assert ActionLogEntry.objects.get(action_type="catalogue.imported").actor == technician

    page = tech.get(job_url(job))
    html = page.content.decode()
    shown = text(html)
    assert "State: Done" in shown
    assert "100 % · 3 rows read" in shown
    assert "3 rows imported: 3 new, 0 updated, 0 unchanged." in shown
    assert '<progress id="import-job-progress" max="100" value="100"' in html
    assert '<label for="import-job-progress">Progress</label>' in html
    assert "hx-trigger" not in html  # finished: nothing polls any more
    assert "<script>" not in html  # the CSP allows no inline script

    listing = text(tech.get(reverse("admin:core_importjob_changelist")).content.decode())
    assert "sales-march.csv" in listing and "3 rows imported" in listing


def test_a_small_upload_still_runs_in_the_request(tech, products, django_capture_on_commit_callbacks):
    page = tech.get(reverse(IMPORT_URL)).content.decode()
    assert "Files of more than 20,000 rows always run in the background." in text(page)
    assert reverse("admin:core_importjob_changelist") in page
    response = upload(tech, django_capture_on_commit_callbacks, sales_rows(products))
    assert response.status_code == 302 and response["Location"] == reverse("admin:warranty_sale_changelist")
    assert not ImportJob.objects.exists() and Sale.objects.count() == 3


def test_run_in_the_background_on_request_also_for_a_small_file(tech, products, django_capture_on_commit_callbacks):
    upload(tech, django_capture_on_commit_callbacks, sales_rows(products), background="on", dry_run="on")
    job = ImportJob.objects.get()
    assert job.dry_run and job.state == "done" and Sale.objects.count() == 0
    assert "All 3 rows are correct. Nothing was written" in text(tech.get(job_url(job)).content.decode())


def test_the_job_shows_the_same_errors_by_row_and_column_as_the_inline_import(
    tech, products, settings, django_capture_on_commit_callbacks
):
    inline = upload(tech, django_capture_on_commit_callbacks, bad_rows(products))
    assert inline.status_code == 200
    settings.CSV_ADMIN_INLINE_ROWS = 2
    upload(tech, django_capture_on_commit_callbacks, bad_rows(products))
    job = ImportJob.objects.get()
    assert job.state == "done" and Sale.objects.count() == 0

    page = tech.get(job_url(job)).content.decode()

    def error_rows(html):
        return [row for row in table_rows(html) if len(row) == 3 and row[0].isdigit()]

    errors = error_rows(page)
    assert errors == error_rows(inline.content.decode())
    assert [row[:2] for row in errors] == [["4", "EAN"], ["5", "Invoice date"], ["5", "Quantity"]]
    assert "The file has 3 errors in 5 rows. Nothing was imported" in text(page)


def test_progress_is_reported_after_every_chunk_and_shown_while_running(
    tech, products, small_threshold, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(SalesImport, "chunk_size", 1)
    seen = []
    real_set = importjobs.cache.set
    monkeypatch.setattr(importjobs.cache, "set", lambda key, value, *a: (seen.append(value), real_set(key, value, *a)))
    upload(tech, django_capture_on_commit_callbacks, sales_rows(products))
    assert seen == [1, 2, 3, 3]

    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(state="running", rows_total=4, rows_done=0, report={})
    importjobs.cache.set(importjobs._progress_key(job.pk), 2)
    page = tech.get(job_url(job)).content.decode()
    assert "State: Running" in text(page) and "50 % · 2 of about 4 rows read" in text(page)
    status_url = reverse("admin:core_importjob_status", args=[job.pk])
    assert f'hx-get="{status_url}" hx-trigger="every 2s"' in page
    assert f'href="{job_url(job)}"' in page  # without JavaScript: a plain link refreshes
    fragment = tech.get(status_url).content.decode()
    assert fragment.startswith('<div id="import-job-status"') and "50 %" in fragment
    assert "<html" not in fragment


def test_a_failed_import_shows_failed_and_leaves_nothing_half_saved(
    tech, products, small_threshold, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(SalesImport, "chunk_size", 1)
    real_write = SalesImport.write
    calls = []

    def write_then_break(self, cleaned, report):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real_write(self, cleaned, report)

    monkeypatch.setattr(SalesImport, "write", write_then_break)
    upload(tech, django_capture_on_commit_callbacks, sales_rows(products))
    job = ImportJob.objects.get()
    assert job.state == "failed" and job.finished_at is not None
    assert Sale.objects.count() == 0  # the first chunk was written, then rolled back
    assert not ActionLogEntry.objects.filter(action_type="catalogue.imported").exists()
    shown = text(tech.get(job_url(job)).content.decode())
    assert "State: Failed" in shown
    assert "The import stopped with an unexpected error (RuntimeError). Nothing was imported." in shown
    assert importjobs.run_job(job.pk) == ""  # a job runs once: a second delivery of its task does nothing


def test_another_staff_members_job_is_a_404_and_not_listed(
    tech, products, small_threshold, owner, django_capture_on_commit_callbacks
):
    upload(tech, django_capture_on_commit_callbacks, sales_rows(products), name="secret-prices.csv")
    job = ImportJob.objects.get()
    other = english_client(technician_named("tech2"))
    assert other.get(job_url(job)).status_code == 404
    assert other.get(reverse("admin:core_importjob_status", args=[job.pk])).status_code == 404
    listing = other.get(reverse("admin:core_importjob_changelist"))
    assert listing.status_code == 200 and "secret-prices" not in listing.content.decode()

    boss = english_client(UserFactory(username="boss", email="boss@example.com", is_staff=True, is_superuser=True))
    assert "secret-prices.csv" in text(boss.get(job_url(job)).content.decode())
    assert "secret-prices.csv" in boss.get(reverse("admin:core_importjob_changelist")).content.decode()

    partner = english_client(owner)
    for url in (job_url(job), reverse("admin:core_importjob_changelist")):
        response = partner.get(url)
        assert response.status_code == 302 and "secret-prices" not in response.content.decode()
    assert tech.get(reverse("admin:core_importjob_change", args=["nonsense"])).status_code == 404


def test_jobs_are_read_only(tech, products, small_threshold, django_capture_on_commit_callbacks):
    upload(tech, django_capture_on_commit_callbacks, sales_rows(products))
    job = ImportJob.objects.get()
    assert tech.get(reverse("admin:core_importjob_add")).status_code == 403
    assert tech.post(reverse("admin:core_importjob_delete", args=[job.pk]), {"post": "yes"}).status_code == 403
    assert ImportJob.objects.filter(pk=job.pk).exists()


def test_the_job_page_makes_the_same_queries_however_long_the_report(
    tech, technician, products, small_threshold, django_capture_on_commit_callbacks
):
    upload(tech, django_capture_on_commit_callbacks, bad_rows(products)[3:4], background="on")
    many = [["RO18547290", f"F-{n}", "2026-03-01", "123", "1"] for n in range(300)]
    upload(tech, django_capture_on_commit_callbacks, many)
    few, lots = ImportJob.objects.order_by("pk")
    assert few.report["error_count"] == 1 and lots.report["error_count"] == 300

    counts = []
    for job in (few, lots, few):
        with CaptureQueriesContext(connection) as queries:
            assert tech.get(job_url(job)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


def test_housekeeping_fails_jobs_that_lost_their_worker(technician):
    now = timezone.now()

    def job(state, hours):
        return ImportJob.objects.create(
            kind="sales",
            import_path="warranty.imports.SalesImport",
            source="warranty.sale",
            uploaded_by=technician,
            file_name="s.csv",
            state=state,
            created_at=now - datetime.timedelta(hours=hours),
        )

    lost, waiting, fresh, finished = job("running", 3), job("queued", 3), job("running", 1), job("done", 3)
    assert importjobs.fail_stale_jobs(now=now) == 2
    assert importjobs.fail_stale_jobs(now=now) == 0
    states = dict(ImportJob.objects.values_list("pk", "state"))
    assert states == {lost.pk: "failed", waiting.pk: "failed", fresh.pk: "running", finished.pk: "done"}
    page = text(english_client(technician).get(job_url(lost)).content.decode())
    assert "did not finish within 2 hours" in page
