"""Benchmark of the claim search on PostgreSQL (issue 11.3).

Fills the database named by DATABASE_URL (migrated first: ``manage.py migrate``) with N claims of one line
each, spread over companies of 1,000 claims, by COPY, then times the partner's list query (page of 25 and
its count) for a prefix of an RMA number and a part of a serial, with EXPLAIN ANALYZE.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rma_search .venv/bin/python scripts/bench_search.py 1000000

Run it on a throw-away database: it adds rows and does not remove them (``--reuse`` skips the fill when
the claims are already there).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rma_portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, models  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Company, Membership, MembershipRole, MembershipState, User  # noqa: E402
from claims.models import Claim, ClaimLine, ClaimType  # noqa: E402
from claims.selectors import ClaimFilter, claim_search_condition, claims_filtered  # noqa: E402
from warranty.models import Brand, Product  # noqa: E402

PER_COMPANY = 1000
YEAR = 2001  # away from the real counter's years


def column_defaults(model, values):
    """Every concrete column of ``model`` in order, with ``values`` or the field's default ('' for text)."""
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in values:
            columns.append((field.column, values[field.attname]))
        elif field.has_default():
            default = field.get_default()
            columns.append((field.column, str(default) if isinstance(default, models.TextChoices) else default))
        elif field.null:
            columns.append((field.column, None))
        else:
            columns.append((field.column, ""))
    return columns


def fill(n: int) -> None:
    rng = random.Random(11)
    brand, _ = Brand.objects.get_or_create(name="BenchBrand")
    products = [
        Product.objects.get_or_create(
            ean=f"{2990000000000 + i}", defaults={"name": f"Bench product {i}", "brand": brand}
        )[0]
        for i in range(50)
    ]
    claim_type, _ = ClaimType.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    companies = max(1, n // PER_COMPANY)
    start = Company.objects.count()
    Company.objects.bulk_create(
        [Company(vat_id=f"BENCH{start + i:08d}", legal_name=f"Bench {start + i}") for i in range(companies)],
        batch_size=2000,
    )
    company_ids = list(
        Company.objects.filter(vat_id__startswith="BENCH").order_by("-id").values_list("id", flat=True)[:companies]
    )
    users = User.objects.bulk_create(
        [User(username=f"bench{cid}", email=f"bench{cid}@example.com", password="!") for cid in company_ids],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, company_id=cid, role=MembershipRole.ADMIN, state=MembershipState.ACTIVE)
            for user, cid in zip(users, company_ids, strict=True)
        ],
        batch_size=2000,
    )
    first_seq = (Claim.objects.filter(rma_year=YEAR).aggregate(m=models.Max("rma_seq"))["m"] or 0) + 1
    now = timezone.now()
    statuses = ["registered", "received", "diagnosis", "repair", "closed", "awaiting_documents"]
    claim_template = column_defaults(Claim, {})
    claim_columns = [c for c, _ in claim_template]
    claim_at = {column: index for index, column in enumerate(claim_columns)}
    started = time.monotonic()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY claims_claim ({', '.join(claim_columns)}) FROM STDIN") as copy:
            for i in range(n):
                seq = first_seq + i
                created = now - datetime.timedelta(minutes=i)
                values = {
                    "rma_year": YEAR,
                    "rma_seq": seq,
                    "rma_number": f"RMA/{seq}/SR/{YEAR}",
                    "company_id": company_ids[i % companies],
                    "owner_id": users[i % companies].pk,
                    "status": statuses[i % len(statuses)],
                    "claim_type_id": claim_type.pk,
                    "own_number": f"PO-{rng.randrange(10**8):08d}" if i % 3 == 0 else "",
                    "waybill": f"AWB{rng.randrange(10**10):010d}" if i % 2 == 0 else "",
                    "return_name": "Bench SRL",
                    "return_street": "Str. Bench 1",
                    "return_postal_code": "010101",
                    "return_city": "Bucharest",
                    "return_country": "RO",
                    "created_at": created,
                    "status_changed_at": created,
                }
                row = [value for _, value in claim_template]
                for name, value in values.items():
                    row[claim_at[name]] = value
                copy.write_row(row)
        print(f"claims copied: {n:,} in {time.monotonic() - started:.0f} s", flush=True)
        cursor.execute(
            "SELECT id, rma_seq FROM claims_claim WHERE rma_year = %s AND rma_seq >= %s ORDER BY rma_seq",
            [YEAR, first_seq],
        )
        ids = cursor.fetchall()
        line_template = column_defaults(ClaimLine, {})
        line_columns = [c for c, _ in line_template]
        line_at = {column: index for index, column in enumerate(line_columns)}
        started = time.monotonic()
        with raw.copy(f"COPY claims_claimline ({', '.join(line_columns)}) FROM STDIN") as copy:
            for claim_id, seq in ids:
                values = {
                    "claim_id": claim_id,
                    "position": 1,
                    "product_id": products[seq % len(products)].pk,
                    "serial": f"{rng.choice('ABCDEFGH')}{rng.randrange(16**12):012X}",
                    "quantity": 1,
                    "document_date": datetime.date(2026, 1, 1),
                    "description": "Does not start.",
                }
                row = [value for _, value in line_template]
                for name, value in values.items():
                    row[line_at[name]] = value
                copy.write_row(row)
        print(f"lines copied: {len(ids):,} in {time.monotonic() - started:.0f} s", flush=True)
        cursor.execute("ANALYZE claims_claim; ANALYZE claims_claimline; ANALYZE warranty_product")


