import threading

import pytest
from django.db import connection

from api.models import IdempotencyRecord
from claims.models import Claim, Message
from claims.tests.factories import ClaimFactory

from .conftest import KeyClient, claim_payload, key_for


def _post(api, payload, key, **extra):
    return api.post("/api/v1/claims/", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **extra)


@pytest.mark.django_db
def test_the_same_key_and_body_returns_the_first_answer(api, claim_setup):
    payload = claim_payload(claim_setup)
    first = _post(api, payload, "k-1")
    assert first.status_code == 201
    again = _post(api, payload, "k-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Claim.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(api, claim_setup):
    assert _post(api, claim_payload(claim_setup), "k-2").status_code == 201
    other = _post(api, claim_payload(claim_setup, own_number="ERP-2"), "k-2")
    assert other.status_code == 422
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["code"] == "idempotency_key_reused"
    assert Claim.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_request_keeps_nothing_and_may_be_retried(api, claim_setup):
    bad = _post(api, claim_payload(claim_setup, claim_type="nope"), "k-3")
    assert bad.status_code == 422
    assert not IdempotencyRecord.objects.exists()
    assert _post(api, claim_payload(claim_setup), "k-3").status_code == 201


@pytest.mark.django_db
def test_keys_belong_to_a_company(api, stranger, owner):
    claim = ClaimFactory(owner=owner)
    other = ClaimFactory(owner=stranger)
    stranger_api = KeyClient(key_for(stranger)[1])
    url = "/api/v1/claims/{}/messages/"
    slug = claim.rma_number.replace("/", "-")
    other_slug = other.rma_number.replace("/", "-")
    assert api.post(url.format(slug), {"body": "a"}, HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert stranger_api.post(url.format(other_slug), {"body": "a"}, HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert Message.objects.count() == 2


@pytest.mark.django_db
def test_without_a_key_every_post_writes(api, owner):
    claim = ClaimFactory(owner=owner)
    url = f"/api/v1/claims/{claim.rma_number.replace('/', '-')}/messages/"
    api.post(url, {"body": "a"})
    api.post(url, {"body": "a"})
    assert Message.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_requests_with_one_key_create_once(owner, claim_setup):
    secret = key_for(owner)[1]
    payload = claim_payload(claim_setup)
    barrier = threading.Barrier(6)
    results = []

    def send():
        try:
            api = KeyClient(secret)
            barrier.wait()
            response = _post(api, payload, "parallel-1")
            results.append((response.status_code, response.json()["rma_number"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6
    assert {status for status, _number in results} == {201}
    assert len({number for _status, number in results}) == 1
    assert Claim.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
