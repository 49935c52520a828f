"""The API's claim list is built without the nested serializers: it must say exactly what they say."""

import datetime

import pytest
from django.db.models import Prefetch
from django.utils import timezone, translation
from rest_framework.renderers import JSONRenderer

from api.renderers import ApiJSONRenderer, JSONFragments
from api.serializers import SUMMARY_VALUES, ClaimSummarySerializer, claim_summaries, summary_sql, summary_zone
from api.views import ClaimCursor, _summaries
from claims.models import Claim, ClaimLine, LineOutcome, LineVerdict
from claims.tests.factories import ClaimFactory, ClaimLineFactory
from warranty.tests.factories import FaultTypeFactory


def decided_line(claim):
    """A line with a verdict, its dates and an outcome with its reason."""
    return ClaimLineFactory(
        claim=claim,
        verdict=LineVerdict.IN_WARRANTY,
        purchase_date=datetime.date(2025, 12, 31),
        warranty_until=datetime.date(2027, 12, 31),
        outcome=LineOutcome.REPLACED,
        replacement_serial="NEW1",
        outcome_reason="Board swapped",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "Europe/Bucharest"])
def test_the_summaries_equal_the_serializer(owner, zone):
    first = ClaimFactory(owner=owner, own_number='PO "7" <x>', created_at=timezone.now() - datetime.timedelta(days=3))
    ClaimLineFactory(claim=first, fault_type=FaultTypeFactory(), serial="SN1", quantity=3)
    decided_line(first)
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


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "Europe/Bucharest", "America/New_York"])
def test_the_summaries_written_by_postgresql_are_the_renderers_bytes(owner, zone):
    """summary_sql writes each summary as JSON text: byte for byte what JSONRenderer writes of
    claim_summaries, in any zone, with escapes, empty and missing values, whole seconds and none."""
    tricky = 'PO "7" \\ <x> \u0001\u001f\t\n ăîșț € \u2028 😀'
    summer = datetime.datetime(2026, 7, 1, 10, 0, 0, tzinfo=datetime.UTC)  # whole seconds, summer time
    first = ClaimFactory(owner=owner, own_number=tricky, created_at=summer)
    Claim.objects.filter(pk=first.pk).update(status_changed_at=summer + datetime.timedelta(microseconds=120))
    ClaimLineFactory(claim=first, fault_type=FaultTypeFactory(), serial="SN1", quantity=3, description=tricky)
    decided_line(first)
    ClaimFactory(owner=owner, created_at=datetime.datetime(2026, 1, 15, 3, 4, 5, 600000, tzinfo=datetime.UTC))
    claims = Claim.objects.order_by("pk")
    with timezone.override(zone), translation.override("ro"):
        expected = JSONRenderer().render(claim_summaries(list(claims.values(*SUMMARY_VALUES))))
        written = claims.annotate(summary=summary_sql(summary_zone())).values_list("summary", flat=True)
        rendered = ApiJSONRenderer().render({"results": JSONFragments(written)})
    assert rendered == b'{"results":' + expected + b"}"
    assert b'"lines":[]' in expected  # the claim without lines
    assert (
        b"T13:00:00+03:00" if zone == "Europe/Bucharest" else b"T10:00:00Z" if zone == "UTC" else b"T06:00:00-04:00"
    ) in expected


def test_the_renderer_joins_fragments_after_the_other_members_and_indents_on_request():
    data = {"next": "https://x/?c=1", "previous": None, "results": JSONFragments(['{"a":1}', '{"b":"\u2028"}'])}
    assert (
        ApiJSONRenderer().render(data)
        == b'{"next":"https://x/?c=1","previous":null,"results":[{"a":1},{"b":"\\u2028"}]}'
    )
    assert ApiJSONRenderer().render({"results": JSONFragments([])}) == b'{"results":[]}'
    indented = ApiJSONRenderer().render(data, "application/json; indent=2")
    assert indented.startswith(b'{\n  "next"') and b'\n      "a": 1\n' in indented


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_cursor_position_written_by_postgresql_is_the_paginators(owner):
    """The API list reads each claim's cursor position as text (api.views._summaries): the same text
    ClaimCursor writes from a row's moment and id, with and without microseconds."""
    moments = [
        datetime.datetime(2026, 7, 1, 10, 0, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 1, 15, 3, 4, 5, 120, tzinfo=datetime.UTC),
    ]
    claims = [ClaimFactory(owner=owner, created_at=moment) for moment in moments]
    cursor = ClaimCursor()
    rows = {row["position"]: row for row in _summaries(Claim.objects.order_by("pk"), "UTC")}
    expected = [cursor._get_position_from_instance({"created_at": c.created_at, "id": c.pk}, None) for c in claims]
    assert sorted(rows) == sorted(expected)
    assert f"2026-07-01T10:00:00+00:00|{claims[0].pk}" in rows
