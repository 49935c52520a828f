"""Webhooks: events of a company's claims become deliveries to its endpoints; endpoints registered and managed.

Sending, signing and retries: api.delivery (run by api.tasks.send_webhook).
Where an endpoint may point: api.addresses.
"""

from __future__ import annotations

import datetime
import json
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from claims.statuses import Status

from .addresses import resolve
from .models import DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .tasks import send_webhook

if TYPE_CHECKING:
    from accounts.models import Company
    from claims.models import Claim, Message, StatusChange


# Events


def _claim_data(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.rma_number.replace("/", "-"),
        "rma_number": claim.rma_number,
        "status": claim.status,
        "own_number": claim.own_number,
        "resolution": claim.resolution,
        "status_changed_at": claim.status_changed_at,
        "lines": [
            {
                "position": line.position,
                "ean": line.product.ean,
                "serial": line.serial,
                "verdict": line.verdict,
                "outcome": line.outcome,
                "replacement_serial": line.replacement_serial,
                "outcome_reason": line.outcome_reason,
            }
            for line in _lines_of(claim)
        ],
    }


def _lines_of(claim: Claim) -> Any:
    """The claim's lines in order: prefetched ones (a CSV import's, in one query), else one query."""
    if "lines" in getattr(claim, "_prefetched_objects_cache", {}):
        return claim.lines.all()
    return claim.lines.select_related("product").order_by("position")


def _body(event: str, data: dict[str, Any]) -> str:
    return json.dumps(
        {"type": event, "timestamp": timezone.now(), "data": data}, cls=DjangoJSONEncoder, separators=(",", ":")
    )


def _subscribed(company_id: int, event: str) -> list[WebhookEndpoint]:
    return [e for e in WebhookEndpoint.objects.filter(company_id=company_id, active=True) if event in e.events]


def _enqueue(
    company_id: int, event: str, data: Callable[[], dict[str, Any]], endpoints: list[WebhookEndpoint] | None = None
) -> list[WebhookDelivery]:
    """A delivery of ``event`` to each endpoint of the company that chose it; ``data`` is built only if any did."""
    endpoints = _subscribed(company_id, event) if endpoints is None else [e for e in endpoints if event in e.events]
    if not endpoints:
        return []
    body = _body(event, data())
    deliveries = [
        WebhookDelivery.objects.create(
            endpoint=endpoint, message_id="msg_" + secrets.token_urlsafe(18), event=event, body=body
        )
        for endpoint in endpoints
    ]
    for delivery in deliveries:
        schedule(delivery.pk)
    return deliveries


def schedule(delivery_id: int) -> None:
    transaction.on_commit(lambda: send_webhook.delay(delivery_id))


def claim_created(claim: Claim, endpoints: list[WebhookEndpoint] | None = None) -> None:
    _enqueue(claim.company_id, WebhookEvent.CLAIM_CREATED, lambda: {"claim": _claim_data(claim)}, endpoints)
    if claim.status == Status.AWAITING_DOCUMENTS:
        _enqueue(claim.company_id, WebhookEvent.DOCUMENTS_MISSING, lambda: {"claim": _claim_data(claim)}, endpoints)


def claims_created(claims: list[Claim]) -> None:
    """A CSV import: the company's endpoints are read once; nothing more happens when none listens.

    When one does, every claim's lines are read in one query and the deliveries written in bulk:
    the queries do not grow with the number of claims.
    """
    if not claims:
        return
    endpoints = list(WebhookEndpoint.objects.filter(company_id=claims[0].company_id, active=True))
    wanted = {WebhookEvent.CLAIM_CREATED, WebhookEvent.DOCUMENTS_MISSING}
    if not any(wanted & set(e.events) for e in endpoints):
        return
    from claims.models import ClaimLine

    prefetch_related_objects(
        claims, Prefetch("lines", queryset=ClaimLine.objects.select_related("product").order_by("position"))
    )
    deliveries = []
    for claim in claims:
        events = [WebhookEvent.CLAIM_CREATED]
        if claim.status == Status.AWAITING_DOCUMENTS:
            events.append(WebhookEvent.DOCUMENTS_MISSING)
        for event in events:
            listening = [e for e in endpoints if event in e.events]
            if not listening:
                continue
            body = _body(event, {"claim": _claim_data(claim)})
            deliveries += [
                WebhookDelivery(endpoint=e, message_id="msg_" + secrets.token_urlsafe(18), event=event, body=body)
                for e in listening
            ]
    for delivery in WebhookDelivery.objects.bulk_create(deliveries, batch_size=1000):
        schedule(delivery.pk)


def claim_status_changed(claim: Claim, change: StatusChange) -> None:
    _enqueue(
        claim.company_id,
        WebhookEvent.STATUS_CHANGED,
        lambda: {
            "claim": _claim_data(claim),
            "from_status": change.from_status,
            "to_status": change.to_status,
            "note": change.note,
        },
    )
    if change.to_status == Status.WAITING_CUSTOMER and claim.quote_amount is not None:
        quote = {"amount": claim.quote_amount, "currency": claim.quote_currency, "text": claim.quote_text}
        _enqueue(claim.company_id, WebhookEvent.QUOTE_SENT, lambda: {"claim": _claim_data(claim), "quote": quote})


def message_from_service(message: Message) -> None:
    claim = message.claim
    _enqueue(
        claim.company_id,
        WebhookEvent.MESSAGE,
        lambda: {"claim": _claim_data(claim), "message": {"id": message.pk, "body": message.body}},
    )


def endpoint_create(*, company: Company, by: Any, url: str, events: list[str]) -> WebhookEndpoint:
    resolve(url)
    return WebhookEndpoint.objects.create(company=company, created_by=by, url=url, events=events)


def endpoint_enable(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    resolve(endpoint.url)
    endpoint.active, endpoint.disabled_reason, endpoint.consecutive_failures = True, "", 0
    endpoint.save(update_fields=["active", "disabled_reason", "consecutive_failures"])
    return endpoint


def delivery_resend(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (the administrator's "send again"): a new try, with its log kept."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        delivery.state = DeliveryState.PENDING
        delivery.attempt_count = 0
        delivery.save(update_fields=["state", "attempt_count"])
        schedule(delivery.pk)
    return delivery


def purge_before(when: datetime.datetime) -> int:
    return WebhookDelivery.objects.filter(created_at__lt=when).delete()[0]
