"""RMA numbers: RMA/<n>/SR/<year>, counting from 1 each year, unique and without gaps."""

import datetime
import threading
import zoneinfo

import pytest
from django.db import connection, transaction

from claims.models import Claim
from claims.services import ClaimData, LineData, ReturnAddress, claim_create, claims_create_many
from claims.tests.factories import ClaimTypeFactory
from warranty.tests.factories import ProductFactory

BUCHAREST = zoneinfo.ZoneInfo("Europe/Bucharest")


def claim_data(claim_type, product):
    return ClaimData(
        claim_type=claim_type,
        lines=[LineData(product=product, document_date=datetime.date(2026, 1, 5), description="Broken")],
        return_address=ReturnAddress("Firma", "Str. 1", "010101", "Bucuresti", "RO"),
    )


@pytest.fixture
def setup(owner):
    return owner, ClaimTypeFactory(), ProductFactory()


def numbers():
    return sorted(Claim.objects.values_list("rma_seq", flat=True))


def test_numbers_count_from_one_and_the_format(setup):
    owner, claim_type, product = setup
    now = datetime.datetime(2026, 3, 1, 12, tzinfo=BUCHAREST)
    first = claim_create(user=owner, data=claim_data(claim_type, product), now=now)
    second = claim_create(user=owner, data=claim_data(claim_type, product), now=now)
    assert (first.rma_number, second.rma_number) == ("RMA/1/SR/2026", "RMA/2/SR/2026")


def test_site_code_is_a_setting(setup, settings):
    settings.RMA_SITE_CODE = "PL"
    owner, claim_type, product = setup
    claim = claim_create(user=owner, data=claim_data(claim_type, product))
    assert "/PL/" in claim.rma_number


def test_new_year_starts_at_one(setup):
    owner, claim_type, product = setup
    claim_create(
        user=owner, data=claim_data(claim_type, product), now=datetime.datetime(2026, 12, 31, 23, 50, tzinfo=BUCHAREST)
    )
    claim_create(
        user=owner, data=claim_data(claim_type, product), now=datetime.datetime(2026, 12, 31, 23, 59, tzinfo=BUCHAREST)
    )
    # 00:10 in Bucharest is still 31 December in UTC: the year follows local time.
    new_year = claim_create(
        user=owner, data=claim_data(claim_type, product), now=datetime.datetime(2027, 1, 1, 0, 10, tzinfo=BUCHAREST)
    )
    assert new_year.rma_number == "RMA/1/SR/2027"


def test_a_failed_creation_leaves_no_gap(setup):
    owner, claim_type, product = setup
    claim_create(user=owner, data=claim_data(claim_type, product))
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            claim_create(user=owner, data=claim_data(claim_type, product))
            raise RuntimeError("the sales document could not be stored")
    claim_create(user=owner, data=claim_data(claim_type, product))
    assert numbers() == [1, 2]


def run_in_threads(count, work):
    barrier = threading.Barrier(count)
    errors = []

    def target(index):
        try:
            barrier.wait(timeout=30)
            work(index)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_creations_get_one_to_fifty(setup):
    owner, claim_type, product = setup

    def work(index):
        with transaction.atomic():
            claim_create(user=owner, data=claim_data(claim_type, product))

    assert run_in_threads(50, work) == []
    assert numbers() == list(range(1, 51))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_failures_leave_no_gaps(setup):
    owner, claim_type, product = setup

    def work(index):
        with transaction.atomic():
            claim_create(user=owner, data=claim_data(claim_type, product))
            if index % 3 == 0:
                raise RuntimeError("rolled back")

    errors = run_in_threads(30, work)
    assert len(errors) == 10
    assert numbers() == list(range(1, 21))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_csv_imports_in_parallel_with_web_claims_stay_gapless(setup):
    owner, claim_type, product = setup
    address = ReturnAddress("Firma", "Str. 1", "010101", "Bucuresti", "RO")
    rows = [
        {
            "own_number": f"R{i}",
            "line": LineData(product=product, document_date=datetime.date(2026, 1, 5), description="x"),
        }
        for i in range(40)
    ]

    def work(index):
        if index % 5 == 0:
            claims_create_many(user=owner, claim_type=claim_type, return_address=address, rows=rows)
        else:
            with transaction.atomic():
                claim_create(user=owner, data=claim_data(claim_type, product))

    assert run_in_threads(20, work) == []
    # 4 imports of 40 claims + 16 single claims.
    assert numbers() == list(range(1, 4 * 40 + 16 + 1))
    own_numbers_by_seq = dict(Claim.objects.values_list("rma_seq", "own_number"))
    # Each import took a consecutive block.
    imported = sorted(seq for seq, own in own_numbers_by_seq.items() if own == "R0")
    for seq in imported:
        assert [own_numbers_by_seq[seq + i] for i in range(40)] == [f"R{i}" for i in range(40)]


def test_an_import_takes_its_numbers_last_in_one_step(setup, monkeypatch):
    """Everything is written before the year's counter is taken, so web claims wait for it only briefly."""
    from claims import services
    from claims.models import ClaimLine, StatusChange

    owner, claim_type, product = setup
    claim_create(user=owner, data=claim_data(claim_type, product))
    written_before = []
    allocate = services.allocate_rma_numbers

    def spy(count, now=None):
        written_before.append((count, ClaimLine.objects.count(), StatusChange.objects.count()))
        return allocate(count, now)

    monkeypatch.setattr(services, "allocate_rma_numbers", spy)
    rows = [
        {
            "own_number": f"R{i}",
            "line": LineData(product=product, document_date=datetime.date(2026, 1, 5), description="x"),
        }
        for i in range(3)
    ]
    address = ReturnAddress("Firma", "Str. 1", "010101", "Bucuresti", "RO")
    claims = claims_create_many(user=owner, claim_type=claim_type, return_address=address, rows=rows)
    assert written_before == [(3, 4, 4)]  # one call, after the 3 new lines and timeline entries
    assert [c.rma_seq for c in claims] == [2, 3, 4]
    stored = dict(Claim.objects.values_list("own_number", "rma_number"))
    assert [stored[f"R{i}"] for i in range(3)] == [c.rma_number for c in claims]
    assert stored["R0"].startswith("RMA/2/") and not Claim.objects.filter(rma_year=0).exists()
