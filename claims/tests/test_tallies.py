"""The claim counts per (company, status) kept by database triggers (claims 0016), whatever wrote the claims.

Every test compares the tally's sums with the real COUNT(*) per (company, status). They run on SQLite
(row triggers) and, with DATABASE_URL pointing at PostgreSQL, on PostgreSQL (statement triggers with
transition tables); the COPY of the CSV import is PostgreSQL's.
"""

import datetime
from unittest import mock

import pytest
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.urls import reverse

from accounts.tests.factories import UserFactory
from claims import selectors, services, tallies
from claims.models import Claim, ClaimStatusTally, Status
from claims.tests.factories import ClaimFactory, ClaimTypeFactory
from warranty.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

TRIGGERS = {"claims_claim_tally_insert", "claims_claim_tally_update", "claims_claim_tally_delete"}


def real_counts():
    rows = Claim.objects.values("company_id", "status").annotate(n=Count("*")).order_by()
    return {(row["company_id"], row["status"]): row["n"] for row in rows}


def tally_sums():
    rows = ClaimStatusTally.objects.values("company_id", "status").annotate(n=Sum("delta")).exclude(n=0).order_by()
    return {(row["company_id"], row["status"]): row["n"] for row in rows}


def assert_tally_right():
    assert tally_sums() == real_counts()


def line(product):
    return services.LineData(product=product, document_date=datetime.date(2026, 10, 1), description="Dead.")


def address():
    return services.ReturnAddress(
        name="Electro Demo SRL", street="Bd. Unirii 10", postal_code="030823", city="B", country="RO"
    )


def import_rows(count):
    product = ProductFactory()
    return [{"line": line(product), "own_number": f"N{n}"} for n in range(count)]


def test_the_migration_creates_the_three_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'claims_claim'::regclass AND NOT tgisinternal"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        found = {row[0] for row in cursor.fetchall()}
    assert found >= TRIGGERS
    if connection.vendor == "sqlite":
        assert "accounts_company_tally_delete" in found


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's flush is a TRUNCATE, which fires no trigger")
@pytest.mark.parametrize("company_first", [True, False])
def test_a_flush_in_any_table_order_leaves_no_count_behind_on_sqlite(owner, stranger, company_first):
    """Django's flush (transactional tests) deletes each table's rows, in no set order."""
    ClaimFactory(owner=owner)
    ClaimFactory(owner=stranger)
    company = owner.membership.company_id
    steps = [
        ("DELETE FROM accounts_company WHERE id = %s", [company]),
        ("DELETE FROM claims_claim WHERE company_id = %s", [company]),
    ]
    with transaction.atomic():
        with connection.cursor() as cursor:
            for sql, params in steps if company_first else reversed(steps):
                cursor.execute(sql, params)
        assert not ClaimStatusTally.objects.filter(company_id=company).exists()
        assert tally_sums() == {(stranger.membership.company_id, Status.REGISTERED): 1}
        # The company's members are left: the test's end checks the foreign keys.
        transaction.set_rollback(True)


def test_a_claim_filed_through_the_service_is_counted(owner):
    data = services.ClaimData(claim_type=ClaimTypeFactory(), lines=[line(ProductFactory())], return_address=address())
    claim = services.claim_create(user=owner, data=data, notify=False)
    services.claim_create(user=owner, data=data, notify=False)
    assert tally_sums() == {(owner.membership.company_id, claim.status): 2}
    assert_tally_right()


def test_a_workflow_status_change_moves_the_claim_between_counts(owner, staff):
    claim = ClaimFactory(owner=owner)
    ClaimFactory(owner=owner)
    services.claim_change_status(claim=claim, to=Status.RECEIVED, by=staff)
    company = owner.membership.company_id
    assert tally_sums() == {(company, Status.REGISTERED): 1, (company, Status.RECEIVED): 1}
    services.claims_change_status_bulk(claims=list(Claim.objects.all()), to=Status.RECEIVED, by=staff)
    assert tally_sums() == {(company, Status.RECEIVED): 2}
    assert_tally_right()


def test_a_queryset_update_is_counted_and_one_that_keeps_the_status_adds_nothing(owner, stranger):
    for status in (Status.REGISTERED, Status.REGISTERED, Status.RECEIVED):
        ClaimFactory(owner=owner, status=status)
    ClaimFactory(owner=stranger)
    Claim.objects.filter(company=owner.membership.company, status=Status.REGISTERED).update(status=Status.CLOSED)
    assert_tally_right()
    assert tally_sums()[(owner.membership.company_id, Status.CLOSED)] == 2
    rows = ClaimStatusTally.objects.count()
    Claim.objects.update(waybill="AWB1")
    Claim.objects.update(status=F("status"))
    assert ClaimStatusTally.objects.count() == rows
    assert_tally_right()


def test_deleted_claims_leave_the_count(owner, stranger):
    doomed, kept = ClaimFactory(owner=owner), ClaimFactory(owner=owner, status=Status.RECEIVED)
    ClaimFactory(owner=stranger)
    ClaimFactory(owner=stranger)
    doomed.delete()
    assert_tally_right()
    Claim.objects.filter(company=stranger.membership.company).delete()
    assert tally_sums() == {(owner.membership.company_id, Status.RECEIVED): 1}
    kept.delete()
    assert tally_sums() == {} == real_counts()


