"""Sending one webhook delivery: the signed request to the checked address, the log, the retry plan.

Signature (Standard Webhooks): ``webhook-signature: v1,<base64 HMAC-SHA256 over
"{id}.{timestamp}.{body}">`` with the key that ``whsec_<base64>`` encodes.
The task (api.tasks) calls ``attempt`` and schedules the next try it asks for.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import socket
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import company_admins
from core.errors import RuleViolation
from core.mail import send_template_email

from .addresses import resolve
from .models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint

# Signing


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers_for(delivery: WebhookDelivery, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "INNPRO-Service-Webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(delivery.endpoint.secret, delivery.message_id, timestamp, delivery.body),
    }


# Sending


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, address: str, **kwargs: Any) -> None:
        super().__init__(host, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: str, headers: dict[str, str]) -> int:
    """POST to the first checked address of ``url``; the answer's status code. Raises OSError and RuleViolation."""
    address = resolve(url)[0]
    parts = urlsplit(url)
    cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = cls(parts.hostname or "", address, port=parts.port, timeout=settings.WEBHOOK_TIMEOUT)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()


def attempt(delivery_id: int) -> tuple[bool | None, int | None]:
    """Send once: (delivered?, seconds until the next try or None). (None, None): nothing to do."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != DeliveryState.PENDING or not delivery.endpoint.active:
        return None, None
    started = time.monotonic()
    status_code, error = None, ""
    try:
        status_code = post(delivery.endpoint.url, delivery.body, headers_for(delivery, int(time.time())))
    except RuleViolation as refused:
        error = str(refused.message)
    except (OSError, http.client.HTTPException) as failure:
        error = f"{type(failure).__name__}: {failure}"[:300]
    ok = status_code is not None and 200 <= status_code < 300
    retry_in = None
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.attempt_count += 1
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        if ok:
            delivery.state = DeliveryState.SUCCEEDED
            delivery.delivered_at = timezone.now()
            endpoint.consecutive_failures = 0
        else:
            endpoint.consecutive_failures += 1
            if delivery.attempt_count > len(settings.WEBHOOK_RETRY_DELAYS):
                delivery.state = DeliveryState.FAILED
        delivery.save(update_fields=["state", "attempt_count", "delivered_at"])
        endpoint.save(update_fields=["consecutive_failures"])
        if not ok and endpoint.active and endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
            endpoint_disable(endpoint)
        if not ok and delivery.state == DeliveryState.PENDING and endpoint.active:
            retry_in = settings.WEBHOOK_RETRY_DELAYS[delivery.attempt_count - 1]
    return ok, retry_in


def endpoint_disable(endpoint: WebhookEndpoint) -> None:
    endpoint.active = False
    endpoint.disabled_reason = _("%(n)d deliveries in a row failed.") % {"n": endpoint.consecutive_failures}
    endpoint.save(update_fields=["active", "disabled_reason"])
    for admin in company_admins(endpoint.company):
        send_template_email(
            name="webhook_disabled",
            to=admin.email,
            context={"endpoint": endpoint, "user": admin, "portal_url": settings.PORTAL_URL},
            language=admin.language,
        )
