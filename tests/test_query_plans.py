"""The plans of the pages a partner and the service staff load most, pinned like the query counts.

Every query of the dashboard (also with a warranty lookup), the claim list (page 1, "mine", page 2),
the claim detail, the API's claim list (pages 1 and 2, a status, a search), the admin claim list and the
admin change page is captured, then EXPLAINed
(FORMAT JSON) against 10,000 claims of the partner's company plus 10,000 of another company, one line
each, and sales of both, after VACUUM ANALYZE. A page's plan fails when:

- it reads ``claims_claim``, ``claims_claimline`` or ``warranty_sale`` with a Seq Scan (the whole table),
- or it aggregates over one of them, unless every scan of those tables beneath the aggregate is bounded:
  an Index Only Scan whose index condition names one company (``company_id``) or one claim
  (``claim_id``/``id``), or any scan under a Limit. So ``COUNT(*) ... WHERE company_id = 5`` read off
  ``claim_company_status_idx`` passes; a ``Count("lines")`` grouped over every claim of the company,
  or a COUNT over the whole claims table, fails.

A query compiled once (core.compiled) runs as a prepared statement with a generic plan, the same plan for
every company: it is also EXPLAINed that way (PREPARE, then EXPLAIN EXECUTE under force_generic_plan).

The rules look at the plan, never at the time, so the test is not flaky on a busy machine.
"""

import datetime
import itertools
import json
import re
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from api import services as api_services
from api.models import KeyScope
from claims.models import Claim, ClaimLine, Status
from claims.services import allocate_rma_numbers
from claims.tests.factories import ClaimFactory
from core.compiled import fetch_all
from warranty.models import Sale
from warranty.tests.factories import ProductFactory

# Transactional: VACUUM cannot run inside the test's transaction (pytest-django runs these tests last).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

GUARDED = {"claims_claim", "claims_claimline", "warranty_sale"}
PER_COMPANY = 10_000


def _claims_for(owner, claim_type, product, count, start):
    statuses = [Status.REGISTERED, Status.RECEIVED, Status.DIAGNOSIS, Status.CLOSED]
    created = timezone.now() - datetime.timedelta(days=400)
    claims = Claim.objects.bulk_create(
        [
            Claim(
                company=owner.membership.company,
                owner=owner,
                claim_type=claim_type,
                rma_year=year,
                rma_seq=seq,
                rma_number=number,
                status=statuses[n % len(statuses)],
                return_name="X",
                return_street="Y",
                return_postal_code="1",
                return_city="Z",
                return_country="RO",
                created_at=created + datetime.timedelta(minutes=n),
            )
            for n, (year, seq, number) in enumerate(allocate_rma_numbers(count, timezone.now()))
        ],
        batch_size=2000,
    )
    ClaimLine.objects.bulk_create(
        [
            ClaimLine(
                claim=claim,
                product=product,
                serial=f"S{start + n:07d}",
                document_date=datetime.date(2026, 1, 1),
                description="x",
            )
            for n, claim in enumerate(claims)
        ],
        batch_size=2000,
    )
    return claims


def _scans(node, under_limit=False):
    """(node, under a Limit?) for every node of a plan tree."""
    under_limit = under_limit or node["Node Type"] == "Limit"
    yield node, under_limit
    for child in node.get("Plans", []):
        yield from _scans(child, under_limit)


def _bounded(scan, under_limit):
    if under_limit:
        return True
    condition = scan.get("Index Cond", "")
    if scan["Node Type"] in ("Index Scan", "Index Only Scan") and condition.startswith("(claim_id = "):
        return True  # one claim's lines (a claim summary's string_agg of them)
    return scan["Node Type"] == "Index Only Scan" and any(
        key in condition for key in ("company_id", "claim_id", "(id =")
    )


def plan_problems(sql):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    return _problems(json.loads(plan) if isinstance(plan, str) else plan)


def _problems(plan):
    problems = []
    for node, _limit in _scans(plan[0]["Plan"]):
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in GUARDED:
            problems.append(f"Seq Scan on {node['Relation Name']}")
        if node["Node Type"] == "Aggregate":
            for scan, under_limit in _scans(node):
                if scan.get("Relation Name") in GUARDED and not _bounded(scan, under_limit):
                    problems.append(f"Aggregate over {scan['Node Type']} on {scan['Relation Name']}")
    return problems


