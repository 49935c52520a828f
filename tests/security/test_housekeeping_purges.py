"""Housekeeping purges of rows that would otherwise grow forever: each deletes only what is old, and runs twice safely."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from api.idempotency import KEY_RETENTION
from api.models import IdempotencyRecord, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from claims.models import ClaimSubmission
from claims.services import SUBMIT_TOKEN_MAX_AGE
from core.importjobs import KEEP_FINISHED
from core.models import ImportJob

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def test_idempotency_records_older_than_their_window_go(owner):
    from api.tasks import purge_idempotency_records

    company = owner.membership.company
    now = timezone.now()

    def record(key, age):
        return IdempotencyRecord.objects.create(
            company=company, key=key, method="POST", path="/api/v1/claims", request_hash="x", created_at=now - age
        )

    record("old", KEY_RETENTION + MINUTE)
    record("older", 10 * KEY_RETENTION)
    record("young", KEY_RETENTION - MINUTE)
    assert KEY_RETENTION == datetime.timedelta(hours=24)
    assert purge_idempotency_records.delay().get() == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["young"]
    assert purge_idempotency_records.delay().get() == 0


def test_webhook_deliveries_older_than_30_days_go_with_their_attempts(owner):
    from api.tasks import purge_webhook_deliveries

    endpoint = WebhookEndpoint.objects.create(company=owner.membership.company, url="https://example.com/hook")
    now = timezone.now()

    def delivery(message_id, days):
        made = WebhookDelivery.objects.create(
            endpoint=endpoint,
            message_id=message_id,
            event="claim.created",
            body="{}",
            state="succeeded",
            created_at=now - datetime.timedelta(days=days),
        )
        WebhookAttempt.objects.create(delivery=made, status_code=200)
        return made

    delivery("msg_old", 31)
    kept = delivery("msg_recent", 29)
    assert purge_webhook_deliveries.delay().get() == 1
    assert list(WebhookDelivery.objects.all()) == [kept]
    assert list(WebhookAttempt.objects.values_list("delivery_id", flat=True)) == [kept.pk]
    assert purge_webhook_deliveries.delay().get() == 0


def test_spent_claim_form_tokens_older_than_their_max_age_go(owner):
    from claims.tasks import purge_claim_submissions

    now = timezone.now()
    max_age = datetime.timedelta(seconds=SUBMIT_TOKEN_MAX_AGE)
    ClaimSubmission.objects.create(token="old", user=owner, created_at=now - max_age - MINUTE)
    ClaimSubmission.objects.create(token="young", user=owner, created_at=now - max_age + MINUTE)
    assert purge_claim_submissions.delay().get() == 1
    assert list(ClaimSubmission.objects.values_list("token", flat=True)) == ["young"]
    assert purge_claim_submissions.delay().get() == 0


def test_finished_import_jobs_older_than_30_days_go_with_their_files(staff, django_capture_on_commit_callbacks):
    from core.tasks import import_jobs_housekeeping

    now = timezone.now()

    def job(name, state, age):
        made = ImportJob(
            kind="sales",
            import_path="warranty.imports.SalesImport",
            source="warranty.sale",
            uploaded_by=staff,
            file_name=name,
            state=state,
            created_at=now - age,
        )
        made.file.save(name, ContentFile(b"a;b\r\n"), save=False)
        made.save()
        return made

    old_done = job("old-done.csv", "done", KEEP_FINISHED + MINUTE)
    old_failed = job("old-failed.csv", "failed", KEEP_FINISHED + MINUTE)
    young_done = job("young-done.csv", "done", KEEP_FINISHED - MINUTE)
    lost = job("lost.csv", "running", datetime.timedelta(hours=3))
    storage = old_done.file.storage

    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs_housekeeping.delay().get() == {"failed_stale": 1, "purged": 2}
    assert set(ImportJob.objects.values_list("file_name", "state")) == {
        ("young-done.csv", "done"),
        ("lost.csv", "failed"),
    }
    assert not storage.exists(old_done.file.name) and not storage.exists(old_failed.file.name)
    assert storage.exists(young_done.file.name) and storage.exists(lost.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        assert import_jobs_housekeeping.delay().get() == {"failed_stale": 0, "purged": 0}
