"""The claim list's search, filters, sorting, pagination and exports (issue 11.3)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from claims import selectors
from claims.exports import neutralise
from claims.models import Claim, Status
from claims.tests.factories import ClaimFactory, ClaimLineFactory, ClaimTypeFactory
from warranty.tests.factories import BrandFactory, ProductFactory

pytestmark = pytest.mark.django_db


def numbered(owner, seq, **fields):
    claim = ClaimFactory(owner=owner, **fields)
    Claim.objects.filter(pk=claim.pk).update(rma_seq=seq, rma_number=f"RMA/{seq}/SR/2020", rma_year=2020)
    claim.refresh_from_db()
    return claim


def listed(client, **params):
    response = client.get(reverse("claim_list"), params)
    assert response.status_code == 200
    return [claim.rma_number for claim in response.context["page"].object_list]


@pytest.fixture
def numbered_claims(owner):
    return {seq: numbered(owner, seq) for seq in (4, 5, 41, 50, 405, 6)}


def test_a_prefix_of_the_rma_number_finds_every_number_it_starts(owner_client, numbered_claims):
    assert sorted(listed(owner_client, q="5")) == ["RMA/5/SR/2020", "RMA/50/SR/2020"]
    assert sorted(listed(owner_client, q="RMA/4")) == ["RMA/4/SR/2020", "RMA/405/SR/2020", "RMA/41/SR/2020"]
    assert sorted(listed(owner_client, q="rma 41")) == ["RMA/41/SR/2020"]
    assert listed(owner_client, q="RMA/4/SR/2020") == ["RMA/4/SR/2020"]


def test_part_of_a_serial_own_number_waybill_or_product_name(owner_client, owner):
    by_serial = ClaimFactory(owner=owner)
    ClaimLineFactory(claim=by_serial, serial="1SDJK7R0A10043")
    by_own = ClaimFactory(owner=owner, own_number="PR-2026-0077")
    by_waybill = ClaimFactory(owner=owner, waybill="FAN 889912")
    by_product = ClaimFactory(owner=owner)
    ClaimLineFactory(claim=by_product, product=ProductFactory(name="Laptop ThinkBook 14 G6"))
    assert listed(owner_client, q="k7r0a") == [by_serial.rma_number]
    assert listed(owner_client, q="2026-007") == [by_own.rma_number]
    assert listed(owner_client, q="88991") == [by_waybill.rma_number]
    assert listed(owner_client, q="thinkbook") == [by_product.rma_number]


def test_the_search_stays_inside_the_company(owner_client, owner, stranger):
    ClaimLineFactory(claim=ClaimFactory(owner=stranger, own_number="PR-77"), serial="XYZ12345")
    assert listed(owner_client, q="PR-7") == []
    assert listed(owner_client, q="YZ123") == []


def test_filters_status_dates_brand_type_creator_and_action(owner_client, owner, colleague):
    acer = BrandFactory(name="Acer")
    doa = ClaimTypeFactory(code="doa", name="DOA")
    old = ClaimFactory(owner=owner, created_at=timezone.make_aware(datetime.datetime(2026, 3, 1, 10)))
    ClaimLineFactory(claim=old, product=ProductFactory(brand=acer))
    waiting = ClaimFactory(owner=colleague, status=Status.WAITING_CUSTOMER, claim_type=doa)
    documents = ClaimFactory(owner=owner, status=Status.AWAITING_DOCUMENTS)
    received = ClaimFactory(owner=owner, status=Status.RECEIVED)
    assert listed(owner_client, status="received") == [received.rma_number]
    assert listed(owner_client, opened_to="2026-03-01") == [old.rma_number]
    assert old.rma_number not in listed(owner_client, opened_from="2026-03-02")
    assert listed(owner_client, brand=acer.pk) == [old.rma_number]
    assert listed(owner_client, claim_type=doa.pk) == [waiting.rma_number]
    assert listed(owner_client, who=colleague.pk) == [waiting.rma_number]
    assert waiting.rma_number not in listed(owner_client, who="mine")
    assert sorted(listed(owner_client, action="1")) == sorted([waiting.rma_number, documents.rma_number])


def test_the_dashboard_links_the_claims_that_need_action(owner_client, owner):
    ClaimFactory(owner=owner, status=Status.WAITING_CUSTOMER)
    ClaimFactory(owner=owner, status=Status.AWAITING_DOCUMENTS)
    ClaimFactory(owner=owner, status=Status.RECEIVED)
    html = owner_client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("claim_list")}?action=1"' in html
    assert "Needs your action (2)" in html


@pytest.mark.parametrize(
    "params, field",
    [
        ({"opened_from": "2026-13-45"}, "opened_from"),
        ({"opened_to": "yesterday"}, "opened_to"),
        ({"brand": "999999"}, "brand"),
        ({"brand": "abc"}, "brand"),
        ({"claim_type": "-1"}, "claim_type"),
        ({"status": "lost"}, "status"),
        ({"who": "12x"}, "who"),
        ({"sort": "password"}, "sort"),
        ({"opened_from": "2026-05-02", "opened_to": "2026-05-01"}, "opened_to"),
    ],
)
def test_a_bad_filter_shows_on_its_field(owner_client, owner, params, field):
    ClaimFactory(owner=owner)
    response = owner_client.get(reverse("claim_list"), {**params, "q": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    html = response.content.decode()
    if field != "sort":  # the sort is a hidden field: its error shows in the summary only
        assert f'id="id_{field}_error"' in html
    assert len(response.context["page"].object_list) == 1  # the valid filters still apply


def test_sorting_by_rma_number_date_status_and_age(owner_client, owner):
    now = timezone.now()
    a = numbered(owner, 9, status=Status.RECEIVED, created_at=now - datetime.timedelta(days=3))
    b = numbered(owner, 10, status=Status.AWAITING_DOCUMENTS, created_at=now - datetime.timedelta(days=1))
    c = numbered(owner, 8, status=Status.CLOSED, created_at=now - datetime.timedelta(days=2))
    Claim.objects.filter(pk=a.pk).update(status_changed_at=now - datetime.timedelta(days=30))
    Claim.objects.filter(pk=b.pk).update(status_changed_at=now - datetime.timedelta(days=1))
    Claim.objects.filter(pk=c.pk).update(status_changed_at=now - datetime.timedelta(days=10))
    rma = [c.rma_number, a.rma_number, b.rma_number]
    assert listed(owner_client, sort="rma") == rma
    assert listed(owner_client, sort="-rma") == rma[::-1]
    assert listed(owner_client, sort="date") == [a.rma_number, c.rma_number, b.rma_number]
    assert listed(owner_client) == [b.rma_number, c.rma_number, a.rma_number]
    assert listed(owner_client, sort="status") == [b.rma_number, a.rma_number, c.rma_number]
    assert listed(owner_client, sort="-age") == [a.rma_number, c.rma_number, b.rma_number]
    html = owner_client.get(reverse("claim_list"), {"sort": "rma", "status": "received"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert "?status=received&amp;sort=-rma" in html


def test_every_order_has_a_label_for_the_phone_select():
    from claims.forms import SORT_LABELS

    assert set(SORT_LABELS) == set(selectors.sort_choices())


def test_pagination_keeps_the_filters(owner_client, owner):
    for _ in range(27):
        ClaimFactory(owner=owner, own_number="SHOP-1")
    response = owner_client.get(reverse("claim_list"), {"q": "shop", "status": "registered", "sort": "rma"})
    html = response.content.decode()
    assert "?q=shop&amp;status=registered&amp;sort=rma&amp;page=2" in html
    second = owner_client.get(reverse("claim_list"), {"q": "shop", "status": "registered", "sort": "rma", "page": 2})
    assert len(second.context["page"].object_list) == 2


@pytest.mark.parametrize("count", [1, 30])
def test_the_filtered_list_query_count_stays_constant(owner_client, owner, count, django_assert_max_num_queries):
    for _ in range(count):
        claim = ClaimFactory(owner=owner)
        ClaimLineFactory(claim=claim)
        ClaimLineFactory(claim=claim)
    params = {"q": "SER", "status": "registered", "sort": "status", "opened_from": "2020-01-01", "action": ""}
    with django_assert_max_num_queries(13):  # the search looks for a whole serial first, then for parts
        assert owner_client.get(reverse("claim_list"), params).status_code == 200


def test_neutralise():
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert [neutralise(v) for v in ("+1", "-2", "@x", "ok", 3)] == ["'+1", "'-2", "'@x", "ok", 3]


@pytest.fixture
def exported(owner, stranger):
    claim = ClaimFactory(owner=owner, own_number="=cmd|' /C calc'!A0", waybill="@SUM(1)")
    ClaimLineFactory(claim=claim, serial="SN-1", description="-2+3", product=ProductFactory(name="+Router"))
    ClaimLineFactory(claim=claim, serial="SN-2", quantity=2)
    other = ClaimFactory(owner=owner, status=Status.CLOSED)
    ClaimLineFactory(claim=other)
    ClaimLineFactory(claim=ClaimFactory(owner=stranger), serial="STRANGER")
    return claim


def test_xlsx_export_has_one_row_per_line_with_neutralised_cells(owner_client, exported):
    response = owner_client.get(reverse("claim_export", args=["xlsx"]), {"status": "registered"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="claims-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("RMA number", "Opened", "Status")
    assert len(rows) == 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["RMA number"] == exported.rma_number
    assert first["Own claim number"] == "'=cmd|' /C calc'!A0"
    assert first["Waybill"] == "'@SUM(1)"
    assert first["Product"] == "'+Router"
    assert first["Description"] == "'-2+3"
    assert first["Serial number"] == "SN-1"
    assert first["Document date"].date() == datetime.date(2026, 10, 1)
    assert rows[2][rows[0].index("Quantity")] == 2
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_csv_export_has_the_same_rows(owner_client, exported):
    response = owner_client.get(reverse("claim_export", args=["csv"]), {"q": "SN-"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 3
    assert rows[1][0] == exported.rma_number and rows[1][5] == "'=cmd|' /C calc'!A0"
    assert "STRANGER" not in text


def test_the_export_stops_at_its_limit(owner, exported):
    rows = list(selectors.claims_filtered(owner, selectors.ClaimFilter()).none())
    assert rows == []
    from claims.exports import line_rows

    limited = list(line_rows(selectors.claims_filtered(owner, selectors.ClaimFilter()), limit=2))
    assert len(limited) == 3 and "stops after 2 lines" in limited[-1][0]


def test_exports_need_a_member_and_a_known_format(client, owner, stranger_client, exported):
    assert client.get(reverse("claim_export", args=["csv"])).status_code == 302
    text = b"".join(stranger_client.get(reverse("claim_export", args=["csv"])).streaming_content).decode()
    assert exported.rma_number not in text
    assert client.get("/claims/export.pdf").status_code == 404


def test_admin_search_uses_the_same_partial_search(client, owner, stranger, technician):
    mine = ClaimFactory(owner=owner)
    ClaimLineFactory(claim=mine, serial="ABCDEF123456")
    theirs = ClaimFactory(owner=stranger, waybill="AWB-777-123")
    client.force_login(technician)
    for term, claim in (("cdef12", mine), ("777-1", theirs)):
        response = client.get(reverse("admin:claims_claim_changelist"), {"q": term})
        assert response.status_code == 200
        assert [c.pk for c in response.context["cl"].result_list] == [claim.pk]


def test_the_brand_and_type_filters_are_cached_until_a_brand_or_type_changes(owner_client, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    brand = BrandFactory(name="Acer")
    doa = ClaimTypeFactory(code="exchange", name_en="Exchange", name_ro="Schimb")
    ClaimFactory(owner=owner)
    owner_client.get(reverse("claim_list"))
    with CaptureQueriesContext(connection) as queries:
        html = owner_client.get(reverse("claim_list")).content.decode()
    assert f'<option value="{brand.pk}">Acer</option>' in html
    assert f'<option value="{doa.pk}">Exchange</option>' in html
    # Neither list is read from the database (the lines' products join warranty_product, not the brand table).
    read = [q["sql"] for q in queries.captured_queries if 'FROM "warranty_brand"' in q["sql"]]
    read += [q["sql"] for q in queries.captured_queries if 'FROM "claims_claimtype"' in q["sql"]]
    assert read == []
    brand.name = "Acer Inc"
    brand.save()
    doa.name_en = "Dead on arrival"
    doa.save()
    html = owner_client.get(reverse("claim_list")).content.decode()
    assert f'<option value="{brand.pk}">Acer Inc</option>' in html
    assert f'<option value="{doa.pk}">Dead on arrival</option>' in html
    assert ">Acer</option>" not in html


def test_the_list_counts_only_when_the_first_page_is_full(owner_client, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        ClaimLineFactory(claim=ClaimFactory(owner=owner), serial=f"FEW{n}")
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get(reverse("claim_list"), {"q": "FEW"})
    assert "3 claims" in response.content.decode()
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]
    for _ in range(25):
        ClaimFactory(owner=owner)
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get(reverse("claim_list"))
    html = response.content.decode()
    assert "28 claims" in html and "Page 1 of 2" in html
    # Unfiltered (or by status only), the total is the tally's: no count over the claims at all.
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert [q for q in queries.captured_queries if "claims_claimstatustally" in q["sql"]]
    assert len(response.context["page"].object_list) == 25
    second = owner_client.get(reverse("claim_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 3 and "Page 2 of 2" in second.content.decode()
    registered = owner_client.get(reverse("claim_list"), {"status": "registered"}).content.decode()
    assert f"{Claim.objects.filter(status='registered').count()} claims" in registered
    # Another filter counts on the claims alone (no owner join), when the first page is full.
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get(reverse("claim_list"), {"opened_from": "2000-01-01"})
    assert "28 claims" in response.content.decode()
    (count,) = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert "accounts_user" not in count


def test_a_whole_serial_finds_its_claim_alone_and_a_part_finds_every_claim(owner_client, owner):
    whole = ClaimFactory(owner=owner)
    ClaimLineFactory(claim=whole, serial="SN1000050")
    longer = ClaimFactory(owner=owner)
    ClaimLineFactory(claim=longer, serial="SN10000501")
    assert listed(owner_client, q="SN1000050") == [whole.rma_number]
    assert sorted(listed(owner_client, q="SN100005")) == sorted([whole.rma_number, longer.rma_number])
    assert listed(owner_client, q="sn10000501") == [longer.rma_number]
