"""The action log: every write service leaves exactly one entry, inside its transaction; staff read it in the admin."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from accounts import services as account_services
from accounts.models import Address, Invitation, Membership, MembershipRole, MembershipState
from accounts.tests.factories import PASSWORD, AddressFactory, UserFactory
from claims import services
from claims.models import AttachmentKind, ImportBatch, QuoteDecision, Status
from claims.tests.factories import ClaimFactory, ClaimTypeFactory, pdf_bytes
from claims.uploads import PDF, CheckedUpload
from core.actionlog import ACTION_TYPES, describe, log_action
from core.models import ActionLogEntry
from warranty.imports import run_import
from warranty.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def only_entry(**filters):
    entries = list(ActionLogEntry.objects.filter(**filters))
    assert len(entries) == 1, [(e.action_type, e.data) for e in ActionLogEntry.objects.all()]
    return entries[0]


def about(obj):
    return {"content_type": ContentType.objects.get_for_model(obj), "object_id": obj.pk}


def line(product):
    return services.LineData(product=product, document_date=datetime.date(2026, 10, 1), description="Dead.")


def address():
    return services.ReturnAddress(
        name="Electro Demo SRL", street="Bd. Unirii 10", postal_code="030823", city="B", country="RO"
    )


def pdf_upload():
    file = SimpleUploadedFile("factura.pdf", pdf_bytes(), content_type="application/pdf")
    return CheckedUpload(file=file, type=PDF, name="factura.pdf", size=file.size)


# --- claims ----------------------------------------------------------------------------------


def test_claim_create(owner):
    data = services.ClaimData(claim_type=ClaimTypeFactory(), lines=[line(ProductFactory())], return_address=address())
    ActionLogEntry.objects.all().delete()
    claim = services.claim_create(user=owner, data=data, notify=False)
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_object) == ("claim.created", owner, claim)
    assert entry.company_id == claim.company_id
    assert entry.data == {"rma_number": claim.rma_number, "status": claim.status, "lines": 1}


def test_claims_create_many_logs_once_per_batch(owner, django_capture_on_commit_callbacks):
    product = ProductFactory()
    batch = ImportBatch.objects.create(company=owner.membership.company, owner=owner, file_name="c.csv", claim_count=3)
    rows = [{"line": line(product), "own_number": f"N{n}"} for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):  # logged once numbered, after the commit
        claims = services.claims_create_many(
            user=owner, claim_type=ClaimTypeFactory(), return_address=address(), rows=rows, batch=batch
        )
    assert claims[0].rma_number.startswith("RMA/")
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_object) == ("claims.imported", owner, batch)
    assert entry.data == {"count": 3, "first": claims[0].rma_number, "last": claims[-1].rma_number}


def test_claim_change_status(owner, staff):
    claim = ClaimFactory(owner=owner, status=Status.REGISTERED)
    services.claim_change_status(claim=claim, to=Status.RECEIVED, by=staff, note="Arrived", internal_note="shelf 3")
    entry = only_entry(**about(claim))
    assert (entry.action_type, entry.actor, entry.company_id) == ("claim.status_changed", staff, claim.company_id)
    assert entry.data == {"from": "registered", "to": "received", "note": "Arrived", "internal_note": "shelf 3"}


def test_bulk_status_change_logs_each_changed_claim_only(owner, staff):
    moving = ClaimFactory(owner=owner, status=Status.REGISTERED)
    stuck = ClaimFactory(owner=owner, status=Status.CLOSED)
    services.claims_change_status_bulk(claims=[moving, stuck], to=Status.RECEIVED, by=staff)
    assert only_entry().content_object == moving


def test_claim_cancel(owner):
    claim = ClaimFactory(owner=owner, status=Status.REGISTERED)
    services.claim_cancel(claim=claim, by=owner, note="Found the charger")
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_object) == ("claim.cancelled", owner, claim)
    assert entry.data["to"] == Status.CANCELLED


def test_message_post(owner):
    claim = ClaimFactory(owner=owner)
    message = services.message_post(claim=claim, author=owner, body="Hello")
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_object) == ("claim.message_posted", owner, claim)
    assert entry.data == {"message": message.pk, "from_service": False, "internal": False}


def test_attachment_add(owner):
    claim = ClaimFactory(owner=owner)
    upload = services.UploadData.from_checked(pdf_upload(), AttachmentKind.PHOTO)
    attachment = services.attachment_add(claim=claim, upload=upload, by=owner)
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_object) == ("claim.attachment_added", owner, claim)
    assert entry.data == {"attachment": attachment.pk, "kind": AttachmentKind.PHOTO, "name": "factura.pdf"}


def test_sales_document_for_a_waiting_claim_logs_the_file_and_the_status(owner):
    claim = ClaimFactory(owner=owner, status=Status.AWAITING_DOCUMENTS)
    services.sales_document_attach_many(assignments=[(claim, pdf_upload())], by=owner)
    assert sorted(ActionLogEntry.objects.values_list("action_type", flat=True)) == [
        "claim.attachment_added",
        "claim.status_changed",
    ]


def test_quote_decide(owner):
    claim = ClaimFactory(
        owner=owner,
        status=Status.WAITING_CUSTOMER,
        quote_amount=Decimal("120.50"),
        quote_currency="RON",
        quote_text="New gimbal",
        quote_decision=QuoteDecision.PENDING,
    )
    services.quote_decide(claim=claim, by=owner, accept=True)
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_object) == ("claim.quote_decided", owner, claim)
    assert entry.data == {"decision": QuoteDecision.ACCEPTED, "amount": "120.50", "currency": "RON"}


def test_a_write_that_rolls_back_leaves_no_entry(owner, staff):
    claim = ClaimFactory(owner=owner, status=Status.REGISTERED)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.claim_change_status(claim=claim, to=Status.RECEIVED, by=staff)
        assert ActionLogEntry.objects.count() == 1
        raise RuntimeError("the e-mail could not be queued")
    assert not ActionLogEntry.objects.exists()


def test_a_refused_write_leaves_no_entry(owner, staff):
    claim = ClaimFactory(owner=owner, status=Status.CLOSED)
    with pytest.raises(Exception):  # noqa: B017 - TransitionNotAllowed, whatever its hierarchy
        services.claim_change_status(claim=claim, to=Status.RECEIVED, by=staff)
    assert not ActionLogEntry.objects.exists()


# --- accounts ---------------------------------------------------------------------------------


@pytest.fixture
def admin_and_waiting(owner):
    waiting = UserFactory(username="waiting", membership=MembershipState.PENDING)
    ActionLogEntry.objects.all().delete()
    return owner, waiting.membership


def test_membership_request(db):
    user = UserFactory(username="newcomer", membership=False)
    membership = account_services.membership_request(user=user)
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_object) == ("membership.requested", user, membership)
    assert entry.company_id == membership.company_id


def test_membership_approve_and_reject(admin_and_waiting):
    admin, membership = admin_and_waiting
    account_services.membership_approve(membership=membership, by=admin)
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_object) == ("membership.approved", admin, membership)
    assert entry.data == {"user": membership.user_id, "role": MembershipRole.MEMBER, "state": MembershipState.ACTIVE}
    # Approving again changes nothing and logs nothing.
    account_services.membership_approve(membership=membership, by=admin)
    assert ActionLogEntry.objects.count() == 1


def test_membership_reject(admin_and_waiting):
    admin, membership = admin_and_waiting
    account_services.membership_reject(membership=membership, by=admin, reason="Unknown to us")
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.data["reason"]) == ("membership.rejected", admin, "Unknown to us")


def test_membership_role_change_and_removal(owner, colleague):
    membership = colleague.membership
    ActionLogEntry.objects.all().delete()
    account_services.membership_set_role(membership=membership, role=MembershipRole.ADMIN, by=owner)
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_object) == ("membership.role_changed", owner, membership)
    assert entry.data["previous_role"] == MembershipRole.MEMBER
    ActionLogEntry.objects.all().delete()
    account_services.membership_remove(membership=Membership.objects.get(pk=membership.pk), by=owner)
    assert only_entry().action_type == "membership.removed"


def test_company_update(owner):
    company = owner.membership.company
    account_services.company_update(company=company, by=owner, notification_email="rma@example.com")
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_object) == ("company.updated", owner, company)
    assert entry.data == {"notification_email": ["", "rma@example.com"]}


def test_invitation_create_accept_withdraw(owner):
    company = owner.membership.company
    invitation, token = account_services.invitation_create(company=company, email="new@example.com", by=owner)
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_object) == ("invitation.created", owner, invitation)
    assert token not in str(entry.data)
    ActionLogEntry.objects.all().delete()
    newcomer = UserFactory(username="new", email="new@example.com", membership=False)
    membership = account_services.invitation_accept(token=token, user=newcomer)
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.data["membership"]) == (
        "invitation.accepted",
        newcomer,
        membership.pk,
    )
    other, _token = account_services.invitation_create(company=company, email="other@example.com", by=owner)
    ActionLogEntry.objects.all().delete()
    account_services.invitation_withdraw(invitation=other, by=owner)
    account_services.invitation_withdraw(invitation=Invitation.objects.get(pk=invitation.pk), by=owner)  # used: no-op
    entry = only_entry()
    assert (entry.action_type, entry.content_object) == ("invitation.withdrawn", other)


def test_address_save_and_delete(owner):
    company = owner.membership.company
    saved = account_services.address_save(
        company=company,
        address=Address(name="Depozit", street="Str. 1", postal_code="010101", city="Cluj", country="RO"),
        by=owner,
    )
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_object) == ("address.saved", owner, saved)
    assert entry.data == {"created": True, "name": "Depozit", "city": "Cluj", "default": True}
    ActionLogEntry.objects.all().delete()
    account_services.address_delete(address=saved, by=owner)
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.data["address"]) == ("address.deleted", owner, saved.pk)
    assert entry.company_id == company.pk


# --- catalogue imports ------------------------------------------------------------------------


def test_catalogue_import_logs_one_entry_with_counts(staff):
    product = ProductFactory()
    rows = "\n".join(f"RO18547290;FV-{n};2026-10-01;{product.ean};1" for n in range(5))
    raw = ("buyer_vat_id;invoice_number;invoice_date;ean;quantity\n" + rows + "\n").encode()
    report = run_import("sales", raw, today=datetime.date(2026, 11, 25), by=staff)
    assert report.ok, report.errors
    entry = only_entry()
    assert (entry.action_type, entry.actor, entry.content_type) == ("catalogue.imported", staff, None)
    assert entry.data == {"kind": "sales", "rows": 5, "created": 5, "updated": 0, "unchanged": 0}
    run_import("sales", raw, today=datetime.date(2026, 11, 25), dry_run=True, by=staff)
    assert ActionLogEntry.objects.count() == 1


# --- sign-in events ---------------------------------------------------------------------------


def test_sign_in_is_logged(client, owner):
    response = client.post(reverse("account_login"), {"login": owner.email, "password": PASSWORD})
    assert response.status_code == 302
    entry = only_entry(action_type="user.logged_in")
    assert (entry.actor, entry.content_object, entry.data) == (owner, owner, {"ip": "127.0.0.1"})


def test_failed_sign_in_is_logged_without_a_user(client, owner):
    client.post(reverse("account_login"), {"login": "x" * 300, "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    entry = only_entry(action_type="user.login_failed")
    assert (entry.actor, entry.content_type, entry.object_id) == (None, None, None)
    assert entry.data == {"login": "x" * 100, "ip": "203.0.113.9"}
    assert "wrong" not in str(entry.data)


def test_password_change_is_logged(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "Alta-Parola-2027", "password2": "Alta-Parola-2027"},
    )
    assert response.status_code == 302
    entry = only_entry(action_type="user.password_changed")
    assert (entry.actor, entry.content_object) == (owner, owner)


def test_email_confirmation_is_logged(owner):
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_confirmed

    address = EmailAddress.objects.get(user=owner)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    entry = only_entry(action_type="user.email_confirmed")
    assert (entry.actor, entry.content_object, entry.data) == (owner, owner, {"email": owner.email})


# --- the admin --------------------------------------------------------------------------------


def test_every_action_type_has_a_description():
    assert describe("claim.created") == "Claim opened"
    assert describe("no.such") == "no.such"
    with pytest.raises(ValueError):
        log_action(None, "no.such")
    assert all(code.count(".") == 1 for code in ACTION_TYPES)


def listed(client, **params):
    """The actions in the rows of the log's list page (not in its filter sidebar)."""
    page = client.get(reverse("admin:core_actionlogentry_changelist"), params).content.decode()
    return sorted(re.findall(r'<td class="field-action">([^<]*)</td>', page))


