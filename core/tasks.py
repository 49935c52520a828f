import datetime
import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import importjobs
from .delivery import DeliveryFailed, deliver
from .models import OutgoingEmail

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(DeliveryFailed, smtplib.SMTPException, OSError),
    retry_backoff=settings.EMAIL_RETRY_BACKOFF,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_email(email_id: int) -> bool:
    return deliver(email_id)


@shared_task
def retry_unsent_emails() -> int:
    """Housekeeping (Celery beat): e-mails still unsent after their task's retries."""
    return emails_requeue_unsent()


# An e-mail still unsent this long after it was queued has used up its task's
# retries (or lost its task with a broker restart): queue it again.
RETRY_AFTER = datetime.timedelta(minutes=15)
# Past this age it is left for the staff (admin: outgoing e-mails) to look at.
RETRY_GIVE_UP_AFTER = datetime.timedelta(days=3)


def emails_requeue_unsent(*, now: datetime.datetime | None = None) -> int:
    """Queue again every stored e-mail still unsent after RETRY_AFTER; returns how many.

    Sending is idempotent (``deliver`` finds a sent row and stops), so queuing an
    e-mail that is also still being retried sends it once.
    """
    now = now or timezone.now()
    ids = list(
        OutgoingEmail.objects.filter(
            sent_at__isnull=True, created_at__lt=now - RETRY_AFTER, created_at__gte=now - RETRY_GIVE_UP_AFTER
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    for email_id in ids:
        try:
            send_email.delay(email_id)
        except Exception:
            # Eager Celery (the embedded default) sends right here: one refused
            # e-mail must not keep the others from their turn.
            logger.warning("E-mail %s is still refused", email_id, exc_info=True)
    return len(ids)


@shared_task(ignore_result=True)
def run_import_job(job_id: int) -> str:
    """An admin CSV import too large for the request (core/importjobs.py)."""
    return importjobs.run_job(job_id)


@shared_task
def import_jobs_housekeeping() -> dict:
    """Housekeeping (Celery beat): import jobs whose worker was lost fail; finished ones past their keep time go."""
    return {"failed_stale": importjobs.fail_stale_jobs(), "purged": importjobs.purge_finished_jobs()}
