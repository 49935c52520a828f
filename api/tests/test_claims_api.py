import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import Attachment, Claim, Message, Status
from claims.tests.factories import ClaimFactory, ClaimLineFactory, pdf_bytes, png_bytes

from .conftest import claim_payload

pytestmark = pytest.mark.django_db


def slug(claim):
    return claim.rma_number.replace("/", "-")


def test_list_shows_the_company_claims_newest_first(api, owner, colleague):
    older = ClaimFactory(owner=owner)
    newer = ClaimFactory(owner=colleague)
    response = api.get("/api/v1/claims/")
    assert response.status_code == 200
    numbers = [c["rma_number"] for c in response.json()["results"]]
    assert numbers == [newer.rma_number, older.rma_number]


def test_list_filters_by_status_and_searches_like_the_portal(api, owner):
    line = ClaimLineFactory(claim__owner=owner, serial="ABC123")
    ClaimFactory(owner=owner, status=Status.CANCELLED)
    by_serial = api.get("/api/v1/claims/", {"q": "abc123"}).json()["results"]
    assert [c["rma_number"] for c in by_serial] == [line.claim.rma_number]
    cancelled = api.get("/api/v1/claims/", {"status": "cancelled"}).json()["results"]
    assert [c["status"] for c in cancelled] == ["cancelled"]
    bad = api.get("/api/v1/claims/", {"status": "nonsense"})
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert "status" in bad.json()["errors"]


