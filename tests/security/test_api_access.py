"""The access matrix of the partner API: a key of company A reaches nothing of company B."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from api.tests.conftest import KeyClient, key_for
from claims.models import Attachment, Claim, Message, Status
from claims.tests.factories import AttachmentFactory, ClaimLineFactory, pdf_bytes
from warranty.tests.factories import ProductFactory, SaleFactory, SoldSerialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def b_claim(stranger):
    """Company B's claim, with a line, a sales document, a purchase and a sold serial."""
    line = ClaimLineFactory(claim__owner=stranger, serial="B-SERIAL-77")
    AttachmentFactory(claim=line.claim)
    vat_id = stranger.membership.company.vat_id
    SaleFactory(product=line.product, buyer_vat_id=vat_id, invoice_date="2026-03-17")
    SoldSerialFactory(product=line.product, serial="B-SERIAL-77", buyer_vat_id=vat_id, invoice_date="2026-03-17")
    return line.claim


@pytest.fixture
def a_api(owner):
    return KeyClient(key_for(owner)[1])


def _slug(claim):
    return claim.rma_number.replace("/", "-")


def _seen(response):
    return response.content.decode(errors="replace")


def test_a_key_of_a_sees_nothing_of_b(a_api, b_claim):
    slug = _slug(b_claim)
    listing = a_api.get("/api/v1/claims/")
    search = a_api.get("/api/v1/claims/", {"q": "B-SERIAL-77"})
    search_rma = a_api.get("/api/v1/claims/", {"q": b_claim.rma_number})
    for response in (listing, search, search_rma):
        assert response.status_code == 200
        assert response.json()["results"] == []
        assert b_claim.rma_number not in _seen(response)
    for url in (
        f"/api/v1/claims/{slug}/",
        f"/api/v1/claims/{slug}/label.pdf",
    ):
        response = a_api.get(url)
        assert response.status_code == 404, url
        assert b_claim.rma_number not in _seen(response) and "B-SERIAL-77" not in _seen(response)


def test_a_key_of_a_cannot_write_to_b(a_api, b_claim):
    slug = _slug(b_claim)
    files = {"kind": "photo", "files": [SimpleUploadedFile("x.pdf", pdf_bytes(), content_type="application/pdf")]}
    assert a_api.post(f"/api/v1/claims/{slug}/attachments/", files).status_code == 404
    for path, body in (("cancel", {}), ("messages", {"body": "hi"}), ("quote", {"decision": "accept"})):
        response = a_api.post(f"/api/v1/claims/{slug}/{path}/", json.dumps(body), content_type="application/json")
        assert response.status_code == 404, path
    b_claim.refresh_from_db()
    assert b_claim.status == Status.REGISTERED
    assert Attachment.objects.filter(claim=b_claim).count() == 1
    assert not Message.objects.filter(claim=b_claim).exists()


def test_lookups_of_a_show_nothing_of_bs_purchases(a_api, b_claim):
    product = b_claim.lines.get().product
    serial = a_api.get("/api/v1/serials/B-SERIAL-77/")
    assert serial.status_code == 200
    assert serial.json()["found"] is False
    assert "2026-03-17" not in _seen(serial)
    warranty = a_api.get(f"/api/v1/warranty/{product.ean}/")
    assert warranty.json()["verdict"] == "not_bought"
    assert "2026-03-17" not in _seen(warranty)


def test_imports_of_b_are_not_found(a_api, stranger):
    from claims.models import ImportBatch

    batch = ImportBatch.objects.create(company=stranger.membership.company, owner=stranger, file_name="b.csv")
    assert a_api.get(f"/api/v1/imports/{batch.pk}/").status_code == 404


def test_a_claim_created_by_a_key_belongs_to_its_company(a_api, owner, stranger):
    from accounts.tests.factories import AddressFactory
    from claims.tests.factories import ClaimTypeFactory

    AddressFactory(user=owner, is_default=True)
    b_address = AddressFactory(user=stranger, is_default=True)
    product = ProductFactory()
    payload = {
        "claim_type": ClaimTypeFactory().code,
        "lines": [{"ean": product.ean, "document_date": "2026-10-01", "description": "x"}],
        "return_address_id": b_address.pk,
        "confirm_warranty": True,  # not bought by A: the warranty type needs the confirmation
    }
    refused = a_api.post("/api/v1/claims/", payload, content_type="application/json")
    assert refused.status_code == 422
    assert "return_address_id" in refused.json()["errors"]
    del payload["return_address_id"]
    created = a_api.post("/api/v1/claims/", payload, content_type="application/json")
    assert created.status_code == 201
    assert Claim.objects.get(rma_number=created.json()["rma_number"]).company == owner.membership.company


@pytest.mark.parametrize("state", ["revoked", "expired"])
def test_a_revoked_or_expired_key_reaches_nothing(owner, state):
    import datetime

    from django.utils import timezone

    ClaimLineFactory(claim__owner=owner)
    key, secret = key_for(owner)
    if state == "revoked":
        key.revoked = True
    else:
        key.expiry_date = timezone.now() - datetime.timedelta(seconds=1)
    key.save()
    api = KeyClient(secret)
    for url in ("/api/v1/claims/", "/api/v1/claim-types/", "/api/v1/serials/X/"):
        assert api.get(url).status_code == 401


def test_a_read_key_cannot_write(owner):
    from api.models import KeyScope

    claim = ClaimLineFactory(claim__owner=owner).claim
    api = KeyClient(key_for(owner, KeyScope.READ)[1])
    assert api.get(f"/api/v1/claims/{_slug(claim)}/").status_code == 200
    assert api.post("/api/v1/claims/", {}, content_type="application/json").status_code == 403
    assert api.post(f"/api/v1/claims/{_slug(claim)}/messages/", {"body": "x"}).status_code == 403
    assert not Message.objects.exists()
