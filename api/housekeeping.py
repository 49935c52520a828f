"""Housekeeping of the API's rows that would otherwise grow forever (run by Celery beat, see api/tasks.py).

Every purge is idempotent: a second run finds nothing more to delete.
"""

from __future__ import annotations

import datetime

from django.db.models import Model, QuerySet
from django.utils import timezone

from .idempotency import KEY_RETENTION
from .models import IdempotencyRecord, WebhookDelivery

# Deliveries (with their attempt log) are kept this long for the partner's delivery log, then deleted.
# Retries end within a day, so no delivery still being tried is this old.
WEBHOOK_DELIVERY_RETENTION = datetime.timedelta(days=30)

BATCH = 5000


def _delete_in_batches(queryset: QuerySet[Model]) -> int:
    """Delete ``queryset`` a batch of rows at a time (each in its own statement); how many rows went."""
    model, deleted = queryset.model, 0
    while True:
        pks = list(queryset.order_by().values_list("pk", flat=True)[:BATCH])
        if not pks:
            return deleted
        deleted += model._default_manager.filter(pk__in=pks).delete()[1].get(model._meta.label, 0)


def idempotency_records_purge(*, now: datetime.datetime | None = None) -> int:
    """Idempotency keys older than KEY_RETENTION: a retry that late is a new request."""
    stale = (now or timezone.now()) - KEY_RETENTION
    return _delete_in_batches(IdempotencyRecord.objects.filter(created_at__lt=stale))


def webhook_deliveries_purge(*, now: datetime.datetime | None = None) -> int:
    """Webhook deliveries (and their attempts) older than WEBHOOK_DELIVERY_RETENTION."""
    stale = (now or timezone.now()) - WEBHOOK_DELIVERY_RETENTION
    return _delete_in_batches(WebhookDelivery.objects.filter(created_at__lt=stale))