def test_a_claim_moved_to_another_company_moves_its_count(owner, stranger):
    moved, stays = ClaimFactory(owner=owner), ClaimFactory(owner=owner)
    moved.company = stranger.membership.company
    moved.save()
    assert tally_sums() == {
        (owner.membership.company_id, Status.REGISTERED): 1,
        (moved.company_id, Status.REGISTERED): 1,
    }
    Claim.objects.filter(pk=stays.pk).update(company=stranger.membership.company, status=Status.CLOSED)
    assert tally_sums() == {(moved.company_id, Status.REGISTERED): 1, (moved.company_id, Status.CLOSED): 1}
    assert_tally_right()


def test_the_csv_import_is_counted(owner):
    ClaimFactory(owner=owner)
    claims = services.claims_create_many(
        user=owner, claim_type=ClaimTypeFactory(), return_address=address(), rows=import_rows(25)
    )
    company = owner.membership.company_id
    assert tally_sums() == {(company, Status.REGISTERED): 1, (company, Status.AWAITING_DOCUMENTS): 25}
    assert claims[0].status == Status.AWAITING_DOCUMENTS
    assert_tally_right()


@pytest.mark.postgres
def test_the_csv_import_copy_fires_the_postgres_triggers(owner):
    copied = []

    def spy(model, objs):
        copied.append(model)
        return real_copy(model, objs)

    real_copy = services._copy_insert
    with mock.patch.object(services, "_copy_insert", side_effect=spy):
        claims = services.claims_create_many(
            user=owner, claim_type=ClaimTypeFactory(), return_address=address(), rows=import_rows(40)
        )
    assert copied[0] is Claim  # the claims went in by COPY, not by INSERT
    # One row for the COPY; the UPDATE that numbers the claims moves none between statuses.
    assert list(ClaimStatusTally.objects.values_list("company_id", "status", "delta")) == [
        (owner.membership.company_id, claims[0].status, 40)
    ]
    assert_tally_right()


def test_compaction_folds_the_rows_and_keeps_the_sums(owner, stranger):
    from claims.tasks import compact_claim_tallies

    for _ in range(3):
        ClaimFactory(owner=owner)
    gone = ClaimFactory(owner=stranger, status=Status.CLOSED)
    ClaimFactory(owner=stranger)
    Claim.objects.filter(company=owner.membership.company).update(status=Status.RECEIVED)
    gone.delete()
    before, rows = tally_sums(), ClaimStatusTally.objects.count()
    assert rows > len(before)
    removed = compact_claim_tallies.delay().get()
    assert removed == rows - len(before)
    assert ClaimStatusTally.objects.count() == len(before) == 2
    assert tally_sums() == before
    assert_tally_right()
    assert compact_claim_tallies.delay().get() == 0
    assert tally_sums() == before
    ClaimFactory(owner=stranger)  # a second row for (stranger's company, registered)
    assert tallies.compact_tallies() == 1
    assert_tally_right()


def test_compacting_nothing_is_fine(db):
    assert tallies.compact_tallies() == 0


def test_status_counts_reads_the_users_company_only(owner, colleague, stranger):
    for status in (Status.REGISTERED, Status.REGISTERED, Status.RECEIVED):
        ClaimFactory(owner=owner, status=status)
    ClaimFactory(owner=stranger, status=Status.CLOSED)
    closed = ClaimFactory(owner=owner, status=Status.CLOSED)
    closed.delete()  # a status whose sum is 0 is left out
    assert selectors.status_counts(owner) == {Status.REGISTERED: 2, Status.RECEIVED: 1}
    assert selectors.status_counts(colleague) == {Status.REGISTERED: 2, Status.RECEIVED: 1}
    assert selectors.status_counts(stranger) == {Status.CLOSED: 1}
    assert selectors.status_counts(UserFactory(username="loner", membership=False)) == {}
    assert selectors.status_counts(UserFactory(username="waiting", membership="pending")) == {}


def test_the_dashboard_shows_the_tallied_counts(owner, owner_client, staff):
    claims = [ClaimFactory(owner=owner) for _ in range(3)]
    services.claim_change_status(claim=claims[0], to=Status.RECEIVED, by=staff)
    Claim.objects.filter(pk=claims[1].pk).update(status=Status.CLOSED)
    response = owner_client.get(reverse("dashboard"))
    counts = {value: n for value, _label, n in response.context["status_counts"]}
    assert (counts[Status.REGISTERED], counts[Status.RECEIVED], counts[Status.CLOSED]) == (1, 1, 1)
    assert response.context["total_claims"] == 3


def test_the_claim_lists_total_comes_from_the_tally_when_only_statuses_narrow_it(owner, stranger):
    from claims.workflow import needs_partner_action

    waiting = needs_partner_action()[0]
    for status in (Status.REGISTERED, Status.REGISTERED, waiting, Status.CLOSED):
        ClaimFactory(owner=owner, status=status)
    ClaimFactory(owner=stranger, status=Status.REGISTERED)
    count = selectors.tally_count
    assert count(owner, selectors.ClaimFilter()) == 4
    assert count(owner, selectors.ClaimFilter(status=Status.REGISTERED)) == 2
    assert count(owner, selectors.ClaimFilter(needs_action=True)) == 1
    assert count(owner, selectors.ClaimFilter(status=Status.CLOSED, needs_action=True)) == 0
    for other in ({"query": "x"}, {"mine": True}, {"opened_from": datetime.date(2026, 1, 1)}, {"brand_id": 1}):
        assert count(owner, selectors.ClaimFilter(**other)) is None
