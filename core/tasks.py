import smtplib

from celery import shared_task
from django.conf import settings

from .mail import DeliveryFailed, deliver, emails_requeue_unsent


@shared_task(
    bind=True,
    autoretry_for=(DeliveryFailed, smtplib.SMTPException, OSError),
    retry_backoff=settings.EMAIL_RETRY_BACKOFF,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_email(self, email_id):
    return deliver(email_id)


@shared_task
def retry_unsent_emails():
    """Housekeeping (Celery beat): e-mails still unsent after their task's retries."""
    return emails_requeue_unsent()
