#!/usr/bin/env python3
"""Time the CSV imports on PostgreSQL: rows per second and peak memory of each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rma .venv/bin/python scripts/bench_imports.py
    ... scripts/bench_imports.py --sales 10000,1000000 --claims 0   # memory stays flat

It creates a throw-away database (test_<name>, as the test suite does),
generates the files on disk, runs each import in a child process (so the
peak RSS printed is that import's own), and drops the database at the end.
The sales and customers imports run as the management commands do; the
claims import goes end to end, from the upload's POST to the created claims.
"""

import argparse
import csv
import datetime
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rma_portal.settings")


def sizes(text):
    return [int(n) for n in text.split(",") if n.strip() and int(n)]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sales", type=sizes, default=[100_000], help="sales rows, comma-separated sizes")
    parser.add_argument("--serials", type=sizes, default=[], help="sold serial rows, comma-separated sizes")
    parser.add_argument("--claims", type=sizes, default=[5_000], help="claims (at most 5000 a file)")
    parser.add_argument("--customers", type=sizes, default=[], help="customers rows, comma-separated sizes")
    parser.add_argument("--keepdb", action="store_true", help="reuse and keep the test database")
    return parser.parse_args()


def gtin(n):
    from stdnum import ean

    body = f"594{n:09d}"
    return body + ean.calc_check_digit(body)


BUYERS = ["RO18547290", "RO14399840", "RO2816464", "RO6859662"]


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def sales_file(directory, n, catalogue):
    rows = (
        (BUYERS[i % 4], f"INV-{i // 5:07d}", "2026-03-01", catalogue[i % len(catalogue)], str(1 + i % 3))
        for i in range(n)
    )
    header = ["buyer_vat_id", "invoice_number", "invoice_date", "ean", "quantity"]
    return write_csv(Path(directory) / f"sales-{n}.csv", header, rows)


def serials_file(directory, n, catalogue):
    rows = (
        (f"SN{i:09d}", catalogue[i % len(catalogue)], BUYERS[i % 4], f"INV-{i // 5:07d}", "2026-03-01")
        for i in range(n)
    )
    header = ["serial", "ean", "buyer_vat_id", "invoice_number", "invoice_date"]
    return write_csv(Path(directory) / f"serials-{n}.csv", header, rows)


def claims_file(directory, n, catalogue):
    day = (datetime.date.today() - datetime.timedelta(days=10)).isoformat()
    rows = (
        (f"PR-{i}", catalogue[i % len(catalogue)], f"SN{i:06d}", day, "Does not start after a fall", "Repair")
        for i in range(n)
    )
    header = ["own_claim_number", "ean", "serial_number", "sale_date", "problem_description", "service_expectations"]
    return write_csv(Path(directory) / f"claims-{n}.csv", header, rows)


def customers_file(directory, n):
    from stdnum.ro import cf

    def vat(i):
        body = f"{1_000_000 + i}"
        return "RO" + body + cf.calc_check_digit(body)

    rows = (
        (
            vat(i),
            f"Client {i} SRL",
            f"Str. Exemplu nr. {i}, București",
            f"office@client{i}.ro; service@client{i}.ro",
            f"client{i}.ro",
        )
        for i in range(n)
    )
    header = ["vat_id", "legal_name", "registered_address", "authorised_emails", "authorised_domains"]
    return write_csv(Path(directory) / f"customers-{n}.csv", header, rows)


def measured(name, rows, work, queue):
    """In the child process: run ``work``, report (name, rows, seconds, peak RSS MB, note)."""
    from django.db import connections

    connections.close_all()
    started = time.perf_counter()
    note = work()
    elapsed = time.perf_counter() - started
    if isinstance(note, tuple):  # (note, seconds) when the work also did something not to be timed
        note, elapsed = note
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    connections.close_all()
    queue.put((name, rows, elapsed, peak, note))


def in_child(name, rows, work):
    from django.db import connections

    connections.close_all()
    queue = multiprocessing.get_context("fork").SimpleQueue()
    child = multiprocessing.get_context("fork").Process(target=measured, args=(name, rows, work, queue))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"{name} failed (exit code {child.exitcode})")
    return queue.get()


def command(name, path):
    def work():
        from django.core.management import call_command

        call_command(name, str(path))
        return ""

    return work


