from celery import shared_task
from django.db import transaction

from . import delivery, housekeeping


@shared_task(ignore_result=True)
def send_webhook(delivery_id):
    """One try of a webhook delivery; a failure schedules the next try, with the delay the plan gives."""
    delivered, retry_in = delivery.attempt(delivery_id)
    if retry_in is not None:
        transaction.on_commit(lambda: send_webhook.apply_async((delivery_id,), countdown=retry_in))
    return delivered


@shared_task
def purge_idempotency_records():
    """Housekeeping (Celery beat): idempotency keys past their 24 hours."""
    return housekeeping.idempotency_records_purge()


@shared_task
def purge_webhook_deliveries():
    """Housekeeping (Celery beat): webhook deliveries past their 30 days, with their attempts."""
    return housekeeping.webhook_deliveries_purge()
