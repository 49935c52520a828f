"""The rules of a claim line, the workflow's conditions and the upload checks, asked directly.

The form and the CSV import tests cover how each caller shows these errors;
here each rule is one function with its message, field and code.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims import rules, selectors, services, uploads, workflow
from claims.models import AttachmentKind, Claim, HeldUpload, QuoteDecision, Resolution, Status, StatusChange
from claims.tests.factories import ClaimFactory, ClaimLineFactory, pdf_bytes, png_bytes
from claims.uploads import ACCEPT, MAX_FILE_SIZE, MAX_FILES_PER_CLAIM, PDF, PNG, CheckedUpload, check_upload
from core.errors import RuleViolation, RuleViolations, TransitionNotAllowed

TODAY = datetime.date(2026, 3, 10)


def raised(call):
    with pytest.raises(RuleViolation) as error:
        call()
    return error.value


# ---- a line -----------------------------------------------------------------


def test_serial_is_required_for_a_brand_that_asks_for_it(catalogue):
    error = raised(lambda: rules.check_serial(catalogue["drone"], ""))
    assert error.message == "DJI products need the serial number: it is on the device or its box."
    assert (error.field, error.code) == ("serial", "serial_required")
    rules.check_serial(catalogue["drone"], "1SDJK7R0A10043")
    rules.check_serial(catalogue["vacuum"], "")


def test_fault_type_is_required_when_the_product_has_some_and_must_be_one_of_them(catalogue):
    vacuum, drone = catalogue["vacuum"], catalogue["drone"]
    error = raised(lambda: rules.check_fault_type(vacuum, None))
    assert (error.message, error.field) == ("Choose the fault type of this product.", "fault_type")
    rules.check_fault_type(vacuum, catalogue["no_power"])
    rules.check_fault_type(drone, None)
    error = raised(lambda: rules.check_fault_type(drone, catalogue["no_power"]))
    assert (error.message, error.code) == ("This fault type does not apply to this product.", "fault_type_foreign")


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (TODAY + datetime.timedelta(days=1), "The document date cannot be in the future."),
        (datetime.date(1999, 12, 31), "Give the date printed on the sales document."),
    ],
    ids=["future", "before-2000"],
)
def test_document_date_must_be_a_real_sales_date(day, message):
    error = raised(lambda: rules.check_document_date(day, today=TODAY))
    assert (error.message, error.field) == (message, "document_date")


def test_document_date_of_today_or_none_passes():
    rules.check_document_date(TODAY, today=TODAY)
    rules.check_document_date(None, today=TODAY)


def test_check_line_reports_every_broken_rule_at_once(catalogue):
    with pytest.raises(RuleViolations) as error:
        rules.check_line(
            catalogue["drone"],
            serial="",
            fault_type=catalogue["no_power"],
            document_date=TODAY + datetime.timedelta(days=3),
            today=TODAY,
        )
    assert [(e.field, e.code) for e in error.value] == [
        ("serial", "serial_required"),
        ("fault_type", "fault_type_foreign"),
        ("document_date", "document_date_future"),
    ]


def test_check_line_with_one_broken_rule_raises_that_rule(catalogue):
    error = raised(
        lambda: rules.check_line(catalogue["vacuum"], serial="", fault_type=None, document_date=TODAY, today=TODAY)
    )
    assert not isinstance(error, RuleViolations) and error.field == "fault_type"


def test_a_source_without_fault_types_is_not_asked_for_one(catalogue):
    rules.check_line(catalogue["vacuum"], serial="", document_date=TODAY, with_fault_type=False, today=TODAY)


def test_text_limits_are_the_stored_columns():
    assert (rules.MAX_SERIAL, rules.MAX_OWN_NUMBER) == (100, 60)
    rules.check_length("x" * rules.MAX_SERIAL, rules.MAX_SERIAL, field="serial")
    error = raised(lambda: rules.check_length("x" * 61, rules.MAX_OWN_NUMBER, field="own_number"))
    assert (error.message, error.field, error.code) == ("At most 60 characters.", "own_number", "too_long")


def test_quantity_counts_only_for_products_that_take_one(catalogue):
    assert rules.line_quantity(catalogue["cable"], 4) == 4
    assert rules.line_quantity(catalogue["cable"], None) == 1
    assert rules.line_quantity(catalogue["vacuum"], 3) == 1


def test_product_for_ean_says_why_there_is_none(catalogue):
    assert rules.product_for_ean(f" {catalogue['drone'].ean} ") == catalogue["drone"]
    error = raised(lambda: rules.product_for_ean("5901234123458"))
    assert error.message == "The last digit of “5901234123458” does not match: check the code for a typing error."
    assert (error.field, error.code) == ("ean", "ean_malformed")
    error = raised(lambda: rules.product_for_ean("5901234123457"))
    assert error.message == ("No product with the EAN 5901234123457 is in our catalogue. Check the code on the box.")
    assert error.code == "ean_unknown"


def test_product_for_ean_reads_a_loaded_catalogue_without_queries(catalogue, django_assert_num_queries):
    loaded = {catalogue["drone"].ean: catalogue["drone"]}
    with django_assert_num_queries(0):
        assert rules.product_for_ean(catalogue["drone"].ean, catalogue=loaded) == catalogue["drone"]
        assert raised(lambda: rules.product_for_ean(catalogue["vacuum"].ean, catalogue=loaded)).code == "ean_unknown"


# ---- a claim ----------------------------------------------------------------


def test_a_brand_reserved_claim_type_takes_only_that_brand(catalogue):
    dji_type = catalogue["dji_type"]
    rules.check_claim_type(dji_type, [catalogue["drone"]])
    rules.check_claim_type(catalogue["warranty_type"], [catalogue["drone"], catalogue["vacuum"]])
    error = raised(lambda: rules.check_claim_type(dji_type, [catalogue["drone"], catalogue["vacuum"]]))
    assert error.message == (
        "The claim type “DJI Care Refresh” is reserved for DJI products; every product of the claim must be one."
    )
    assert error.field == "claim_type"


def test_file_count_counts_what_the_claim_holds_already():
    rules.check_file_count(MAX_FILES_PER_CLAIM)
    assert raised(lambda: rules.check_file_count(MAX_FILES_PER_CLAIM + 1)).message == "At most 10 files per claim."
    error = raised(lambda: rules.check_file_count(2, existing=9))
    assert error.message == "A claim holds at most 10 files; this one has 9 already."
    assert error.field == "files"


# ---- uploads ------------------------------------------------------------------


def test_check_upload_returns_what_it_found_and_adds_nothing_to_the_file():
    uploaded = SimpleUploadedFile("../factura.exe", pdf_bytes(), content_type="application/x-msdownload")
    checked = check_upload(uploaded)
    assert isinstance(checked, CheckedUpload)
    assert (checked.type, checked.content_type, checked.extension) == (PDF, "application/pdf", ".pdf")
    assert (checked.name, checked.size, checked.file) == ("factura.exe", len(pdf_bytes()), uploaded)
    assert not checked.is_image and not hasattr(uploaded, "detected_content_type")
    assert check_upload(SimpleUploadedFile("p.png", png_bytes())).type == PNG
    assert rules.extra_file_kind(check_upload(SimpleUploadedFile("p.png", png_bytes()))) == AttachmentKind.PHOTO
    assert rules.extra_file_kind(checked) == AttachmentKind.OTHER


def test_check_upload_refuses_with_a_rule_violation_naming_the_file(settings):
    error = raised(lambda: check_upload(SimpleUploadedFile("x.jpg", b"<html></html>")))
    assert error.message == "“x.jpg” is not a PDF or an image (JPEG, PNG, WebP), or it is damaged."
    assert error.code == "bad_type"
    too_big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * MAX_FILE_SIZE)
    assert raised(lambda: check_upload(too_big)).message == "“big.pdf” is larger than 10 MB."


def test_the_new_claim_page_renders_the_limits_from_their_constants(owner_client, catalogue, owner_address):
    from django.urls import reverse

    html = owner_client.get(reverse("claim_new")).content.decode()
    assert f'data-max="{rules.MAX_LINES_PER_CLAIM}"' in html
    assert html.count(f'accept="{ACCEPT}"') == 2
    assert "Required. PDF, JPEG, PNG or WebP, up to 10 MB a file." in html
    assert (
        f"Optional. Images up to {uploads.MAX_IMAGE_MEGAPIXELS} megapixels; at most 10 files per claim in all." in html
    )


# ---- the workflow -------------------------------------------------------------


def test_open_statuses_are_those_the_workflow_can_still_move():
    assert set(workflow.OPEN_STATUSES) == set(Status) - {Status.CLOSED, Status.CANCELLED}


@pytest.mark.parametrize(
    ("start", "to", "values", "field", "code"),
    [
        (Status.REGISTERED, Status.CLOSED, {}, "status", "not_in_table"),
        (Status.DIAGNOSIS, Status.RESOLVED, {"lines_without_outcome": ["Product 2"]}, "outcome", "outcome_missing"),
        (Status.DIAGNOSIS, Status.RESOLVED, {"resolution": ""}, "outcome", "resolution_missing"),
        (Status.DIAGNOSIS, Status.WAITING_CUSTOMER, {}, "note", "nothing_to_wait_for"),
        (Status.RESOLVED, Status.SHIPPED_BACK, {}, "return_tracking", "return_tracking_missing"),
        (Status.DIAGNOSIS, Status.WAITING_CUSTOMER, {"quote_amount": 120}, "quote_text", "quote_text_missing"),
    ],
)
def test_check_transition_names_the_input_at_fault(start, to, values, field, code):
    with pytest.raises(TransitionNotAllowed) as error:
        workflow.check_transition(start, to, **values)
    assert (error.value.field, error.value.code) == (field, code)


def test_the_claim_asks_the_workflow(db, owner):
    claim = ClaimFactory.build(owner=owner, status=Status.AWAITING_DOCUMENTS)
    assert claim.can_cancel and claim.is_open and claim.awaits_documents and not claim.quote_pending
    claim.status = Status.RECEIVED
    assert not claim.can_cancel and claim.is_open and not claim.awaits_documents
    claim.status, claim.quote_decision, claim.quote_amount = Status.WAITING_CUSTOMER, QuoteDecision.PENDING, 90
    assert claim.quote_pending and claim.offers_quote
    claim.status = Status.CANCELLED
    assert not claim.is_open and not claim.can_cancel


def test_a_quote_without_its_text_changes_nothing(owner, staff):
    claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
    with pytest.raises(TransitionNotAllowed) as error:
        services.claim_change_status(claim=claim, to=Status.WAITING_CUSTOMER, by=staff, quote=(120, "RON", ""))
    assert error.value.message == "Describe what the quote covers."
    claim.refresh_from_db()
    assert (claim.status, claim.quote_amount, claim.quote_decision) == (Status.DIAGNOSIS, None, "")
    assert not StatusChange.objects.filter(claim=claim).exists()


def test_partner_cannot_cancel_a_received_claim(owner):
    claim = ClaimFactory(owner=owner, status=Status.RECEIVED)
    with pytest.raises(TransitionNotAllowed) as error:
        services.claim_cancel(claim=claim, by=owner)
    assert error.value.message == "This claim can no longer be cancelled: the parcel has already been received."
    claim.refresh_from_db()
    assert claim.status == Status.RECEIVED and not claim.status_changes.exists()


def test_no_pending_quote_no_decision(owner):
    claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
    with pytest.raises(TransitionNotAllowed) as error:
        services.quote_decide(claim=claim, by=owner, accept=True)
    assert error.value.message == "There is no quote waiting for your decision on this claim."
    claim.refresh_from_db()
    assert claim.quote_decision == "" and not claim.status_changes.exists()


def test_bulk_change_reports_each_refusal_as_a_domain_error(owner, staff):
    closed = ClaimFactory(owner=owner, status=Status.CLOSED)
    changed, refused = services.claims_change_status_bulk(claims=[closed], to=Status.RECEIVED, by=staff)
    assert changed == []
    [(claim, error)] = refused
    assert claim == closed and isinstance(error, TransitionNotAllowed)
    assert error.message == "A claim cannot go from “Closed” to “Received”."


def test_a_resolved_claim_tells_its_resolution_in_the_status_email(owner, staff):
    claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
    ClaimLineFactory(claim=claim, outcome=Resolution.REPAIRED)
    services.claim_change_status(claim=claim, to=Status.RESOLVED, by=staff)
    claim.refresh_from_db()
    assert claim.tells_resolution and not claim.tells_return_tracking and not claim.offers_quote


# ---- selectors and the held-files service --------------------------------------


def test_duplicate_serials_are_looked_up_in_the_users_open_claims_only(owner, stranger):
    mine = ClaimLineFactory(claim=ClaimFactory(owner=owner), serial="SN1")
    ClaimLineFactory(claim=ClaimFactory(owner=owner, status=Status.CLOSED), serial="SN1")
    ClaimLineFactory(claim=ClaimFactory(owner=owner, status=Status.CANCELLED), serial="SN1")
    ClaimLineFactory(claim=ClaimFactory(owner=stranger), serial="SN1")
    assert selectors.open_claim_lines_with_serials(owner, ["SN1", ""]) == [mine]
    assert selectors.open_claim_lines_with_serials(owner, ["", ""]) == []


def test_held_files_are_kept_offered_and_released(owner, stranger, django_capture_on_commit_callbacks):
    invoice = check_upload(SimpleUploadedFile("factura.pdf", pdf_bytes()))
    photo = check_upload(SimpleUploadedFile("poza.png", png_bytes()))
    held = services.held_uploads_keep(
        owner=owner, uploads=[(invoice, AttachmentKind.SALES_DOCUMENT), (photo, rules.extra_file_kind(photo))]
    )
    stored = [(h.original_name, h.kind, h.content_type, h.size) for h in HeldUpload.objects.order_by("id")]
    assert stored == [
        ("factura.pdf", "sales_document", "application/pdf", len(pdf_bytes())),
        ("poza.png", "photo", "image/png", len(png_bytes())),
    ]
    assert all(h.file.name.startswith("held/") and "factura" not in h.file.name for h in held)
    assert selectors.held_uploads_for_user(owner) == held
    assert selectors.held_uploads_for_user(stranger) == []
    later = held[0].created_at + datetime.timedelta(hours=HeldUpload.HOLD_HOURS, seconds=1)
    assert selectors.held_uploads_for_user(owner, now=later) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.held_uploads_release(held)
    assert not HeldUpload.objects.exists() and Claim.objects.count() == 0
