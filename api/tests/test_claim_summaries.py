"""The API's claim list is built without the nested serializers: it must say exactly what they say."""

import datetime

import pytest
from django.db.models import Prefetch
from django.utils import timezone, translation

from api.serializers import SUMMARY_VALUES, ClaimSummarySerializer, claim_summaries
from claims.models import Claim, ClaimLine, LineOutcome, LineVerdict
from claims.tests.factories import ClaimFactory, ClaimLineFactory
from warranty.tests.factories import FaultTypeFactory


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "Europe/Bucharest"])
def test_the_summaries_equal_the_serializer(owner, zone):
    first = ClaimFactory(owner=owner, own_number='PO "7" <x>', created_at=timezone.now() - datetime.timedelta(days=3))
    ClaimLineFactory(claim=first, fault_type=FaultTypeFactory(), serial="SN1", quantity=3)
    ClaimLineFactory(
        claim=first,
        verdict=LineVerdict.IN_WARRANTY,
        purchase_date=datetime.date(2025, 12, 31),
        warranty_until=datetime.date(2027, 12, 31),
        outcome=LineOutcome.REPLACED,
        replacement_serial="NEW1",
        outcome_reason="Board swapped",
    )
    ClaimFactory(owner=owner)  # no lines
    claims = Claim.objects.select_related("claim_type").prefetch_related(
        Prefetch("lines", queryset=ClaimLine.objects.select_related("product__brand", "fault_type"))
    )
    with timezone.override(zone), translation.override("ro"):
        expected = ClaimSummarySerializer(claims.order_by("pk"), many=True).data
        fast = claim_summaries(list(Claim.objects.order_by("pk").values(*SUMMARY_VALUES)))
    assert fast == expected
    (shown,) = [summary for summary in fast if summary["rma_number"] == first.rma_number]
    assert sorted(line["outcome"] for line in shown["lines"]) == ["", "replaced"]
    assert shown["own_number"] == 'PO "7" <x>'