def test_log_actions_writes_several_entries_at_once(owner, staff, django_assert_num_queries):
    from core.actionlog import log_actions

    first, second = ClaimFactory(owner=owner), ClaimFactory(owner=owner)
    ContentType.objects.get_for_model(first)  # cached from here on
    with django_assert_num_queries(1):
        log_actions(
            [(first, "claim.status_changed", {"to": "received"}), (second, "claim.status_changed", None)],
            actor=staff,
            company_id=first.company_id,
        )
    assert [(e.content_object, e.actor, e.data) for e in ActionLogEntry.objects.order_by("id")] == [
        (first, staff, {"to": "received"}),
        (second, staff, {}),
    ]


def test_log_admin_lists_filters_and_is_read_only(owner, staff, technician_client):
    claim = ClaimFactory(owner=owner, status=Status.REGISTERED)
    services.claim_change_status(claim=claim, to=Status.RECEIVED, by=staff)
    services.message_post(claim=claim, author=owner, body="Hi")
    posted, changed = "Message posted on a claim", "Claim status changed"
    assert {posted, changed} <= set(listed(technician_client))
    assert listed(technician_client, actor__id__exact=owner.pk) == [posted]
    assert listed(technician_client, action_type="claim.status_changed") == [changed]
    assert listed(technician_client, q=owner.email) == [posted]
    today = datetime.date.today()
    assert listed(technician_client, when__year=today.year + 1) == []
    assert technician_client.get(reverse("admin:core_actionlogentry_add")).status_code == 403
    entry = ActionLogEntry.objects.first()
    assert technician_client.post(reverse("admin:core_actionlogentry_delete", args=[entry.pk])).status_code == 403
    page = technician_client.get(reverse("admin:core_actionlogentry_change", args=[entry.pk])).content.decode()
    with translation.override("en"):
        description = str(describe(entry.action_type))
    assert description in page and 'name="_save"' not in page


