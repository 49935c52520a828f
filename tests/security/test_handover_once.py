# ruff: noqa: F811 - pytest fixtures imported from claims/tests/conftest.py
"""Issue 10.8: the handover PDF is rendered once, queued after the import commits; imports are limited per hour."""

from unittest import mock

import pytest
from django.urls import reverse

from claims import services
from claims.models import ImportBatch
from claims.tasks import queue_batch_handover
from claims.tests.conftest import catalogue, owner_address  # noqa: F401 - fixtures
from claims.tests.test_csv_import import DAY, csv_file, do_import, render


@pytest.fixture
def rows(catalogue):  # noqa: F811
    return [[f"PR-{i}", catalogue["drone"].ean, f"SN{i:06d}", DAY, "Gimbal blocked", "Repair"] for i in range(3)]


def test_the_import_queues_one_render_and_gets_never_queue_another(
    owner_client,
    catalogue,
    owner_address,
    rows,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    with mock.patch("claims.tasks.build_batch_handover.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            do_import(owner_client, catalogue, owner_address, csv_file(render(rows)))
        assert delay.call_count == 1
        batch = ImportBatch.objects.get()
        assert batch.handover_requested_at is not None
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                response = owner_client.get(reverse("claim_import_handover", args=[batch.pk]))
            assert response.status_code == 202
            assert "is being prepared" in response.content.decode()
        assert delay.call_count == 1


def test_a_batch_without_a_queued_render_is_queued_once(owner, catalogue, owner_address, rows):  # noqa: F811
    batch = ImportBatch.objects.create(company=owner.membership.company, owner=owner, file_name="x.csv")
    assert queue_batch_handover(batch, language="en") is True
    assert queue_batch_handover(batch, language="en") is False
    fresh = ImportBatch.objects.get(pk=batch.pk)
    assert queue_batch_handover(fresh, language="en") is False


def test_imports_are_limited_per_company_and_hour(owner_client, owner, catalogue, owner_address, rows, settings):  # noqa: F811
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with (
        mock.patch.object(services, "CLAIM_IMPORTS_PER_HOUR", 2),
        mock.patch("claims.tasks.build_batch_handover.delay"),
    ):
        for i in range(2):
            lines = [[f"R{i}-{j}", *row[1:2], f"S{i}X{j}", *row[3:]] for j, row in enumerate(rows)]
            assert do_import(owner_client, catalogue, owner_address, csv_file(render(lines))).status_code == 302
        refused = do_import(owner_client, catalogue, owner_address, csv_file(render(rows)))
    assert refused.status_code == 200
    assert "imports in the last hour" in refused.content.decode()
    assert ImportBatch.objects.count() == 2
