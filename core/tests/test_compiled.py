"""core.compiled.IdsQuery: the same rows as the ORM, with the SQL compiled once per process on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from claims.models import Claim, ClaimLine
from claims.tests.factories import ClaimFactory, ClaimLineFactory
from core.compiled import IdsQuery


def lines_query():
    return IdsQuery(
        ClaimLine,
        "claim_id",
        lambda lookup, ids: (
            ClaimLine.objects.filter(**{lookup: ids})
            .order_by("claim_id", "position")
            .values_list("claim_id", "position", "serial", "document_date", "product__name")
        ),
    )


@pytest.mark.django_db
def test_the_rows_are_the_orms(owner):
    first, second, other = ClaimFactory(owner=owner), ClaimFactory(owner=owner), ClaimFactory(owner=owner)
    for claim, serials in ((first, ["A1", "A2"]), (second, ["B1"]), (other, ["C1"])):
        for serial in serials:
            ClaimLineFactory(claim=claim, serial=serial)
    query = lines_query()
    expected = list(
        ClaimLine.objects.filter(claim_id__in=[first.pk, second.pk])
        .order_by("claim_id", "position")
        .values_list("claim_id", "position", "serial", "document_date", "product__name")
    )
    assert [row[2] for row in expected] == ["A1", "A2", "B1"]
    assert query.rows([first.pk, second.pk]) == expected
    # Another page of ids, through the same compiled SQL: only its own lines.
    assert [row[2] for row in query.rows([other.pk])] == ["C1"]
    assert query.rows([]) == []


@pytest.mark.django_db
def test_postgresql_compiles_once_and_sends_the_ids_as_one_array(owner):
    if connection.vendor != "postgresql":
        pytest.skip("the compiled path is PostgreSQL's")
    claims = [ClaimFactory(owner=owner) for _ in range(3)]
    for claim in claims:
        ClaimLineFactory(claim=claim)
    query = lines_query()
    with CaptureQueriesContext(connection) as captured, translation.override("ro"):
        query.rows([claims[0].pk])
        query.rows([claim.pk for claim in claims])
    first, second = (entry["sql"] for entry in captured.captured_queries)
    assert "= ANY(" in first and " IN (" not in first
    # The same statement for one id and for three: nothing was compiled for the second page.
    assert first.split("ANY(")[0] == second.split("ANY(")[0]
    assert len(query._sql) == 1
    with translation.override("en"):
        query.rows([claims[0].pk])
    assert len(query._sql) == 2  # compiled again for the other language, whose columns may differ


@pytest.mark.django_db
def test_a_query_that_needs_converters_is_refused(owner):
    if connection.vendor != "postgresql":
        pytest.skip("the compiled path is PostgreSQL's")
    claim = ClaimFactory(owner=owner)
    # The claim's return phone is a PhoneNumberField: its values are converted by Python, not by psycopg.
    query = IdsQuery(Claim, "id", lambda lookup, ids: Claim.objects.filter(**{lookup: ids}).values_list("return_phone"))
    with pytest.raises(ValueError, match="no converters"):
        query.rows([claim.pk])