def test_partners_do_not_see_the_log(owner_client):
    response = owner_client.get(reverse("admin:core_actionlogentry_changelist"))
    assert response.status_code == 302  # to the admin's login


def test_user_admin_links_to_the_users_entries(owner, technician_client):
    page = technician_client.get(reverse("admin:accounts_user_change", args=[owner.pk])).content.decode()
    assert f"{reverse('admin:core_actionlogentry_changelist')}?actor__id__exact={owner.pk}" in page


def test_claim_admin_shows_its_history_in_a_fixed_number_of_queries(owner, staff, technician_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    claim = ClaimFactory(owner=owner, status=Status.REGISTERED)
    url = reverse("admin:claims_claim_change", args=[claim.pk])

    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            page = technician_client.get(url).content.decode()
        return len(captured), page

    log_action(claim, "claim.status_changed", actor=staff, data={"from": "registered", "to": "received"})
    technician_client.get(url)  # warm the caches (content types)
    few, page = queries_for_page()
    assert "Claim status changed" in page
    for n in range(20):
        actor = UserFactory(username=f"someone{n}", is_staff=True) if n % 2 else None
        log_action(claim, "claim.status_changed", actor=actor, data={"note": f"step {n}"})
    many, page = queries_for_page()
    assert "someone19@example.com" in page and "step 19" in page
    assert many == few


def test_claim_history_includes_its_import_batch(owner, technician_client, django_capture_on_commit_callbacks):
    batch = ImportBatch.objects.create(company=owner.membership.company, owner=owner, file_name="c.csv", claim_count=1)
    rows = [{"line": line(ProductFactory()), "own_number": "N1"}]
    with django_capture_on_commit_callbacks(execute=True):  # logged once numbered, after the commit
        (claim,) = services.claims_create_many(
            user=owner, claim_type=ClaimTypeFactory(), return_address=address(), rows=rows, batch=batch
        )
    page = technician_client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    assert "Claims imported from CSV" in page


def test_entries_survive_a_deleted_address(owner):
    saved = AddressFactory(user=owner)
    account_services.address_delete(address=saved, by=owner)
    entry = only_entry(action_type="address.deleted")
    assert entry.content_object is None and entry.data["name"] == saved.name
