"""core.compiled (IdsQuery, PrecompiledQuery) on the claims' reads: the same rows as the ORM, the SQL compiled once."""

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


def same(left, right):
    """Two lists of instances with the same field values, related objects included."""
    assert [type(obj) for obj in left] == [type(obj) for obj in right]
    for a, b in zip(left, right, strict=True):
        assert a.pk == b.pk
        assert {f.attname: getattr(a, f.attname) for f in a._meta.concrete_fields if f.attname in a.__dict__} == {
            f.attname: getattr(b, f.attname) for f in b._meta.concrete_fields if f.attname in b.__dict__
        }
        assert a.get_deferred_fields() == b.get_deferred_fields()


@pytest.mark.django_db
def test_precompiled_instances_are_the_orms(owner, stranger, django_assert_num_queries):
    from claims import selectors
    from claims.models import Message, StatusChange

    claim = ClaimFactory(owner=owner)
    for serial in ("S1", "S2"):
        ClaimLineFactory(claim=claim, serial=serial)
    Message.objects.create(claim=claim, author=owner, body="seen")
    Message.objects.create(claim=claim, author=owner, body="internal", internal=True, from_service=True)
    StatusChange.objects.create(claim=claim, from_status="registered", to_status="received", by=owner)
    company = selectors.access.active_company(owner)

    shown = selectors.get_claim_for_user(owner, claim.pk)
    expected = Claim.objects.select_related("claim_type", "owner").defer("owner__phone").get(pk=claim.pk)
    same([shown], [expected])
    with django_assert_num_queries(0):
        assert shown.owner.username == owner.username and shown.claim_type.pk == claim.claim_type_id
    assert shown.owner.get_deferred_fields() == {"phone"}

    _claim, lines, _attachments, timeline, messages = selectors.claim_detail(owner, claim.pk)
    same(lines, list(claim.lines.select_related("product__brand", "fault_type").order_by("position")))
    assert [line.serial for line in lines] == ["S1", "S2"]
    with django_assert_num_queries(0):
        assert lines[0].product.brand.name and lines[0].claim is _claim
    # The constant of the query (internal=False) stays in it: the internal note is not shown.
    assert [m.body for m in messages] == ["seen"]
    same(timeline, list(StatusChange.objects.filter(claim=claim).select_related("by").order_by("created_at", "id")))
    # Another company's claim, a missing one and an id past the column's range are a 404.
    from django.http import Http404

    other = ClaimFactory(owner=stranger)
    assert other.company_id != claim.company_id
    for pk in (other.pk, 10**9, 2**70, "x"):
        with pytest.raises(Http404):
            selectors.get_claim_for_user(owner, pk)
    assert company is not None


def test_a_parameter_that_does_not_reach_the_sql_is_refused():
    from core.compiled import PrecompiledQuery

    query = PrecompiledQuery(Claim, lambda company_id, unused: Claim.objects.filter(company_id=company_id))
    with pytest.raises(ValueError, match="each parameter must reach the SQL"):
        query._compile("default", (1, 2))


@pytest.mark.django_db
def test_a_constant_of_the_query_equal_to_a_parameter_stays_a_constant(owner):
    from core.compiled import PrecompiledQuery

    claim = ClaimFactory(owner=owner)
    for position in (1, 2):
        ClaimLineFactory(claim=claim, position=position, serial=f"P{position}")
    # position=1 is the query's own; the caller's parameters are the claim and the year (a small integer).
    query = PrecompiledQuery(
        ClaimLine,
        lambda claim_id, year: ClaimLine.objects.filter(
            claim_id=claim_id, position=1, claim__rma_year=year
        ).values_list("serial", flat=True),
    )
    assert query.all(claim.pk, claim.rma_year) == ["P1"]
    assert query.all(claim.pk, claim.rma_year + 1) == []
    assert query.all(ClaimFactory(owner=owner).pk, claim.rma_year) == []


@pytest.mark.django_db
def test_a_query_that_can_find_nothing_gives_nothing(owner):
    from core.compiled import PrecompiledQuery

    claim = ClaimFactory(owner=owner)
    # An empty slice (an empty company's first page) compiles to nothing at all: the ORM answers [].
    query = PrecompiledQuery(Claim, lambda company_id: Claim.objects.filter(company_id=company_id)[0:0])
    assert query.all(claim.company_id) == [] == list(Claim.objects.filter(company_id=claim.company_id)[0:0])


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_prepares_the_compiled_sql_once_with_a_generic_plan(owner):
    """A compiled query runs as a prepared statement of the connection, planned once (generic), and
    gives the ORM's rows; where queries are counted, Django's cursor runs it and it is counted."""
    first, second = ClaimFactory(owner=owner), ClaimFactory(owner=owner)
    ClaimLineFactory(claim=first, serial="P1")
    ClaimLineFactory(claim=second, serial="P2")
    query = lines_query()
    for _ in range(3):
        assert [row[2] for row in query.rows([first.pk, second.pk])] == ["P1", "P2"]
    (sql,) = query._sql.values()
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = %s",
            [sql.replace("%s", "$1")],
        )
        assert cursor.fetchall() == [(3, 0)]
    with CaptureQueriesContext(connection) as captured:
        assert [row[2] for row in query.rows([second.pk])] == ["P2"]
    assert len(captured.captured_queries) == 1
