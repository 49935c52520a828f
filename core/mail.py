"""Outgoing e-mail: render in the recipient's language, store, send from Celery.

Every e-mail of the portal goes through ``queue_email``: the message is
rendered in the web process (templates ``emails/<name>_subject.txt``,
``_body.txt`` and ``_body.html``), stored as an ``OutgoingEmail`` row, and the
Celery task that sends it is queued once the transaction commits. Nothing is
sent for a transaction that rolls back, and a task that runs twice finds the
row already sent.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, RequestContext
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

# An e-mail still unsent this long after it was queued has used up its task's
# retries (or lost its task with a broker restart): queue it again.
RETRY_AFTER = datetime.timedelta(minutes=15)
# Past this age it is left for the staff (admin: outgoing e-mails) to look at.
RETRY_GIVE_UP_AFTER = datetime.timedelta(days=3)


def render_text(template_name, context, request=None):
    """Render a plain-text template without HTML escaping: "&", "'" and "<" stay themselves.

    Nothing is escaped in a text/plain part or a subject, so a partner named
    "Smith & Sons" reads that, not "Smith &amp; Sons".
    """
    template = get_template(template_name).template
    if request is None:
        return template.render(Context(context, autoescape=False))
    return template.render(RequestContext(request, context, autoescape=False))


def render_email(name, context, language=None):
    """Return (subject, text, html) for templates/emails/<name>_*."""
    language = language or settings.LANGUAGE_CODE
    context = {
        "service_email": settings.SERVICE_EMAIL,
        "service_phone": settings.SERVICE_PHONE,
        "service_address": settings.SERVICE_ADDRESS,
        **context,
    }
    with translation.override(language):
        subject = render_text(f"emails/{name}_subject.txt", context)
        text = render_text(f"emails/{name}_body.txt", context).strip() + "\n"
        html = render_to_string(f"emails/{name}_body.html", context)
    subject = " ".join(subject.split())
    return subject, text, html


def queue_email(*, to, subject, text, html="", reply_to=""):
    email = OutgoingEmail.objects.create(
        to=to, subject=subject[:300], body_text=text, body_html=html, reply_to=reply_to
    )
    from .tasks import send_email

    transaction.on_commit(lambda: send_email.delay(email.pk))
    return email


def send_template_email(*, name, to, context, language=None, reply_to=""):
    subject, text, html = render_email(name, context, language)
    return queue_email(to=to, subject=subject, text=text, html=html, reply_to=reply_to)


def deliver(email_id):
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


def emails_requeue_unsent(*, now=None):
    """Queue again every stored e-mail still unsent after RETRY_AFTER; returns how many.

    Run by Celery beat. Sending is idempotent (``deliver`` finds a sent row and
    stops), so queuing an e-mail that is also still being retried sends it once.
    """
    now = now or timezone.now()
    ids = list(
        OutgoingEmail.objects.filter(
            sent_at__isnull=True, created_at__lt=now - RETRY_AFTER, created_at__gte=now - RETRY_GIVE_UP_AFTER
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    from .tasks import send_email

    for email_id in ids:
        try:
            send_email.delay(email_id)
        except Exception:
            # Eager Celery (the embedded default) sends right here: one refused
            # e-mail must not keep the others from their turn.
            logger.warning("E-mail %s is still refused", email_id, exc_info=True)
    return len(ids)
