"""Outcome per line: the rules, resolving, the claim's summary, the admin, the partner's page and e-mail."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from claims import rules, services, workflow
from claims.models import LineOutcome, Resolution, Status, StatusChange
from claims.tests.factories import ClaimFactory, ClaimLineFactory
from claims.tests.test_admin import admin_post, change_url
from core.errors import RuleViolation, TransitionNotAllowed
from tests.html import text


@pytest.mark.parametrize(
    ("outcome", "serial", "reason", "field"),
    [
        (LineOutcome.REPLACED, "", "", "replacement_serial"),
        (LineOutcome.RETURNED_UNREPAIRED, "", " ", "outcome_reason"),
        ("broken", "", "", "outcome"),
    ],
)
def test_an_outcome_asks_what_it_needs(outcome, serial, reason, field):
    with pytest.raises(RuleViolation) as error:
        rules.check_line_outcome(outcome, replacement_serial=serial, reason=reason)
    assert error.value.field == field


@pytest.mark.parametrize("outcome", [LineOutcome.REPAIRED, LineOutcome.CREDIT_NOTE, LineOutcome.NO_FAULT_FOUND, ""])
def test_other_outcomes_need_nothing_more(outcome):
    rules.check_line_outcome(outcome)


@pytest.mark.parametrize(
    ("outcomes", "resolution"),
    [
        (["repaired", "repaired"], Resolution.REPAIRED),
        (["returned_unrepaired"], Resolution.RETURNED_UNREPAIRED),
        (["repaired", "replaced"], Resolution.MIXED),
        ([], ""),
        (["", ""], ""),
    ],
)
def test_the_resolution_sums_up_the_lines(outcomes, resolution):
    assert workflow.resolution_for_outcomes(outcomes) == resolution


def test_the_summary_counts_each_outcome():
    assert workflow.outcome_summary(["replaced", "repaired", "repaired", ""]) == "2 × Repaired, 1 × Replaced"


def test_resolving_waits_for_every_line_and_names_those_without_outcome(owner, staff):
    claim = ClaimFactory(owner=owner, status=Status.REPAIR)
    first = ClaimLineFactory(claim=claim, position=1)
    ClaimLineFactory(claim=claim, position=2)
    third = ClaimLineFactory(claim=claim, position=3)
    services.line_set_outcome(line=first, outcome=LineOutcome.REPAIRED, by=staff)
    with pytest.raises(TransitionNotAllowed) as error:
        services.claim_change_status(claim=claim, to=Status.RESOLVED, by=staff)
    assert error.value.code == "outcome_missing"
    assert "Product 2, Product 3" in str(error.value.message) and "Product 1" not in str(error.value.message)
    claim.refresh_from_db()
    assert claim.status == Status.REPAIR
    services.line_set_outcome(line=third, outcome=LineOutcome.REPAIRED, by=staff)
    services.line_set_outcome(
        line=claim.lines.get(position=2), outcome=LineOutcome.RETURNED_UNREPAIRED, reason="Liquid damage", by=staff
    )
    services.claim_change_status(claim=claim, to=Status.RESOLVED, by=staff)
    claim.refresh_from_db()
    assert (claim.status, claim.resolution) == (Status.RESOLVED, Resolution.MIXED)
    assert claim.outcome_summary == "2 × Repaired, 1 × Returned unrepaired"


def test_one_shared_outcome_is_the_resolution(owner, staff):
    claim = ClaimFactory(owner=owner, status=Status.REPAIR)
    for position in (1, 2):
        services.line_set_outcome(
            line=ClaimLineFactory(claim=claim, position=position),
            outcome=LineOutcome.REPLACED,
            replacement_serial=f"NEW{position}",
            by=staff,
        )
    services.claim_change_status(claim=claim, to=Status.RESOLVED, by=staff)
    claim.refresh_from_db()
    assert claim.resolution == Resolution.REPLACED


def test_set_outcome_refuses_a_replacement_without_serial_and_keeps_only_what_applies(owner, staff):
    line = ClaimLineFactory(claim=ClaimFactory(owner=owner, status=Status.REPAIR))
    with pytest.raises(RuleViolation):
        services.line_set_outcome(line=line, outcome=LineOutcome.REPLACED, by=staff)
    line.refresh_from_db()
    assert line.outcome == ""
    services.line_set_outcome(line=line, outcome=LineOutcome.REPAIRED, replacement_serial="X", reason="Y", by=staff)
    line.refresh_from_db()
    assert (line.outcome, line.replacement_serial, line.outcome_reason) == ("repaired", "", "")


def _lines_post(claim, outcomes):
    data = admin_post(claim, new_status=Status.RESOLVED)
    for index, (outcome, serial, reason) in enumerate(outcomes):
        data.update(
            {
                f"lines-{index}-outcome": outcome,
                f"lines-{index}-replacement_serial": serial,
                f"lines-{index}-outcome_reason": reason,
            }
        )
    return data


def test_technician_sets_outcomes_and_resolves_in_one_save(
    technician_client, owner, django_capture_on_commit_callbacks
):
    claim = ClaimFactory(owner=owner, status=Status.REPAIR)
    ClaimLineFactory(claim=claim, position=1, serial="VAC-1")
    ClaimLineFactory(claim=claim, position=2, serial="DRONE-2")
    data = _lines_post(claim, [("repaired", "", ""), ("returned_unrepaired", "", "Water inside, not covered.")])
    with django_capture_on_commit_callbacks(execute=True):
        response = technician_client.post(change_url(claim), data)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.resolution) == (Status.RESOLVED, Resolution.MIXED)
    assert list(claim.lines.values_list("outcome", flat=True)) == ["repaired", "returned_unrepaired"]
    [message] = mail.outbox
    body = message.body  # in the partner's language, Romanian
    assert "(VAC-1): Reparat" in body
    assert "(DRONE-2): " in body and "· Water inside, not covered." in body
    html = message.alternatives[0][0]
    assert "VAC-1" in html and "Water inside" in html


def test_a_replacement_without_serial_comes_back_on_its_line(technician_client, owner):
    claim = ClaimFactory(owner=owner, status=Status.REPAIR)
    ClaimLineFactory(claim=claim, position=1)
    response = technician_client.post(change_url(claim), _lines_post(claim, [("replaced", "", "")]))
    assert response.status_code == 200
    assert "Give the serial number of the replacement." in text(response.content.decode())
    claim.refresh_from_db()
    assert claim.status == Status.REPAIR and claim.lines.get().outcome == ""


def test_partner_sees_each_lines_outcome(owner_client, owner, staff):
    claim = ClaimFactory(owner=owner, status=Status.REPAIR)
    line = ClaimLineFactory(claim=claim, position=1)
    services.line_set_outcome(line=line, outcome=LineOutcome.REPLACED, replacement_serial="NEW-77", by=staff)
    page = text(owner_client.get(reverse("claim_detail", args=[claim.pk])).content.decode())
    assert "NEW-77" not in page  # not before the claim is resolved
    services.claim_change_status(claim=claim, to=Status.RESOLVED, by=staff, notify=False)
    page = text(owner_client.get(reverse("claim_detail", args=[claim.pk])).content.decode())
    assert "Replaced · new serial number NEW-77" in page


def test_a_note_without_status_change_is_saved(technician_client, owner, django_capture_on_commit_callbacks):
    claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
    with django_capture_on_commit_callbacks(execute=True):
        response = technician_client.post(change_url(claim), admin_post(claim, note="The part is ordered."))
    assert response.status_code == 302
    change = StatusChange.objects.get(claim=claim)
    assert (change.from_status, change.to_status, change.note) == (
        Status.DIAGNOSIS,
        Status.DIAGNOSIS,
        "The part is ordered.",
    )
    assert len(mail.outbox) == 1 and "The part is ordered." in mail.outbox[0].body


def test_a_quote_without_status_change_is_refused_with_a_message(technician_client, owner):
    claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
    response = technician_client.post(
        change_url(claim), admin_post(claim, new_quote_amount="120", new_quote_text="Screen")
    )
    assert response.status_code == 200
    assert "A quote is sent with the status" in text(response.content.decode())
    claim.refresh_from_db()
    assert claim.quote_amount is None


def test_waiting_for_the_customer_needs_a_quote_or_a_question(technician_client, owner):
    claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
    response = technician_client.post(change_url(claim), admin_post(claim, new_status=Status.WAITING_CUSTOMER))
    assert response.status_code == 200 and "give a quote or ask a question" in text(response.content.decode())
    response = technician_client.post(
        change_url(claim), admin_post(claim, new_status=Status.WAITING_CUSTOMER, note="Is the box original?")
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.WAITING_CUSTOMER


def test_quote_keeps_its_validity_and_vat(technician_client, owner):
    claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
    response = technician_client.post(
        change_url(claim),
        admin_post(
            claim,
            new_status=Status.WAITING_CUSTOMER,
            new_quote_amount="250.00",
            new_quote_text="New screen",
            new_quote_valid_until="2026-12-31",
            new_quote_vat_included="on",
        ),
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert str(claim.quote_valid_until) == "2026-12-31" and claim.quote_vat_included


def test_quote_pdf_and_stamped_labels(owner_client, owner, staff):
    import pypdfium2 as pdfium

    def pdf_text(content):
        pdf = pdfium.PdfDocument(content)
        try:
            return " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        finally:
            pdf.close()

    claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
    ClaimLineFactory(claim=claim, position=1)
    assert owner_client.get(reverse("claim_quote_pdf", args=[claim.pk])).status_code == 404
    services.claim_change_status(
        claim=claim,
        to=Status.WAITING_CUSTOMER,
        by=staff,
        quote=(180, "RON", "New battery"),
        quote_valid_until=datetime.date(2026, 12, 31),
        quote_vat_included=True,
        notify=False,
    )
    response = owner_client.get(reverse("claim_quote_pdf", args=[claim.pk]))
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    content = pdf_text(response.content)
    assert "180.00 RON" in content and "VAT included" in content and "New battery" in content
    assert "31" in content and "2026" in content
    page = text(owner_client.get(reverse("claim_detail", args=[claim.pk])).content.decode())
    assert "VAT included" in page and "Valid until" in page and "Download the quote (PDF)" in page

    label = pdf_text(owner_client.get(reverse("claim_label", args=[claim.pk])).content)
    assert "CANCELLED" not in label and "CLOSED" not in label
    cancelled = ClaimFactory(owner=owner, status=Status.CANCELLED)
    ClaimLineFactory(claim=cancelled, position=1)
    assert "CANCELLED" in pdf_text(owner_client.get(reverse("claim_label", args=[cancelled.pk])).content)
    page = text(owner_client.get(reverse("claim_detail", args=[cancelled.pk])).content.decode())
    assert "its label is marked CANCELLED" in page and "Print the label (PDF)" not in page
