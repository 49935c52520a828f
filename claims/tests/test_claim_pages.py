import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Message, Status
from claims.services import claim_change_status
from claims.tests.factories import AttachmentFactory, ClaimFactory, ClaimLineFactory
from tests.html import text


@pytest.fixture
def claim(owner):
    claim = ClaimFactory(owner=owner, own_number="PR-77")
    ClaimLineFactory(claim=claim, position=1, serial="1SDJK7R0A10043")
    AttachmentFactory(claim=claim)
    return claim


def partner_urls(claim):
    attachment = claim.attachments.get()
    return {
        "detail": ("get", reverse("claim_detail", args=[claim.pk])),
        "registered": ("get", reverse("claim_registered", args=[claim.pk])),
        "attachment": ("get", reverse("claim_attachment", args=[claim.pk, attachment.pk])),
        "label": ("get", reverse("claim_label", args=[claim.pk])),
        "cancel": ("get", reverse("claim_cancel", args=[claim.pk])),
        "cancel-post": ("post", reverse("claim_cancel", args=[claim.pk])),
        "message": ("post", reverse("claim_message", args=[claim.pk])),
        "attach": ("post", reverse("claim_attachment_add", args=[claim.pk])),
        "quote": ("post", reverse("claim_quote", args=[claim.pk])),
        "quote-confirm": ("get", reverse("claim_quote", args=[claim.pk])),
    }


@pytest.mark.parametrize(
    "name",
    [
        "detail",
        "registered",
        "attachment",
        "label",
        "cancel",
        "cancel-post",
        "message",
        "attach",
        "quote",
        "quote-confirm",
    ],
)
def test_access_matrix(claim, stranger, staff, name):
    method, url = partner_urls(claim)[name]
    data = {"body": "hello", "decision": "accept"} if method == "post" else None

    anonymous = getattr(Client(), method)(url, data)
    assert anonymous.status_code == 302 and reverse("account_login") in anonymous["Location"]

    for other in (stranger, staff):
        client = Client()
        client.force_login(other)
        assert getattr(client, method)(url, data).status_code == 404, (name, other.username)

    owner = Client()
    owner.force_login(claim.owner)
    assert getattr(owner, method)(url, data).status_code in (200, 302)


def test_claim_list_is_owner_only(owner_client, claim, stranger):
    ClaimFactory(owner=stranger, own_number="THEIRS")
    html = owner_client.get(reverse("claim_list")).content.decode()
    assert claim.rma_number in html and "THEIRS" not in html


def test_wrong_method(owner_client, claim):
    assert owner_client.post(reverse("claim_detail", args=[claim.pk])).status_code == 405
    assert owner_client.get(reverse("claim_message", args=[claim.pk])).status_code == 405
    assert owner_client.delete(reverse("claim_list")).status_code == 405


def test_cancel_while_registered_then_not_after_receipt(owner_client, owner, claim, staff):
    other = ClaimFactory(owner=owner)
    claim_change_status(claim=other, to=Status.RECEIVED, by=staff)
    owner_client.post(reverse("claim_cancel", args=[other.pk]), {"note": ""})
    other.refresh_from_db()
    assert other.status == Status.RECEIVED

    response = owner_client.post(reverse("claim_cancel", args=[claim.pk]), {"note": "Sent by mistake"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.CANCELLED
    assert claim.status_changes.last().note == "Sent by mistake"


def test_message_to_the_service(owner_client, claim, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("claim_message", args=[claim.pk]), {"body": "When will it be ready?"})
    assert Message.objects.get().body == "When will it be ready?"
    assert mailoutbox[0].to == ["service@innpro.ro"] and claim.rma_number in mailoutbox[0].subject
    empty = owner_client.post(reverse("claim_message", args=[claim.pk]), {"body": ""})
    assert 'id="id_body_error"' in empty.content.decode()


def test_detail_hides_internal_notes(owner_client, claim, staff):
    Message.objects.create(claim=claim, author=staff, from_service=True, body="We are on it")
    Message.objects.create(claim=claim, author=staff, from_service=True, internal=True, body="SECRET internal")
    claim_change_status(claim=claim, to=Status.RECEIVED, by=staff, note="Parcel arrived", internal_note="box dented")
    html = owner_client.get(reverse("claim_detail", args=[claim.pk])).content.decode()
    assert "We are on it" in html and "Parcel arrived" in html
    assert "SECRET internal" not in html and "box dented" not in html


@pytest.mark.parametrize("count", [1, 30])
def test_list_and_detail_queries_do_not_grow(owner_client, owner, count, django_assert_max_num_queries):
    claims = [ClaimFactory(owner=owner) for _ in range(count)]
    for claim in claims:
        for position in range(1, 4):
            ClaimLineFactory(claim=claim, position=position)
    # The list's filter form adds its three choice lists (brands, claim types, the company's members).
    with django_assert_max_num_queries(12):
        owner_client.get(reverse("claim_list"))
    with django_assert_max_num_queries(9):
        owner_client.get(reverse("dashboard"))
    for position in range(4, 4 + count):
        ClaimLineFactory(claim=claims[0], position=position)
    with django_assert_max_num_queries(11):
        owner_client.get(reverse("claim_detail", args=[claims[0].pk]))


def test_search_by_rma_serial_and_own_number(owner_client, owner, claim, stranger):
    ClaimLineFactory(claim=ClaimFactory(owner=stranger, own_number="PR-77"), serial="1SDJK7R0A10043")
    seq, year = claim.rma_seq, claim.rma_year
    for query in (claim.rma_number, f"rma / {seq} / sr / {year}", f"rma{seq}sr{year}", "1sdjk7r0a10043", "pr-77"):
        response = owner_client.get(reverse("dashboard"), {"q": query})
        assert response.status_code == 302 and response["Location"] == claim.get_absolute_url(), query
    second = ClaimFactory(owner=owner, own_number="PR-77")
    html = owner_client.get(reverse("dashboard"), {"q": "PR-77"}).content.decode()
    assert claim.rma_number in html and second.rma_number in html
    html = owner_client.get(reverse("dashboard"), {"q": "nothing-like-this"}).content.decode()
    assert "No claim found Nothing matches “nothing-like-this” among your claims." in text(html)


def test_htmx_search_with_one_hit_redirects(owner_client, claim):
    response = owner_client.get(
        reverse("dashboard"), {"q": claim.rma_number}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-result"
    )
    assert response["HX-Redirect"] == claim.get_absolute_url()


def test_label_is_a_pdf(owner_client, claim):
    response = owner_client.get(reverse("claim_label", args=[claim.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
