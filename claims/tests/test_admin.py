import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from claims.admin import ClaimAdminForm
from claims.models import Message, Status
from claims.tests.factories import AttachmentFactory, ClaimFactory, ClaimLineFactory
from tests.html import table_rows, text


def change_url(claim):
    return reverse("admin:claims_claim_change", args=[claim.pk])


def admin_post(claim, **fields):
    data = {
        "claim_type": claim.claim_type_id,
        "own_number": claim.own_number,
        "waybill": claim.waybill,
        "package_contents": claim.package_contents,
        "new_status": "",
        "note": "",
        "internal_note": "",
        "new_return_tracking": "",
        "new_quote_amount": "",
        "new_quote_currency": "RON",
        "new_quote_text": "",
        "seen_version": ClaimAdminForm.version_of(claim),
    }
    for prefix, count in (
        ("lines", claim.lines.count()),
        ("attachments", claim.attachments.count()),
        ("status_changes", claim.status_changes.count()),
        ("messages", claim.messages.count()),
    ):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(count),
                f"{prefix}-INITIAL_FORMS": str(count),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    for i, line in enumerate(claim.lines.order_by("position")):
        data.update(
            {
                f"lines-{i}-id": line.pk,
                f"lines-{i}-claim": claim.pk,
                f"lines-{i}-serial": line.serial,
                f"lines-{i}-quantity": line.quantity,
                f"lines-{i}-fault_type": "",
                f"lines-{i}-description": line.description,
                f"lines-{i}-outcome": line.outcome,
                f"lines-{i}-replacement_serial": line.replacement_serial,
                f"lines-{i}-outcome_reason": line.outcome_reason,
            }
        )
    for i, attachment in enumerate(claim.attachments.all()):
        data.update({f"attachments-{i}-id": attachment.pk, f"attachments-{i}-claim": claim.pk})
    for i, change in enumerate(claim.status_changes.all()):
        data.update({f"status_changes-{i}-id": change.pk, f"status_changes-{i}-claim": claim.pk})
    for i, message in enumerate(claim.messages.all()):
        data.update({f"messages-{i}-id": message.pk, f"messages-{i}-claim": claim.pk})
    data.update(fields)
    return data


def test_service_staff_group_has_the_permissions(db):
    group = Group.objects.get(name="Service staff")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_claim", "view_claim", "add_message", "add_sale", "change_product"} <= codenames
    assert "delete_claim" not in codenames and "add_user" not in codenames