def generic_plan_problems(sql, params):
    """plan_problems of a compiled query (core.compiled) as it runs: a prepared statement with a
    generic plan, the same for every company, however large."""
    numbers = itertools.count(1)
    prepared = re.sub(r"%%|%s", lambda match: "%" if match.group() == "%%" else f"${next(numbers)}", sql)
    with connection.cursor() as cursor:
        cursor.execute("PREPARE plan_check AS " + prepared)
        try:
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            placeholders = ", ".join(["%s"] * len(params))
            cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE plan_check({placeholders})", list(params))
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("DEALLOCATE plan_check")
    return _problems(json.loads(plan) if isinstance(plan, str) else plan)


def check_page(client, url, data=None, **headers):
    compiled = []

    def recording(alias, sql, params, *, prepare=True):
        if prepare:
            compiled.append((sql, params))
        return fetch_all(alias, sql, params, prepare=prepare)

    with CaptureQueriesContext(connection) as captured, mock.patch("core.compiled.fetch_all", recording):
        response = client.get(url, data or {}, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    failures = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        for problem in plan_problems(sql):
            failures.append(f"{url}: {problem}\n    {sql[:400]}")
    for sql, params in compiled:
        for problem in generic_plan_problems(sql, params):
            failures.append(f"{url} (prepared, generic plan): {problem}\n    {sql[:400]}")
    return failures


def test_page_plans_do_not_grow_with_the_company():
    from django.contrib.auth.models import Group

    from claims.demo import ensure_reference_data

    ensure_reference_data()  # an earlier transactional test may have flushed the data migrations' rows
    owner = UserFactory(username="planowner", email="planowner@example.com")
    other = UserFactory(username="planother", email="planother@example.com", vat_number="14399840")
    staff = UserFactory(username="plantech", email="plantech@example.com", is_staff=True, vat_country="", vat_number="")
    staff.groups.add(Group.objects.get(name="Service staff"))
    first = ClaimFactory(owner=owner)
    product = ProductFactory()
    mine = _claims_for(owner, first.claim_type, product, PER_COMPANY - 1, 0)
    _claims_for(other, first.claim_type, product, PER_COMPANY, PER_COMPANY)
    Sale.objects.bulk_create(
        [
            Sale(
                buyer_vat_id=vat,
                invoice_number=f"F{vat}{n}",
                invoice_date=datetime.date(2026, 1, 1) - datetime.timedelta(days=n % 700),
                product=product,
            )
            for vat in ("RO18547290", "RO14399840")
            for n in range(PER_COMPANY)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        for table in ("claims_claim", "claims_claimline", "warranty_sale"):
            cursor.execute(f"VACUUM ANALYZE {table}")

    partner = Client()
    partner.force_login(owner)
    admin = Client()
    admin.force_login(staff)
    detail = reverse("claim_detail", args=[mine[500].pk])
    key = {"Authorization": f"Api-Key {api_services.api_key_create(by=owner, name='ERP', scope=KeyScope.READ)[1]}"}
    api_page_2 = partner.get("/api/v1/claims/", headers=key).json()["next"]
    failures = [
        *check_page(partner, reverse("dashboard")),
        *check_page(partner, reverse("dashboard"), {"ean": product.ean}),
        *check_page(partner, reverse("claim_list")),
        *check_page(partner, reverse("claim_list"), {"who": "mine", "page": "2"}),
        *check_page(partner, reverse("claim_list"), {"status": Status.DIAGNOSIS}),
        *check_page(partner, detail),
        *check_page(partner, "/api/v1/claims/", **key),
        *check_page(partner, api_page_2, **key),
        *check_page(partner, "/api/v1/claims/", {"status": Status.DIAGNOSIS}, **key),
        *check_page(partner, "/api/v1/claims/", {"q": "S0000042"}, **key),
        *check_page(admin, reverse("admin:claims_claim_changelist")),
        *check_page(admin, reverse("admin:claims_claim_changelist"), {"status__exact": Status.DIAGNOSIS}),
        *check_page(admin, reverse("admin:claims_claim_change", args=[mine[500].pk])),
    ]
    assert not failures, "\n".join(failures)
