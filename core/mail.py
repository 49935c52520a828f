"""Outgoing e-mail: render in the recipient's language, store, send from Celery.

Every e-mail of the portal goes through ``queue_email``: the message is
rendered in the web process (templates ``emails/<name>_subject.txt``,
``_body.txt`` and ``_body.html``), stored as an ``OutgoingEmail`` row, and the
Celery task that sends it is queued once the transaction commits. Nothing is
sent for a transaction that rolls back, and a task that runs twice finds the
row already sent.
"""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.template import Context, RequestContext
from django.template.loader import get_template, render_to_string
from django.utils import translation

from .models import OutgoingEmail
from .tasks import send_email


def render_text(template_name: str, context: dict[str, Any], request: Any = None) -> str:
    """Render a plain-text template without HTML escaping: "&", "'" and "<" stay themselves.

    Nothing is escaped in a text/plain part or a subject, so a partner named
    "Smith & Sons" reads that, not "Smith &amp; Sons".
    """
    template = get_template(template_name).template  # type: ignore[attr-defined]
    if request is None:
        return str(template.render(Context(context, autoescape=False)))
    return str(template.render(RequestContext(request, context, autoescape=False)))


def render_email(name: str, context: dict[str, Any], language: str | None = None) -> tuple[str, str, str]:
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


def queue_email(*, to: str, subject: str, text: str, html: str = "", reply_to: str = "") -> OutgoingEmail:
    email = OutgoingEmail.objects.create(
        to=to, subject=subject[:300], body_text=text, body_html=html, reply_to=reply_to
    )
    transaction.on_commit(lambda: send_email.delay(email.pk))
    return email


def send_template_email(
    *, name: str, to: str, context: dict[str, Any], language: str | None = None, reply_to: str = ""
) -> OutgoingEmail:
    subject, text, html = render_email(name, context, language)
    return queue_email(to=to, subject=subject, text=text, html=html, reply_to=reply_to)
