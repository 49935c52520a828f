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


def import_rows(product, count, prefix="R"):
    return [
        {
            "own_number": f"{prefix}{i}",
            "line": LineData(product=product, document_date=datetime.date(2026, 1, 5), description="x"),
        }
        for i in range(count)
    ]


ADDRESS = ReturnAddress("Firma", "Str. 1", "010101", "Bucuresti", "RO")


def test_an_import_takes_its_numbers_after_its_commit_in_chunks(setup, monkeypatch, django_capture_on_commit_callbacks):
    """Everything is written and committed before the year's counter is taken, then numbered a chunk at a time."""
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
    monkeypatch.setattr(services, "NUMBERING_CHUNK", 2)
    with django_capture_on_commit_callbacks(execute=True):
        claims = claims_create_many(
            user=owner, claim_type=claim_type, return_address=ADDRESS, rows=import_rows(product, 5)
        )
        # Inside the caller's transaction: nothing numbered until it commits.
        assert written_before == [] and Claim.objects.filter(rma_year=0).count() == 5
    # Three chunks (2 + 2 + 1), each after the 5 new lines and timeline entries.
    assert written_before == [(2, 6, 6), (2, 6, 6), (1, 6, 6)]
    assert [c.rma_seq for c in claims] == [2, 3, 4, 5, 6]
    stored = dict(Claim.objects.values_list("own_number", "rma_number"))
    assert [stored[f"R{i}"] for i in range(5)] == [c.rma_number for c in claims]
    assert stored["R0"].startswith("RMA/2/") and not Claim.objects.filter(rma_year=0).exists()


@pytest.mark.django_db(transaction=True)
def test_imports_and_web_claims_share_one_gapless_sequence_in_file_order(setup, monkeypatch):
    """Outside any transaction: the import commits its claims and numbers them at once, before returning."""
    from claims import services

    owner, claim_type, product = setup
    monkeypatch.setattr(services, "NUMBERING_CHUNK", 3)
    claim_create(user=owner, data=claim_data(claim_type, product))
    first = claims_create_many(user=owner, claim_type=claim_type, return_address=ADDRESS, rows=import_rows(product, 7))
    claim_create(user=owner, data=claim_data(claim_type, product))
    second = claims_create_many(
        user=owner, claim_type=claim_type, return_address=ADDRESS, rows=import_rows(product, 4, prefix="S")
    )
    assert numbers() == list(range(1, 1 + 7 + 1 + 4 + 1))
    assert not Claim.objects.filter(rma_year=0).exists()
    assert [c.rma_seq for c in first] == list(range(2, 9)) and [c.rma_seq for c in second] == list(range(10, 14))
    own_by_seq = dict(Claim.objects.values_list("rma_seq", "own_number"))
    assert [own_by_seq[seq] for seq in range(2, 9)] == [f"R{i}" for i in range(7)]
    assert [own_by_seq[seq] for seq in range(10, 14)] == [f"S{i}" for i in range(4)]
    assert {c.pk: c.rma_number for c in first + second} == dict(
        Claim.objects.filter(pk__in=[c.pk for c in first + second]).values_list("pk", "rma_number")
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_web_claims_get_numbers_between_the_chunks_of_an_import(setup, monkeypatch):
    """A 2,000-row import numbered 100 at a time while another connection files web claims.

    Every number of the year is taken once and none is skipped, and at least one web claim got a number
    inside the import's range: the counter was released between two chunks. No timing is asserted.
    """
    from claims import services

    owner, claim_type, product = setup
    monkeypatch.setattr(services, "NUMBERING_CHUNK", 100)
    allocate = services.allocate_rma_numbers
    importing, done = threading.Event(), threading.Event()

    def spy(count, now=None):
        importing.set()  # the import has started numbering: the web claims go now
        return allocate(count, now)

    monkeypatch.setattr(services, "allocate_rma_numbers", spy)
    rows = import_rows(product, 2000)
    imported = []

    def work(index):
        if index == 0:
            try:
                imported.extend(
                    claims_create_many(user=owner, claim_type=claim_type, return_address=ADDRESS, rows=rows)
                )
            finally:
                done.set()
        else:
            importing.wait(timeout=60)
            while not done.is_set():
                with transaction.atomic():
                    claim_create(user=owner, data=claim_data(claim_type, product))

    assert run_in_threads(2, work) == []
    seqs = numbers()
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) > 2000 and not Claim.objects.filter(rma_year=0).exists()
    mine = [c.rma_seq for c in imported]
    assert mine == sorted(mine)  # file order
    web = set(Claim.objects.exclude(pk__in=[c.pk for c in imported]).values_list("rma_seq", flat=True))
    assert any(mine[0] < seq < mine[-1] for seq in web)
    own_by_seq = dict(Claim.objects.filter(pk__in=[c.pk for c in imported]).values_list("rma_seq", "own_number"))
    assert [own_by_seq[seq] for seq in mine] == [f"R{i}" for i in range(2000)]