def test_list_pages_with_a_cursor(api, owner):
    claims = [ClaimFactory(owner=owner) for _ in range(3)]
    first = api.get("/api/v1/claims/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = api.get(first["next"]).json()
    assert [c["rma_number"] for c in second["results"]] == [claims[0].rma_number]


def test_the_list_pages_forward_and_back_the_same_through_the_compiled_page(api, owner, stranger):
    """On PostgreSQL the list without a search reads its pages through SQL compiled once per shape
    (api.views.PrecompiledClaimPage); everywhere the pages must be those of the ORM's order."""
    import base64
    import datetime

    from django.utils import timezone

    start = timezone.now() - datetime.timedelta(days=30)
    claims = []
    for index in range(7):
        claim = ClaimFactory(owner=owner, status=[Status.REGISTERED, Status.CANCELLED][index % 2])
        # Two claims share each moment, as the claims of one CSV import do: no claim may be skipped.
        Claim.objects.filter(pk=claim.pk).update(created_at=start + datetime.timedelta(hours=index // 2))
        claims.append(claim)
    ClaimFactory(owner=stranger)
    expected = list(Claim.objects.filter(company=claims[0].company).order_by("-created_at", "-id"))
    for params, wanted in (({}, expected), ({"status": "cancelled"}, [c for c in expected if c.status == "cancelled"])):
        seen, pages, url = [], [], "/api/v1/claims/"
        query = {"page_size": 2, **params}
        while url:
            body = api.get(url, query).json()
            pages.append(body)
            seen += [c["rma_number"] for c in body["results"]]
            url, query = body["next"], {}
        assert seen == [c.rma_number for c in wanted]
        # And back from the last page, through the previous links.
        back, url = [], pages[-1]["previous"]
        while url:
            body = api.get(url).json()
            back = [c["rma_number"] for c in body["results"]] + back
            url = body["previous"]
        assert back + [c["rma_number"] for c in pages[-1]["results"]] == seen
    # A forged cursor whose position is not a moment is refused, not a server error.
    for position in (b"not-a-position", b"2026-01-01T00:00:00|x", b"2026-01-01T00:00:00|1", b"|1"):
        forged = base64.b64encode(b"p=" + position + b"&o=0").decode()
        response = api.get("/api/v1/claims/", {"cursor": forged})
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("count", [1, 30])
def test_list_query_count_is_constant(api, owner, count, django_assert_max_num_queries):
    for _ in range(count):
        ClaimLineFactory(claim__owner=owner)
    with django_assert_max_num_queries(9):
        response = api.get("/api/v1/claims/", {"page_size": 50})
    assert len(response.json()["results"]) == count


def test_detail_by_rma_number(api, owner):
    line = ClaimLineFactory(claim__owner=owner, serial="XYZ1")
    claim = line.claim
    Message.objects.create(claim=claim, author=None, from_service=True, body="We have it.")
    Message.objects.create(claim=claim, author=None, from_service=True, internal=True, body="secret note")
    body = api.get(f"/api/v1/claims/{slug(claim)}/").json()
    assert body["rma_number"] == claim.rma_number
    assert body["lines"][0]["serial"] == "XYZ1"
    assert [m["body"] for m in body["messages"]] == ["We have it."]


def test_detail_shows_each_line_verdict_and_outcome(api, owner):
    line = ClaimLineFactory(
        claim__owner=owner, serial="XYZ2", verdict="in_warranty", outcome="replaced", replacement_serial="NEW-1"
    )
    body = api.get(f"/api/v1/claims/{slug(line.claim)}/").json()
    assert body["lines"][0]["verdict"] == "in_warranty"
    assert (body["lines"][0]["outcome"], body["lines"][0]["replacement_serial"]) == ("replaced", "NEW-1")


def test_detail_of_an_unknown_number_is_a_problem_404(api):
    response = api.get("/api/v1/claims/RMA-999-SR-2026/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404
    assert api.get("/api/v1/claims/not-a-number/").status_code == 404


def test_create_a_claim_waits_for_its_sales_document(api, claim_setup):
    response = api.post("/api/v1/claims/", claim_payload(claim_setup), content_type="application/json")
    assert response.status_code == 201, response.json()
    claim = Claim.objects.get(rma_number=response.json()["rma_number"])
    assert claim.status == Status.AWAITING_DOCUMENTS
    assert claim.return_city == claim_setup["address"].city
    assert claim.lines.get().fault_type == claim_setup["fault_type"]


def test_create_multipart_with_a_sales_document_is_registered(api, claim_setup):
    import json

    response = api.post(
        "/api/v1/claims/",
        {
            "data": json.dumps(claim_payload(claim_setup)),
            "sales_documents": SimpleUploadedFile("invoice.pdf", pdf_bytes(), content_type="application/pdf"),
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == Status.REGISTERED
    assert response.json()["attachments"][0]["kind"] == "sales_document"


def test_create_refuses_what_the_form_refuses_in_its_words(api, claim_setup):
    claim_setup["product"].brand.requires_serial = True
    claim_setup["product"].brand.save()
    payload = claim_payload(claim_setup, line={"serial": "", "fault_type": "", "document_date": "2099-01-01"})
    response = api.post("/api/v1/claims/", payload, content_type="application/json")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "need the serial number" in errors["lines[0].serial"][0]
    assert errors["lines[0].fault_type"] == ["Choose the fault type of this product."]
    assert errors["lines[0].document_date"] == ["The document date cannot be in the future."]
    assert not Claim.objects.exists()


def test_create_with_an_unknown_ean_and_type(api, claim_setup):
    payload = claim_payload(claim_setup, claim_type="nope", line={"ean": "5901234123457"})
    errors = api.post("/api/v1/claims/", payload, content_type="application/json").json()["errors"]
    assert "claim_type" in errors
    assert "No product with the EAN" in errors["lines[0].ean"][0]


def test_create_field_errors_in_the_keys_or_requested_language(api, claim_setup, owner):
    payload = claim_payload(claim_setup, line={"fault_type": ""})
    response = api.post("/api/v1/claims/", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="ro")
    assert response["Content-Language"] == "ro"
    assert response.json()["errors"]["lines[0].fault_type"] != ["Choose the fault type of this product."]


def test_duplicate_serial_must_be_confirmed(api, owner, claim_setup):
    ClaimLineFactory(claim__owner=owner, serial="SN-API-1")
    refused = api.post("/api/v1/claims/", claim_payload(claim_setup), content_type="application/json")
    assert refused.status_code == 422
    assert "confirm_duplicate_serial" in refused.json()["errors"]
    confirmed = api.post(
        "/api/v1/claims/", claim_payload(claim_setup, confirm_duplicate_serial=True), content_type="application/json"
    )
    assert confirmed.status_code == 201


def test_create_with_a_new_return_address(api, claim_setup):
    address = {
        "name": "Depozit",
        "street": "Str. Noua 1",
        "postal_code": "100100",
        "city": "Ploiesti",
        "country": "RO",
        "phone": "+40721000009",
    }
    response = api.post(
        "/api/v1/claims/", claim_payload(claim_setup, return_address=address), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["return_address"]["city"] == "Ploiesti"


def test_attachments_are_checked_by_content(api, owner):
    claim = ClaimFactory(owner=owner, status=Status.AWAITING_DOCUMENTS)
    url = f"/api/v1/claims/{slug(claim)}/attachments/"
    fake = SimpleUploadedFile("invoice.pdf", b"MZ not a pdf", content_type="application/pdf")
    refused = api.post(url, {"kind": "sales_document", "files": [fake]})
    assert refused.status_code == 422
    assert "is not a PDF or an image" in refused.json()["errors"]["files"][0]
    good = SimpleUploadedFile("invoice.pdf", pdf_bytes(), content_type="application/pdf")
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    response = api.post(url, {"kind": "sales_document", "files": [good, photo]})
    assert response.status_code == 201
    assert len(response.json()) == 2
    claim.refresh_from_db()
    assert claim.status == Status.REGISTERED
    assert Attachment.objects.filter(claim=claim).count() == 2


def test_cancel_message_and_quote(api, owner):
    claim = ClaimFactory(owner=owner)
    message = api.post(f"/api/v1/claims/{slug(claim)}/messages/", {"body": "When?"}, content_type="application/json")
    assert message.status_code == 201
    quote = api.post(f"/api/v1/claims/{slug(claim)}/quote/", {"decision": "accept"}, content_type="application/json")
    assert quote.status_code == 409
    assert quote["Content-Type"] == "application/problem+json"
    cancel = api.post(f"/api/v1/claims/{slug(claim)}/cancel/", {"note": "sold"}, content_type="application/json")
    assert cancel.status_code == 200
    assert cancel.json()["status"] == Status.CANCELLED
    again = api.post(f"/api/v1/claims/{slug(claim)}/cancel/", {}, content_type="application/json")
    assert again.status_code == 409


def test_label_pdf(api, owner):
    claim = ClaimLineFactory(claim__owner=owner).claim
    response = api.get(f"/api/v1/claims/{slug(claim)}/label.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_lookups(api, owner, claim_setup):
    from warranty.tests.factories import SaleFactory, SoldSerialFactory

    product = claim_setup["product"]
    SaleFactory(product=product, buyer_vat_id=owner.membership.company.vat_id)
    SoldSerialFactory(product=product, serial="SOLD1", buyer_vat_id=owner.membership.company.vat_id)
    warranty = api.get(f"/api/v1/warranty/{product.ean}/").json()
    assert warranty["verdict"] in ("in_warranty", "expired")
    assert api.get("/api/v1/serials/sold1/").json()["found"] is True
    assert api.get("/api/v1/serials/NOPE/").json()["found"] is False
    assert (
        api.get(f"/api/v1/products/{product.ean}/").json()["fault_types"][0]["code"] == claim_setup["fault_type"].code
    )
    bad = api.get("/api/v1/products/123/")
    assert bad.status_code == 404
    assert bad["Content-Type"] == "application/problem+json"
    unknown = api.get("/api/v1/products/5901234123457/")
    assert unknown.status_code == 404
    assert "No product with the EAN" in unknown.json()["detail"]


def test_csv_import_and_its_result(api, claim_setup):
    product = claim_setup["product"]
    csv_text = f"PR-1;{product.ean};SN1;2026-10-01;Broken;Repair\r\n"
    upload = SimpleUploadedFile("claims.csv", csv_text.encode(), content_type="text/csv")
    response = api.post("/api/v1/imports/", {"file": upload, "claim_type": claim_setup["claim_type"].code})
    assert response.status_code == 201, response.json()
    batch = response.json()
    assert batch["claim_count"] == 1
    assert api.get(f"/api/v1/imports/{batch['id']}/").json()["claims"] == batch["claims"]


def test_csv_import_errors_name_row_and_column(api, claim_setup):
    upload = SimpleUploadedFile("claims.csv", b"PR-1;123;SN1;not-a-date;Broken;\r\n", content_type="text/csv")
    response = api.post("/api/v1/imports/", {"file": upload, "claim_type": claim_setup["claim_type"].code})
    assert response.status_code == 422
    assert any(name.startswith("rows[1].") for name in response.json()["errors"])


def test_schema_and_docs_need_no_key_and_no_cdn(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/claims/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui-bundle.js" in html and "api/swagger-init.js" in html
    assert "http" not in html.split("<body>")[1].replace('data-schema-url="/api', "")
    assert "<script>" not in html


def test_errors_before_the_view_are_problems_too(api):
    unknown = api.get("/api/v1/nothing-here/")
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/problem+json"
    nul = api.get("/api/v1/claims/", {"q": "a\x00b"})
    assert nul.status_code == 400
    assert nul["Content-Type"] == "application/problem+json"


def test_page_size_out_of_range_is_refused(api):
    for value in ("0", "201", "x"):
        response = api.get("/api/v1/claims/", {"page_size": value})
        assert response.status_code == 400
        assert "page_size" in response.json()["errors"]


def test_a_blank_message_is_refused_like_the_form(api, owner):
    claim = ClaimFactory(owner=owner)
    response = api.post(f"/api/v1/claims/{slug(claim)}/messages/", {"body": "   "}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]["body"] == ["This field is required."]


def test_a_warranty_claim_for_a_product_not_bought_must_be_confirmed(api, claim_setup):
    from warranty.models import Sale

    Sale.objects.all().delete()
    refused = api.post("/api/v1/claims/", claim_payload(claim_setup), content_type="application/json")
    assert refused.status_code == 422 and "confirm_warranty" in refused.json()["errors"]
    confirmed = api.post(
        "/api/v1/claims/", claim_payload(claim_setup, confirm_warranty=True), content_type="application/json"
    )
    assert confirmed.status_code == 201, confirmed.json()