def claims_upload(path, user, claim_type, address):
    """The partner's upload, end to end; meanwhile claims filed on the web, timed (they share the RMA counter)."""

    def work():
        import threading
        from unittest import mock

        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.db import connections
        from django.test import Client
        from django.urls import reverse

        from claims.models import Claim, ImportBatch
        from claims.services import ClaimData, LineData, ReturnAddress, claim_create
        from claims.tasks import build_batch_handover
        from warranty.models import Product

        product = Product.objects.order_by("pk").first()
        data = ClaimData(
            claim_type=claim_type,
            lines=[LineData(product=product, document_date=datetime.date.today(), description="Web claim")],
            return_address=ReturnAddress.from_address(address),
        )
        stop, waits = threading.Event(), []

        def web_claims():
            while not stop.is_set():
                started = time.perf_counter()
                claim_create(user=user, data=data, notify=False)
                waits.append(time.perf_counter() - started)
                stop.wait(0.05)
            connections.close_all()

        client = Client()
        client.force_login(user)
        upload = SimpleUploadedFile("claims.csv", path.read_bytes(), content_type="text/csv")
        web = threading.Thread(target=web_claims)
        queued = []
        web.start()
        # The handover PDF is a worker's job after the commit; Celery is eager here, so it is held back
        # from the upload's time and rendered afterwards, timed on its own.
        started = time.perf_counter()
        try:
            with mock.patch.object(build_batch_handover, "delay", lambda *args: queued.append(args)):
                response = client.post(
                    reverse("claim_import"),
                    {"file": upload, "claim_type": claim_type.pk, "return_address": address.pk},
                )
        finally:
            uploaded = time.perf_counter() - started
            stop.set()
            web.join()
        if response.status_code != 302:
            raise SystemExit(f"the claims import answered {response.status_code}")
        created = Claim.objects.filter(import_batch=ImportBatch.objects.latest("pk")).count()
        rendering = time.perf_counter()
        for args in queued:
            build_batch_handover(*args)
        rendered = time.perf_counter() - rendering
        waits.sort()
        note = (
            f"{created} claims created; {len(waits)} web claims filed meanwhile: "
            f"median {waits[len(waits) // 2] * 1000:.0f} ms, slowest {waits[-1] * 1000:.0f} ms; "
            f"then the handover PDF (a worker's job, not in the time) in {rendered:.1f} s"
        )
        return note, uploaded

    return work


def main():
    args = parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise SystemExit("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://... (SQLite is refused).")
    setup_test_environment()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    old_name = settings.DATABASES["default"]["NAME"]
    connection.creation.create_test_db(verbosity=0, keepdb=args.keepdb)
    try:
        results = run(args)
    finally:
        if not args.keepdb:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    print()
    print(f"{'import':<12} {'rows':>10} {'seconds':>9} {'rows/s':>9} {'peak RSS':>9}  note")
    for name, rows, elapsed, peak, note in results:
        print(f"{name:<12} {rows:>10,} {elapsed:>9.2f} {rows / elapsed:>9,.0f} {peak:>6.0f} MB  {note}")


def run(args):
    from accounts.models import Address, Company, Membership, MembershipRole, MembershipState, User
    from claims.models import Claim, ClaimLine, ClaimType, ImportBatch, StatusChange
    from warranty.models import Brand, Product, Sale, SoldSerial

    brand, _created = Brand.objects.get_or_create(name="Bench brand")
    eans = [gtin(n) for n in range(1, 201)]
    Product.objects.bulk_create(
        [Product(ean=code, name=f"Product {code}", brand=brand, warranty_months=24) for code in eans],
        ignore_conflicts=True,
    )
    company, _created = Company.objects.get_or_create(vat_id="RO18547290", defaults={"legal_name": "Bench SRL"})
    user, _created = User.objects.get_or_create(
        username="bench-partner", defaults={"email": "bench@example.com", "vat_country": "RO", "vat_number": "18547290"}
    )
    Membership.objects.get_or_create(
        user=user, defaults={"company": company, "role": MembershipRole.ADMIN, "state": MembershipState.ACTIVE}
    )
    address = Address.objects.filter(company=company).first() or Address.objects.create(
        company=company,
        name="Bench SRL",
        street="Str. 1",
        postal_code="010101",
        city="București",
        country="RO",
        phone="+40721000001",
    )
    claim_type, _created = ClaimType.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for n in args.sales:
            Sale.objects.all().delete()
            path = sales_file(directory, n, eans)
            results.append(in_child("sales", n, command("import_sales", path)))
            results.append(in_child("sales again", n, command("import_sales", path)))
        for n in args.serials:
            SoldSerial.objects.all().delete()
            results.append(in_child("serials", n, command("import_serials", serials_file(directory, n, eans))))
        for n in args.claims:
            for model in (StatusChange, ClaimLine, Claim, ImportBatch):
                model.objects.all().delete()
            path = claims_file(directory, n, eans)
            results.append(in_child("claims", n, claims_upload(path, user, claim_type, address)))
        for n in args.customers:
            path = customers_file(directory, n)
            results.append(in_child("customers", n, command("import_customers", path)))
            results.append(in_child("cust. again", n, command("import_customers", path)))
    return results


if __name__ == "__main__":
    main()
