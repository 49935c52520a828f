"""Sending one stored e-mail, once: what the Celery task of ``core.mail`` runs."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import OutgoingEmail


def deliver(email_id: int) -> bool:
    """Send one stored e-mail unless it was sent already. Raises on SMTP errors."""
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.sent_at is not None:
            return False
        email.attempts += 1
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
            reply_to=[email.reply_to] if email.reply_to else None,
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        try:
            message.send()
        except Exception as exc:
            # Record the failure outside the rolled-back block below.
            error = repr(exc)
        else:
            email.sent_at = timezone.now()
            email.last_error = ""
            email.save(update_fields=["sent_at", "attempts", "last_error"])
            return True
    OutgoingEmail.objects.filter(pk=email_id).update(attempts=email.attempts, last_error=error)
    raise DeliveryFailed(error)


class DeliveryFailed(Exception):
    pass
