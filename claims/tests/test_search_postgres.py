"""The trigram indexes of the claim search (claims 0011, warranty 0005), on PostgreSQL."""

import pytest
from django.db import connection

from claims.models import Claim, ClaimLine
from claims.selectors import ClaimFilter, claim_search_condition, claims_filtered
from claims.tests.factories import ClaimFactory, ClaimLineFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TRIGRAM_INDEXES = {
    "claim_rma_number_trgm_idx",
    "claim_own_number_trgm_idx",
    "claim_waybill_trgm_idx",
    "claimline_serial_trgm_idx",
    "product_name_trgm_idx",
}


def test_the_migrations_create_the_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%%trgm_idx'")
        found = dict(cursor.fetchall())
    assert set(found) == TRIGRAM_INDEXES
    assert all("gin" in definition and "gin_trgm_ops" in definition for definition in found.values())
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'claim_rma_number_prefix_idx'")
        assert "text_pattern_ops" in cursor.fetchone()[0]


@pytest.fixture
def many_claims(owner):
    template = ClaimFactory(owner=owner)
    line = ClaimLineFactory(claim=template)
    claims = [
        Claim(
            rma_year=2019,
            rma_seq=n,
            rma_number=f"RMA/{n}/SR/2019",
            company=template.company,
            owner=owner,
            claim_type=template.claim_type,
            own_number=f"PO-{n:06d}",
            waybill=f"AWB{n:08d}",
            return_name="X",
            return_street="Y",
            return_postal_code="1",
            return_city="Z",
            return_country="RO",
        )
        for n in range(1, 4001)
    ]
    created = Claim.objects.bulk_create(claims, batch_size=1000)
    ClaimLine.objects.bulk_create(
        [
            ClaimLine(
                claim=claim, product=line.product, serial=f"SN{claim.rma_seq:08d}X", document_date=line.document_date
            )
            for claim in created
        ],
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim; ANALYZE claims_claimline; ANALYZE warranty_product")
    return owner


def plan(queryset):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")


def test_contains_searches_use_the_trigram_indexes(many_claims):
    assert "claimline_serial_trgm_idx" in plan(ClaimLine.objects.filter(serial__icontains="00123").order_by())
    assert "claim_own_number_trgm_idx" in plan(Claim.objects.filter(own_number__icontains="o-0012").order_by())
    assert "claim_waybill_trgm_idx" in plan(Claim.objects.filter(waybill__icontains="b0000").order_by())
    # The start of an RMA number goes to its b-tree (text_pattern_ops); a part of it to the trigrams.
    assert "claim_rma_number_prefix_idx" in plan(Claim.objects.filter(rma_number__istartswith="RMA/12").order_by())
    assert "claim_rma_number_trgm_idx" in plan(Claim.objects.filter(rma_number__icontains="/12/").order_by())
    whole = plan(Claim.objects.filter(claim_search_condition("0012")).order_by())
    assert "claimline_serial_trgm_idx" in whole and "claim_own_number_trgm_idx" in whole, whole


def test_the_partner_search_finds_parts_on_postgresql(many_claims):
    found = claims_filtered(many_claims, ClaimFilter(query="n00000123x"))
    assert [claim.rma_number for claim in found] == ["RMA/123/SR/2019"]
    assert claims_filtered(many_claims, ClaimFilter(query="RMA/399")).count() == 11
