import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.urls import reverse

from api import addresses, delivery, webhooks
from api.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from claims import services
from claims.models import Claim, Status
from claims.tests.factories import ClaimFactory
from core.errors import RuleViolation

from .conftest import claim_payload

pytestmark = pytest.mark.django_db


def verify(secret, headers, body):
    """What a partner's receiver does (README): recompute the signature and compare in constant time."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, part.split(",", 1)[1])
        for part in headers["webhook-signature"].split()
        if part.startswith("v1,")
    )


class Receiver:
    """A local HTTP receiver: answers the given statuses in turn, then 200; records what it got."""

    def __init__(self, secret_holder, statuses):
        self.received = []
        self.statuses = list(statuses)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append(
                    {"headers": headers, "body": body, "valid": verify(secret_holder[0], headers, body)}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def endpoint_for(owner, url, events=None):
    return webhooks.endpoint_create(
        company=owner.membership.company, by=owner, url=url, events=events or [e.value for e in WebhookEvent]
    )


def test_delivery_is_signed_retried_and_logged(api, owner, claim_setup, django_capture_on_commit_callbacks):
    secret = [""]
    with Receiver(secret, [500, 500]) as receiver:
        endpoint = endpoint_for(owner, receiver.url, [WebhookEvent.CLAIM_CREATED])
        secret[0] = endpoint.secret
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post("/api/v1/claims/", claim_payload(claim_setup), content_type="application/json")
        assert response.status_code == 201
    assert [r["valid"] for r in receiver.received] == [True, True, True]
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.SUCCEEDED
    assert [a.status_code for a in delivery.attempts.all()] == [500, 500, 200]
    assert WebhookDelivery.objects.filter(state=DeliveryState.SUCCEEDED).count() == 1
    last = receiver.received[-1]
    assert last["headers"]["webhook-id"] == delivery.message_id
    event = json.loads(last["body"])
    assert event["type"] == "claim.created"
    assert event["data"]["claim"]["rma_number"] == response.json()["rma_number"]
    # Every try of one delivery carries the same id, so the receiver can drop repeats.
    assert {r["headers"]["webhook-id"] for r in receiver.received} == {delivery.message_id}


def test_a_tampered_body_does_not_verify(owner):
    endpoint = WebhookEndpoint(secret="whsec_" + base64.b64encode(b"k" * 24).decode())
    unsent = WebhookDelivery(endpoint=endpoint, message_id="msg_1", body='{"a":1}')
    headers = delivery.headers_for(unsent, 1700000000)
    assert verify(endpoint.secret, headers, '{"a":1}')
    assert not verify(endpoint.secret, headers, '{"a":2}')


def test_status_change_quote_message_and_documents_missing(owner, staff, django_capture_on_commit_callbacks):
    secret = [""]
    with Receiver(secret, []) as receiver:
        endpoint = endpoint_for(owner, receiver.url)
        secret[0] = endpoint.secret
        claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
        with django_capture_on_commit_callbacks(execute=True):
            services.claim_change_status(
                claim=claim, to=Status.WAITING_CUSTOMER, by=staff, quote=(120, "RON", "New screen")
            )
            services.message_post(claim=claim, author=staff, body="Please decide.", from_service=True)
            services.message_post(claim=claim, author=staff, body="internal", from_service=True, internal=True)
    types = [json.loads(r["body"])["type"] for r in receiver.received]
    assert sorted(types) == ["claim.message", "claim.quote_sent", "claim.status_changed"]
    assert all(r["valid"] for r in receiver.received)
    assert "internal" not in "".join(r["body"] for r in receiver.received)


def test_only_chosen_events_of_the_own_company(owner, stranger, staff, django_capture_on_commit_callbacks):
    with Receiver([""], []) as receiver:
        endpoint_for(owner, receiver.url, [WebhookEvent.MESSAGE])
        other = ClaimFactory(owner=stranger, status=Status.DIAGNOSIS)
        mine = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
        with django_capture_on_commit_callbacks(execute=True):
            services.message_post(claim=other, author=staff, body="B's", from_service=True)
            services.claim_change_status(claim=mine, to=Status.REPAIR, by=staff)
    assert receiver.received == []


def test_an_endpoint_that_keeps_failing_is_disabled_and_admins_told(
    owner, staff, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    with Receiver([""], [500] * 10) as receiver:
        endpoint = endpoint_for(owner, receiver.url, [WebhookEvent.MESSAGE])
        claim = ClaimFactory(owner=owner)
        with django_capture_on_commit_callbacks(execute=True):
            services.message_post(claim=claim, author=staff, body="x", from_service=True)
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert len(receiver.received) == 3
    assert WebhookAttempt.objects.count() == 3
    told = [m for m in mail.outbox if owner.email in m.to and endpoint.url in m.body]
    assert len(told) == 1
    assert endpoint.url in told[0].alternatives[0][0]


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://192.168.0.10/hook",
        "https://localhost/hook",
        "http://93.184.215.14/hook",
    ],
)
def test_private_addresses_and_plain_http_are_refused(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(RuleViolation) as refused:
        addresses.resolve(url)
    assert refused.value.field == "url"


def test_the_address_is_checked_again_at_send_time(owner, settings, django_capture_on_commit_callbacks):
    with Receiver([""], []) as receiver:
        endpoint = endpoint_for(owner, receiver.url, [WebhookEvent.MESSAGE])
        settings.WEBHOOKS_ALLOW_PRIVATE = False
        settings.WEBHOOK_RETRY_DELAYS = []
        claim = ClaimFactory(owner=owner)
        with django_capture_on_commit_callbacks(execute=True):
            services.message_post(claim=claim, author=owner, body="x", from_service=True)
    assert receiver.received == []
    attempt = WebhookAttempt.objects.get()
    assert "private network" in attempt.error or "https" in attempt.error
    assert endpoint.deliveries.get().state == DeliveryState.FAILED


def test_the_administrator_registers_reads_the_log_and_sends_again(
    owner_client, owner, colleague_client, django_capture_on_commit_callbacks
):
    with Receiver([""], [500]) as receiver:
        response = owner_client.post(reverse("api_webhooks"), {"url": receiver.url, "events": ["claim.message"]})
        endpoint = WebhookEndpoint.objects.get()
        assert response.status_code == 302
        claim = ClaimFactory(owner=owner)
        with django_capture_on_commit_callbacks(execute=True):
            services.message_post(claim=claim, author=owner, body="x", from_service=True)
        delivery = WebhookDelivery.objects.get()
        page = owner_client.get(reverse("api_webhook", args=[endpoint.pk]))
        assert page.status_code == 200
        assert delivery.message_id.encode() in page.content and b"HTTP 500" in page.content
        assert endpoint.secret.encode() in page.content
        with django_capture_on_commit_callbacks(execute=True):
            owner_client.post(reverse("api_webhook_resend", args=[endpoint.pk, delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SUCCEEDED
    assert len(receiver.received) == 3
    assert colleague_client.get(reverse("api_webhook", args=[endpoint.pk])).status_code == 404


def test_registration_refuses_a_private_address(owner_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = owner_client.post(reverse("api_webhooks"), {"url": "https://127.0.0.1/x", "events": ["claim.created"]})
    assert response.status_code == 200
    assert "private network" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_csv_import_sends_one_delivery_a_claim_and_costs_nothing_without_endpoints(
    api, owner, claim_setup, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from claims import csv_import
    from claims.services import ReturnAddress

    ean = claim_setup["product"].ean
    rows = "".join(f"PR-{n};{ean};SN{n};2026-10-01;Broken;\r\n" for n in range(20))

    def run():
        return csv_import.claims_import_csv(
            user=owner,
            uploaded=SimpleUploadedFile("c.csv", rows.encode()),
            claim_type=claim_setup["claim_type"],
            return_address=ReturnAddress.from_address(claim_setup["address"]),
        )

    with django_capture_on_commit_callbacks(execute=False), django_assert_max_num_queries(30):
        assert run().ok
    with Receiver([""], []) as receiver:
        endpoint_for(owner, receiver.url, [WebhookEvent.CLAIM_CREATED])
        with django_capture_on_commit_callbacks(execute=True):
            assert run().ok
    assert len(receiver.received) == 20


def test_a_csv_import_with_a_listening_endpoint_writes_its_deliveries_in_bulk(
    owner, claim_setup, django_capture_on_commit_callbacks
):
    """One delivery a claim and event, but no query a claim: the lines are read once, the deliveries bulk-inserted."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims import csv_import
    from claims.services import ReturnAddress

    ean = claim_setup["product"].ean
    endpoint_for(owner, "https://93.184.216.34/hook", [WebhookEvent.CLAIM_CREATED, WebhookEvent.DOCUMENTS_MISSING])

    def run(count):
        rows = "".join(f"W{count}-{n};{ean};SW{count}{n};2026-10-01;Broken;\r\n" for n in range(count))
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks() as callbacks:
                result = csv_import.claims_import_csv(
                    user=owner,
                    uploaded=SimpleUploadedFile("c.csv", rows.encode()),
                    claim_type=claim_setup["claim_type"],
                    return_address=ReturnAddress.from_address(claim_setup["address"]),
                )
            # After the import's commit: its numbering, then the deliveries (whose sends are not run here).
            with django_capture_on_commit_callbacks():
                callbacks[0]()
        assert result.ok
        return len(queries)

    run(5)
    small = run(20)
    big = run(200)
    # SQLite binds at most 999 values a statement: Django splits the bulk inserts there every few dozen rows.
    assert big - small <= (0 if connection.vendor == "postgresql" else 180 // 10)
    deliveries = WebhookDelivery.objects.filter(event=WebhookEvent.CLAIM_CREATED)
    assert deliveries.count() == 225
    body = json.loads(deliveries.order_by("id").last().body)
    assert body["data"]["claim"]["lines"][0]["ean"] == ean
    assert body["data"]["claim"]["rma_number"].startswith("RMA/")
    # Every delivery carries its claim's final number, never an import's placeholder.
    sent = [json.loads(d.body)["data"]["claim"]["rma_number"] for d in deliveries]
    assert sorted(sent) == sorted(Claim.objects.filter(import_batch__isnull=False).values_list("rma_number", flat=True))
