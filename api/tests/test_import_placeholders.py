"""The API and the webhooks never show an import's placeholder numbers (see claims/tests/test_placeholders.py)."""

import datetime
import json

import pytest
from django.utils import timezone

from api import webhooks
from api.models import WebhookDelivery, WebhookEvent
from claims import services
from claims.models import Claim
from claims.services import LineData, ReturnAddress, claims_create_many

pytestmark = pytest.mark.django_db

ADDRESS = ReturnAddress("Firma", "Str. 1", "010101", "Bucuresti", "RO")


def left_unnumbered(owner, claim_setup, count):
    """An import whose process stopped after its commit, before numbering (in the test's transaction)."""
    rows = [
        {
            "own_number": f"LEFT-{i}",
            "line": LineData(product=claim_setup["product"], document_date=datetime.date(2026, 1, 5), description="x"),
        }
        for i in range(count)
    ]
    claims = claims_create_many(user=owner, claim_type=claim_setup["claim_type"], return_address=ADDRESS, rows=rows)
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    return claims


def claim_data(claim_setup):
    line = LineData(product=claim_setup["product"], document_date=datetime.date(2026, 1, 5), description="x")
    return services.ClaimData(claim_type=claim_setup["claim_type"], lines=[line], return_address=ADDRESS)


def test_the_api_does_not_list_placeholder_claims(api, owner, claim_setup):
    claims = left_unnumbered(owner, claim_setup, 2)
    numbered = services.claim_create(user=owner, data=claim_data(claim_setup), notify=False)
    listed = api.get("/api/v1/claims/").json()["results"]
    assert [item["rma_number"] for item in listed] == [numbered.rma_number]
    assert api.get(f"/api/v1/claims/{claims[0].rma_number}/").status_code == 404


def test_housekeeping_sends_the_webhooks_of_the_claims_it_numbers(
    owner, claim_setup, django_capture_on_commit_callbacks
):
    from claims.tasks import number_placeholder_claims

    webhooks.endpoint_create(
        company=owner.membership.company,
        by=owner,
        url="https://93.184.216.34/hook",
        events=[WebhookEvent.CLAIM_CREATED],
    )
    left_unnumbered(owner, claim_setup, 3)
    with django_capture_on_commit_callbacks():  # the deliveries are written; their sends are not run here
        assert number_placeholder_claims.delay().get() == 3
    sent = sorted(json.loads(d.body)["data"]["claim"]["rma_number"] for d in WebhookDelivery.objects.all())
    assert sent == sorted(Claim.objects.filter(own_number__startswith="LEFT-").values_list("rma_number", flat=True))
    assert all(number.startswith("RMA/") for number in sent) and len(sent) == 3
    with django_capture_on_commit_callbacks():
        assert number_placeholder_claims.delay().get() == 0
    assert WebhookDelivery.objects.count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("key", ["", "import-1"])
def test_the_import_answer_lists_the_final_numbers(api, claim_setup, key):
    """The request really commits here: its claims are numbered then, before the answer is drawn (and stored)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    ean = claim_setup["product"].ean
    csv_text = "".join(f"PR-{n};{ean};SN{n};2026-10-01;Broken;Repair\r\n" for n in range(3))
    headers = {"Idempotency-Key": key} if key else {}

    def post():
        upload = SimpleUploadedFile("claims.csv", csv_text.encode(), content_type="text/csv")
        return api.post(
            "/api/v1/imports/", {"file": upload, "claim_type": claim_setup["claim_type"].code}, headers=headers
        )

    response = post()
    assert response.status_code == 201, response.json()
    batch = response.json()
    final = list(Claim.objects.order_by("rma_seq").values_list("rma_number", flat=True))
    assert batch["claims"] == final and len(final) == 3 and all(n.startswith("RMA/") for n in final)
    assert api.get(f"/api/v1/imports/{batch['id']}/").json()["claims"] == final
    if key:  # the replay answers the same, final numbers
        assert post().json() == batch and Claim.objects.count() == 3
