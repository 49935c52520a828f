"""Claims of an import still under placeholder numbers (year 0): hidden from partners, numbered by housekeeping.

An import commits its claims under placeholders and numbers them right after the commit
(``services.claims_create_many``). If the process dies in between, the claims stay placeholders: the
partner never sees them, and the housekeeping job ``number_placeholder_claims`` numbers them later.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from claims import services
from claims.models import Claim
from claims.services import ClaimData, LineData, ReturnAddress, claim_create, claims_create_many
from claims.tests.factories import ClaimTypeFactory
from warranty.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

ADDRESS = ReturnAddress("Firma", "Str. 1", "010101", "Bucuresti", "RO")


def web_claim(owner, claim_type, product):
    data = ClaimData(
        claim_type=claim_type,
        lines=[LineData(product=product, document_date=datetime.date(2026, 1, 5), description="Broken")],
        return_address=ADDRESS,
    )
    return claim_create(user=owner, data=data)


def left_unnumbered(owner, claim_type, product, count, prefix, age=datetime.timedelta(minutes=5)):
    """An import whose process stopped after its commit, before numbering: the numbering never runs."""
    rows = [
        {
            "own_number": f"{prefix}{i}",
            "line": LineData(product=product, document_date=datetime.date(2026, 1, 5), description="x"),
        }
        for i in range(count)
    ]
    claims = claims_create_many(user=owner, claim_type=claim_type, return_address=ADDRESS, rows=rows)
    assert all(claim.rma_year == 0 for claim in claims)  # in the test's transaction: not numbered yet
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(created_at=timezone.now() - age)
    return claims


@pytest.fixture
def setup(owner):
    return owner, ClaimTypeFactory(), ProductFactory()


def test_a_partner_does_not_see_placeholder_claims(setup, owner_client):
    owner, claim_type, product = setup
    numbered = web_claim(owner, claim_type, product)
    (placeholder,) = left_unnumbered(owner, claim_type, product, 1, "P")
    page = owner_client.get(reverse("claim_list")).content.decode()
    assert numbered.rma_number in page and placeholder.rma_number not in page and "IMPORT/" not in page
    assert owner_client.get(reverse("claim_detail", args=[placeholder.pk])).status_code == 404
    assert owner_client.get(reverse("claim_label", args=[placeholder.pk])).status_code == 404
    assert owner_client.get(reverse("claim_detail", args=[numbered.pk])).status_code == 200


def test_the_import_page_does_not_list_placeholder_claims(setup, owner_client):
    from claims.models import ImportBatch

    owner, claim_type, product = setup
    (placeholder,) = left_unnumbered(owner, claim_type, product, 1, "P")
    batch = ImportBatch.objects.create(company=owner.membership.company, owner=owner, file_name="c.csv", claim_count=1)
    Claim.objects.filter(pk=placeholder.pk).update(import_batch=batch)
    page = owner_client.get(batch.get_absolute_url()).content.decode()
    assert "IMPORT/" not in page and f"doc_{placeholder.pk}" not in page
    services.claims_number_placeholders()
    placeholder.refresh_from_db()
    page = owner_client.get(batch.get_absolute_url()).content.decode()
    assert placeholder.rma_number in page and f"doc_{placeholder.pk}" in page


def test_housekeeping_numbers_old_placeholders_in_order_once(setup, django_capture_on_commit_callbacks):
    from claims.tasks import number_placeholder_claims
    from core.models import OutgoingEmail

    owner, claim_type, product = setup
    web_claim(owner, claim_type, product)
    first = left_unnumbered(owner, claim_type, product, 5, "A")
    second = left_unnumbered(owner, claim_type, product, 3, "B")
    young = left_unnumbered(owner, claim_type, product, 2, "Y", age=datetime.timedelta(seconds=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert number_placeholder_claims.delay().get() == 8
    numbered = Claim.objects.exclude(rma_year=0)
    assert sorted(numbered.values_list("rma_seq", flat=True)) == list(range(1, 10))
    # In the order of the placeholders: each import's claims in its file's order, one block after the other.
    by_seq = dict(numbered.values_list("rma_seq", "own_number"))
    imported = [by_seq[seq] for seq in range(2, 10)]
    groups = [[f"A{i}" for i in range(5)], [f"B{i}" for i in range(3)]]
    if first[0].rma_seq > second[0].rma_seq:
        groups.reverse()
    assert imported == groups[0] + groups[1]
    assert set(Claim.objects.filter(rma_year=0).values_list("pk", flat=True)) == {c.pk for c in young}
    assert all(number.startswith("RMA/") for number in numbered.values_list("rma_number", flat=True))
    # The summary e-mail the import would have sent, with the final numbers.
    repaired = list(numbered.exclude(own_number="").values_list("rma_number", flat=True))
    bodies = list(OutgoingEmail.objects.filter(to=owner.email).values_list("body_text", flat=True))
    assert len(repaired) == 8 and any(all(number in body for number in repaired) for body in bodies)
    # Idempotent: nothing more to do until the young ones are a minute old.
    assert number_placeholder_claims.delay().get() == 0
    assert services.claims_number_placeholders(now=timezone.now() + datetime.timedelta(minutes=2)) == 2
    assert not Claim.objects.filter(rma_year=0).exists()
    assert services.claims_number_placeholders(now=timezone.now() + datetime.timedelta(minutes=2)) == 0
    assert sorted(Claim.objects.values_list("rma_seq", flat=True)) == list(range(1, 12))


def test_housekeeping_numbers_in_chunks(setup, monkeypatch):
    owner, claim_type, product = setup
    monkeypatch.setattr(services, "NUMBERING_CHUNK", 2)
    allocate, counts = services.allocate_rma_numbers, []

    def spy(count, now=None):
        counts.append(count)
        return allocate(count, now)

    monkeypatch.setattr(services, "allocate_rma_numbers", spy)
    left_unnumbered(owner, claim_type, product, 5, "C")
    assert services.claims_number_placeholders() == 5
    assert counts == [2, 2, 1]
    assert sorted(Claim.objects.values_list("rma_seq", flat=True)) == [1, 2, 3, 4, 5]


def test_the_job_is_on_the_beat_schedule():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["number_placeholder_claims"]
    assert entry == {"task": "claims.tasks.number_placeholder_claims", "schedule": 600.0}