def explain(queryset, label, count=False):
    sql, params = queryset.query.sql_with_params()
    if count:
        sql = f"SELECT COUNT(*) FROM ({sql}) AS counted"
    with connection.cursor() as cursor:
        for _ in range(2):  # the first run warms the cache
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
    execution = next(line for line in plan if line.startswith("Execution Time"))
    indexes = sorted({word for line in plan for word in line.replace('"', " ").split() if word.endswith("_idx")})
    print(f"{label}: {execution}; indexes: {', '.join(indexes) or 'none'}")
    return float(execution.split()[2])


def timed(label, fn):
    started = time.perf_counter()
    result = fn()
    print(f"{label}: {(time.perf_counter() - started) * 1000:.1f} ms wall")
    return result


def bench(args) -> None:
    total = Claim.objects.count()
    print(f"claims in the database: {total:,}")
    user = User.objects.filter(username__startswith="bench").order_by("-id").first()
    line = ClaimLine.objects.filter(claim__company=user.membership.company).order_by("-id").first()
    part = line.serial[3:9]
    seq_prefix = str(line.claim.rma_seq)[:3]
    cases = {
        f"RMA prefix '{seq_prefix}'": ClaimFilter(query=seq_prefix),
        f"RMA prefix 'RMA/{seq_prefix}'": ClaimFilter(query=f"RMA/{seq_prefix}"),
        f"part of a serial '{part}'": ClaimFilter(query=part),
    }
    for label, wanted in cases.items():
        claims = claims_filtered(user, wanted)
        explain(claims[:25], f"company list, {label}, page of 25")
        explain(claims.order_by().values("pk"), f"company list, {label}, count", count=True)
        timed(f"company list, {label}, page + count through the ORM", lambda c=claims: (list(c[:25]), c.count()))
    for label, wanted in cases.items():
        staff = Claim.objects.filter(claim_search_condition(wanted.query)).order_by("-created_at", "-id")
        explain(staff[:50], f"admin (all companies), {label}, page of 50")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("claims", type=int, nargs="?", default=200_000)
    parser.add_argument("--reuse", action="store_true", help="do not add claims; time what is there")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("DATABASE_URL must point at PostgreSQL")
    if not args.reuse:
        fill(args.claims)
    bench(args)


if __name__ == "__main__":
    main()