def test_staff_change_status_with_a_note_mails_the_partner(
    technician_client, owner, django_capture_on_commit_callbacks
):
    claim = ClaimFactory(owner=owner)
    ClaimLineFactory(claim=claim)
    with django_capture_on_commit_callbacks(execute=True):
        response = technician_client.post(
            change_url(claim),
            admin_post(claim, new_status=Status.RECEIVED, note="Parcel received.", internal_note="Box dented"),
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    claim.refresh_from_db()
    assert claim.status == Status.RECEIVED
    change = claim.status_changes.get()
    assert (change.note, change.internal_note, change.by.username) == ("Parcel received.", "Box dented", "tech")
    assert mail.outbox[-1].to == [owner.email] and "Parcel received." in mail.outbox[-1].body
    assert "Box dented" not in mail.outbox[-1].body


def test_staff_cannot_skip_the_workflow(technician_client, owner):
    claim = ClaimFactory(owner=owner)
    response = technician_client.post(change_url(claim), admin_post(claim, new_status=Status.CLOSED))
    assert response.status_code == 200  # the choice is not offered
    claim.refresh_from_db()
    assert claim.status == Status.REGISTERED


def test_resolving_in_the_admin_needs_an_outcome_per_line(technician_client, owner):
    claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
    ClaimLineFactory(claim=claim, position=1)
    response = technician_client.post(change_url(claim), admin_post(claim, new_status=Status.RESOLVED))
    assert response.status_code == 200 and "missing: Product 1" in text(response.content.decode())
    claim.refresh_from_db()
    assert claim.status == Status.DIAGNOSIS


def test_staff_answer_is_mailed_and_internal_note_is_not(technician_client, owner, django_capture_on_commit_callbacks):
    claim = ClaimFactory(owner=owner)
    data = admin_post(claim)
    data.update(
        {"messages-TOTAL_FORMS": "1", "messages-0-body": "We need a photo of the label.", "messages-0-claim": claim.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert technician_client.post(change_url(claim), data).status_code == 302
    message = Message.objects.get()
    assert message.from_service and not message.internal and message.author.username == "tech"
    assert mail.outbox[-1].to == [owner.email] and "We need a photo of the label." in mail.outbox[-1].body
    sent = len(mail.outbox)
    data = admin_post(claim)
    data.update(
        {
            "messages-TOTAL_FORMS": "2",
            "messages-1-body": "internal only",
            "messages-1-internal": "on",
            "messages-1-claim": claim.pk,
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        technician_client.post(change_url(claim), data)
    assert Message.objects.filter(internal=True).count() == 1 and len(mail.outbox) == sent


def test_bulk_mark_received_reports_refusals(technician_client, owner):
    ok = [ClaimFactory(owner=owner) for _ in range(2)]
    closed = ClaimFactory(owner=owner, status=Status.CLOSED)
    response = technician_client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "mark_received", "_selected_action": [c.pk for c in [*ok, closed]]},
        follow=True,
    )
    html = response.content.decode()
    assert closed.rma_number in html
    assert sorted(s for s in type(closed).objects.values_list("status", flat=True)) == sorted(
        [Status.RECEIVED, Status.RECEIVED, Status.CLOSED]
    )


@pytest.mark.parametrize("count", [2, 40])
def test_changelist_queries_are_constant(technician_client, owner, count, django_assert_max_num_queries):
    for _ in range(count):
        ClaimLineFactory(claim=ClaimFactory(owner=owner))
    with django_assert_max_num_queries(14):
        assert technician_client.get(reverse("admin:claims_claim_changelist")).status_code == 200


def test_search_by_vat_serial_and_email(technician_client, owner, stranger):
    mine = ClaimFactory(owner=owner, waybill="FAN999")
    ClaimLineFactory(claim=mine, serial="ABC123")
    theirs = ClaimFactory(owner=stranger)
    url = reverse("admin:claims_claim_changelist")
    mine.own_number = "PO-77"
    mine.save()
    terms = ("RO18547290", "ro 18547290", "abc 123", owner.email.upper(), "FAN999", "po-77", mine.rma_number.lower())
    for term in terms:
        html = technician_client.get(url, {"q": term}).content.decode()
        assert mine.rma_number in html and theirs.rma_number not in html, term
    # Nothing matches exactly: the usual "contains" search still helps.
    html = technician_client.get(url, {"q": "FAN9"}).content.decode()
    assert mine.rma_number in html and theirs.rma_number not in html


def test_claims_are_never_deleted(technician_client, owner, admin_client):
    claim = ClaimFactory(owner=owner)
    assert admin_client.get(reverse("admin:claims_claim_delete", args=[claim.pk])).status_code == 403


def test_staff_downloads_attachments(technician_client, owner):
    claim = ClaimFactory(owner=owner)
    attachment = AttachmentFactory(claim=claim)
    response = technician_client.get(reverse("admin:claims_claim_attachment", args=[claim.pk, attachment.pk]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]


def test_overview_page(technician_client, owner):
    claim = ClaimFactory(owner=owner)
    html = technician_client.get(reverse("admin:claims_claim_overview")).content.decode()
    rows = table_rows(html)
    assert "1 open claims" in text(html)
    assert ["Registered, waiting for the parcel", "1", ""] in rows and ["Received", "0", ""] in rows
    # The bar of the chart says its figure to a screen reader.
    assert 'role="img" aria-label="Registered, waiting for the parcel: 1"' in html
    assert [claim.rma_number, "Electro Demo SRL · RO18547290", "Registered, waiting for the parcel", "0"] in rows


def test_partner_cannot_reach_the_admin(owner_client, owner):
    claim = ClaimFactory(owner=owner)
    assert owner_client.get(reverse("admin:claims_claim_change", args=[claim.pk])).status_code in (302, 403)
    assert owner_client.get(reverse("admin:claims_claim_overview")).status_code in (302, 403)


@pytest.mark.parametrize("lines", [1, 8])
def test_change_page_queries_do_not_grow_with_lines(technician_client, owner, lines, django_assert_max_num_queries):
    claim = ClaimFactory(owner=owner)
    for position in range(1, lines + 1):
        ClaimLineFactory(claim=claim, position=position)
    with django_assert_max_num_queries(18):
        assert technician_client.get(reverse("admin:claims_claim_change", args=[claim.pk])).status_code == 200


def test_technician_edits_a_serial_as_the_search_expects(technician_client, owner):
    claim = ClaimFactory(owner=owner)
    line = ClaimLineFactory(claim=claim, position=1)
    page = technician_client.get(reverse("admin:claims_claim_change", args=[claim.pk]))
    data = {}
    for form in [page.context["adminform"].form, *[f.form for s in page.context["inline_admin_formsets"] for f in s]]:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    data["lines-0-serial"] = "ab 12 cd"
    data["lines-0-id"] = line.pk
    data["lines-0-claim"] = claim.pk
    response = technician_client.post(reverse("admin:claims_claim_change", args=[claim.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    line.refresh_from_db()
    assert line.serial == "AB12CD"


def test_a_quote_without_its_text_comes_back_on_the_quote_field(technician_client, owner):
    tech_client = technician_client
    claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
    response = tech_client.post(
        change_url(claim), admin_post(claim, new_status=Status.WAITING_CUSTOMER, new_quote_amount="120")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    assert list(errors) == ["new_quote_text"] and errors["new_quote_text"][0].code == "quote_text_missing"
    assert "Describe what the quote covers." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.DIAGNOSIS and claim.quote_amount is None and not claim.status_changes.exists()


def test_bulk_action_names_each_refused_claim(technician_client, owner):
    tech_client = technician_client
    moved, closed = ClaimFactory(owner=owner), ClaimFactory(owner=owner, status=Status.CLOSED)
    response = tech_client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "mark_received", "_selected_action": [moved.pk, closed.pk]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        "1 claims moved to “Received”.",
        f"{closed.rma_number}: A claim cannot go from “Closed” to “Received”.",
    ]
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED


def test_claims_and_warranty_admins_answer_a_missing_permission_alike(client, db):
    from accounts.tests.factories import UserFactory

    # Staff without any permission of the claims or the catalogue: the admin's own pages say 403, so do ours.
    client.force_login(UserFactory(username="intern", email="intern@example.com", is_staff=True))
    claim = ClaimFactory()
    attachment = AttachmentFactory(claim=claim)
    urls = [
        reverse("admin:claims_claim_changelist"),
        reverse("admin:claims_claim_overview"),
        reverse("admin:claims_claim_attachment", args=[claim.pk, attachment.pk]),
        reverse("admin:warranty_product_import"),
        reverse("admin:warranty_sale_import_template"),
    ]
    assert [client.get(url).status_code for url in urls] == [403] * len(urls)
