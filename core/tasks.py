import smtplib

from celery import shared_task
from django.conf import settings

from .delivery import DeliveryFailed, deliver


@shared_task(
    autoretry_for=(DeliveryFailed, smtplib.SMTPException, OSError),
    retry_backoff=settings.EMAIL_RETRY_BACKOFF,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_email(email_id: int) -> bool:
    return deliver(email_id)
