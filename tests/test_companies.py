"""Companies: membership is proven (customer master, an administrator, staff), never typed."""

import datetime
import hashlib
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Company, Customer, Invitation, Membership, MembershipRole, MembershipState, User
from accounts.tests.factories import UserFactory
from accounts.tests.test_signup import GOOD, activation_link, signup
from claims.models import Claim
from claims.tests.factories import ClaimFactory, ClaimLineFactory
from core.errors import Conflict, NotAllowed
from warranty.tests.factories import ProductFactory, SaleFactory, SoldSerialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _send_at_once(monkeypatch):
    """E-mails here are sent when queued (their after-commit timing is tested in core)."""
    monkeypatch.setattr("core.mail.transaction.on_commit", lambda callback, *args, **kwargs: callback())


def confirm(client, message):
    path = "/" + activation_link(message).split("://", 1)[1].split("/", 1)[1]
    return client.post(path)


def sign_up_and_confirm(client, **changes):
    mail.outbox.clear()
    assert signup(client, **changes).status_code == 302
    confirm(client, mail.outbox[-1])
    return User.objects.get(username=changes.get("username", GOOD["username"]))


# --- proving membership -------------------------------------------------------------------------


def test_first_person_with_an_authorised_email_becomes_administrator(client):
    Customer.objects.create(vat_id="RO18547290", legal_name="Firma Marin SRL", authorised_domains="firma.ro")
    user = sign_up_and_confirm(client)
    membership = user.membership
    assert membership.state == MembershipState.ACTIVE and membership.role == MembershipRole.ADMIN
    assert membership.company.legal_name == "Firma Marin SRL" and membership.company.vat_id == "RO18547290"


def test_authorised_address_but_company_has_an_administrator_waits_for_them(client):
    Customer.objects.create(vat_id="RO18547290", legal_name="Firma Marin SRL", authorised_domains="firma.ro")
    admin = UserFactory(username="sef", email="sef@firma.ro", language="ro")
    assert admin.membership.role == MembershipRole.ADMIN
    user = sign_up_and_confirm(client)
    assert user.membership.state == MembershipState.PENDING
    to_admin = [m for m in mail.outbox if m.to == ["sef@firma.ro"]]
    assert len(to_admin) == 1 and "Ioana Marin" in to_admin[0].body and "/company/" in to_admin[0].body
    # Rendered in the administrator's language.
    company = admin.membership.company
    assert company.legal_name in to_admin[0].subject and "Cerere" in to_admin[0].subject


def test_typed_vat_id_without_proof_is_pending_and_staff_are_told(client, settings):
    user = sign_up_and_confirm(client)
    assert user.membership.state == MembershipState.PENDING
    to_staff = [m for m in mail.outbox if m.to == [settings.SERVICE_EMAIL]]
    assert len(to_staff) == 1 and "RO18547290" in to_staff[0].body
    assert "/admin/accounts/membership/?state__exact=pending" in to_staff[0].body


def test_unauthorised_email_is_not_made_administrator_by_the_customer_master(client):
    Customer.objects.create(vat_id="RO18547290", legal_name="Firma Marin SRL", authorised_emails="office@firma.ro")
    user = sign_up_and_confirm(client, email="ioana@gmail.com")
    assert user.membership.state == MembershipState.PENDING


def test_end_customer_holds_a_company_of_one(client):
    user = sign_up_and_confirm(client, client_type="customer", vat_country="", vat_number="")
    membership = user.membership
    assert membership.is_admin and membership.company.is_personal and membership.company.vat_id == ""


def test_pending_person_sees_where_the_request_stands_and_no_purchase_data(client):
    product = ProductFactory(name="DJI Mini 4 Pro", warranty_months=24)
    SaleFactory(product=product, buyer_vat_id="RO18547290", invoice_date=datetime.date(2026, 3, 14))
    SoldSerialFactory(serial="SNSECRET01", product=product, buyer_vat_id="RO18547290")
    colleague = UserFactory(username="sef", email="sef@firma.ro")
    ClaimLineFactory(claim=ClaimFactory(owner=colleague), serial="SNCLAIM01")
    rma = colleague.claims.get().rma_number
    sign_up_and_confirm(client)
    client.login(username="ioana", password=GOOD["password1"])
    page = client.get(reverse("dashboard")).content.decode()
    assert "waiting for approval" in page and "administrator of your company" in page
    assert rma not in page
    lookup = client.get(reverse("dashboard"), {"ean": product.ean}).content.decode()
    assert "24 months" in lookup and "not been approved yet" in lookup
    assert "14.03.2026" not in lookup and "2026-03-14" not in lookup and "14 Mar" not in lookup
    serial = client.get(reverse("dashboard"), {"serial": "SNSECRET01"}).content.decode()
    assert "was sold to your company" not in serial and "Invoice date" not in serial
    assert client.get(reverse("claim_list")).status_code == 302
    assert client.get(reverse("claim_new")).status_code == 302
    assert client.get(reverse("company")).status_code == 302
    assert client.get(reverse("profile")).status_code == 200


# --- deciding -----------------------------------------------------------------------------------


@pytest.fixture
def admin_a(db):
    return UserFactory(username="admin_a", email="admin@firma.ro")


@pytest.fixture
def pending_a(admin_a):
    return UserFactory(username="newbie", email="newbie@firma.ro", membership=MembershipState.PENDING, language="ro")


def test_administrator_approves_from_the_company_page(admin_a, pending_a):
    client = Client()
    client.force_login(admin_a)
    page = client.get(reverse("company")).content.decode()
    assert "newbie@firma.ro" in page and "Requests to join" not in page or "Cereri" in page
    response = client.post(reverse("membership_approve", args=[pending_a.membership.pk]))
    assert response.status_code == 302
    pending_a.membership.refresh_from_db()
    assert pending_a.membership.state == MembershipState.ACTIVE
    assert pending_a.membership.decided_by == admin_a and pending_a.membership.decided_at is not None
    (message,) = [m for m in mail.outbox if m.to == ["newbie@firma.ro"]]
    assert "Sunteți acum membru" in message.subject  # in the person's language


def test_reject_needs_a_reason_the_person_reads(admin_a, pending_a, client):
    client.force_login(admin_a)
    url = reverse("membership_reject", args=[pending_a.membership.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and 'id="id_reason_error"' in response.content.decode()
    pending_a.membership.refresh_from_db()
    assert pending_a.membership.state == MembershipState.PENDING
    client.post(url, {"reason": "Nu lucrați la noi."})
    pending_a.membership.refresh_from_db()
    assert pending_a.membership.state == MembershipState.REJECTED
    (message,) = [m for m in mail.outbox if m.to == ["newbie@firma.ro"]]
    assert "Nu lucrați la noi." in message.body
    rejected = Client()
    rejected.force_login(pending_a)
    assert "Nu lucrați la noi." in rejected.get(reverse("dashboard")).content.decode()


def test_a_member_cannot_decide_and_another_company_gets_a_404(admin_a, pending_a, stranger):
    member = UserFactory(username="plain", email="plain@firma.ro")
    assert member.membership.role == MembershipRole.MEMBER
    client = Client()
    client.force_login(member)
    assert client.post(reverse("membership_approve", args=[pending_a.membership.pk])).status_code == 404
    client.force_login(stranger)
    assert client.post(reverse("membership_approve", args=[pending_a.membership.pk])).status_code == 404
    pending_a.membership.refresh_from_db()
    assert pending_a.membership.state == MembershipState.PENDING
    with pytest.raises(NotAllowed):
        services.membership_approve(membership=pending_a.membership, by=member)


def test_staff_decide_when_the_company_has_no_administrator(staff):
    person = UserFactory(username="solo", email="solo@firma.ro", membership=MembershipState.PENDING)
    services.membership_approve(membership=person.membership, by=staff)
    person.membership.refresh_from_db()
    # The first approved person of a company without administrator takes the role.
    assert person.membership.is_admin


def test_removed_member_loses_access_at_the_next_request_and_claims_stay(admin_a):
    member = UserFactory(username="plain", email="plain@firma.ro")
    claim = ClaimFactory(owner=member)
    client = Client()
    client.force_login(member)
    assert client.get(claim.get_absolute_url()).status_code == 200
    boss = Client()
    boss.force_login(admin_a)
    boss.post(reverse("membership_remove", args=[member.membership.pk]))
    assert client.get(claim.get_absolute_url()).status_code == 404
    assert boss.get(claim.get_absolute_url()).status_code == 200
    claim.refresh_from_db()
    assert claim.company == admin_a.membership.company


def test_a_company_never_loses_its_last_administrator(admin_a):
    with pytest.raises(Conflict):
        services.membership_remove(membership=admin_a.membership, by=admin_a)
    with pytest.raises(Conflict):
        services.membership_set_role(membership=admin_a.membership, role=MembershipRole.MEMBER, by=admin_a)
    member = UserFactory(username="plain", email="plain@firma.ro")
    client = Client()
    client.force_login(admin_a)
    client.post(reverse("membership_role", args=[member.membership.pk]), {"role": "hand_over"})
    admin_a.membership.refresh_from_db()
    member.membership.refresh_from_db()
    assert member.membership.is_admin and admin_a.membership.role == MembershipRole.MEMBER


def test_staff_approve_migrated_requests_in_bulk(staff):
    for n in range(3):
        UserFactory(username=f"old{n}", email=f"old{n}@firma.ro", membership=MembershipState.PENDING)
    client = Client()
    client.force_login(staff)
    staff.is_superuser = True
    staff.save()
    ids = [str(pk) for pk in Membership.objects.values_list("pk", flat=True)]
    client.post(
        reverse("admin:accounts_membership_changelist"),
        {"action": "approve_memberships", "_selected_action": ids},
    )
    assert set(Membership.objects.values_list("state", flat=True)) == {MembershipState.ACTIVE}
    assert Membership.objects.filter(role=MembershipRole.ADMIN).count() == 1


# --- invitations --------------------------------------------------------------------------------


def invite(admin, email="coleg@firma.ro"):
    client = Client()
    client.force_login(admin)
    mail.outbox.clear()
    response = client.post(reverse("invitation_create"), {"email": email})
    assert response.status_code == 302, response.content.decode()
    link = re.search(r"https?://\S+/invitation/\S+/", mail.outbox[-1].body).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_invitation_signs_up_a_colleague_with_the_company_set_and_email_confirmed(admin_a):
    path = invite(admin_a)
    token = path.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in invitation.token_hash
    assert invitation.expires_at - timezone.now() > datetime.timedelta(days=6, hours=23)
    colleague = Client()
    response = colleague.get(path)
    assert response.status_code == 302 and "email=coleg%40firma.ro" in response["Location"]
    form = colleague.get(response["Location"]).content.decode()
    assert 'value="coleg@firma.ro"' in form and 'value="14399840"' not in form and "18547290" in form
    mail.outbox.clear()
    signup(colleague, email="coleg@firma.ro", username="coleg", first_name="Dan")
    user = User.objects.get(username="coleg")
    assert user.membership.state == MembershipState.ACTIVE and user.membership.company == admin_a.membership.company
    assert not [m for m in mail.outbox if "confirm-email" in m.body]  # the invitation confirmed the address
    # Single use.
    assert Client().get(path).status_code == 404


def test_expired_or_withdrawn_invitation_is_refused(admin_a):
    path = invite(admin_a)
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert Client().get(path).status_code == 404
    path = invite(admin_a, "altul@firma.ro")
    invitation = Invitation.objects.get(email="altul@firma.ro")
    client = Client()
    client.force_login(admin_a)
    client.post(reverse("invitation_withdraw", args=[invitation.pk]))
    assert Client().get(path).status_code == 404
    assert services.invitations_purge_expired() == 1


def test_invitation_form_errors_keep_input(admin_a):
    client = Client()
    client.force_login(admin_a)
    response = client.post(reverse("invitation_create"), {"email": "not-an-address"})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="id_email_error"' in html and 'value="not-an-address"' in html
    assert not Invitation.objects.exists()


# --- shared work --------------------------------------------------------------------------------


def test_colleagues_share_claims_with_creator_shown_and_a_mine_filter(admin_a):
    member = UserFactory(username="plain", email="plain@firma.ro", first_name="Dan", last_name="Pop")
    mine = ClaimFactory(owner=admin_a)
    theirs = ClaimFactory(owner=member)
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(admin_a)
    page = client.get(reverse("claim_list")).content.decode()
    assert mine.rma_number in page and theirs.rma_number in page and "Dan Pop" in page
    page = client.get(reverse("claim_list"), {"who": "mine"}).content.decode()
    assert mine.rma_number in page and theirs.rma_number not in page
    detail = client.get(theirs.get_absolute_url()).content.decode()
    assert "Dan Pop" in detail


def test_status_emails_reach_creator_colleagues_who_want_them_and_the_notification_address(admin_a):
    from claims.emails import recipients

    member = UserFactory(username="plain", email="plain@firma.ro")
    quiet = UserFactory(username="quiet", email="quiet@firma.ro")
    services.membership_set_copies(membership=quiet.membership, enabled=False)
    company = admin_a.membership.company
    company.notification_email = "service@firma.ro"
    company.save()
    claim = Claim.objects.select_related("owner", "company").get(pk=ClaimFactory(owner=member).pk)
    emails = [email for email, _language in recipients(claim)]
    assert emails == ["plain@firma.ro", "admin@firma.ro", "service@firma.ro"]


def test_label_names_the_company_and_the_person(admin_a):
    from claims.labels import render_claim_label

    company = admin_a.membership.company
    claim = ClaimFactory(owner=admin_a)
    line = ClaimLineFactory(claim=claim)
    pdf = render_claim_label(claim=claim, lines=[line], claim_url="https://rma.example.com/claims/1/")
    import pypdfium2

    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))
    assert company.legal_name in text and company.vat_id in text and admin_a.get_full_name() in text


def test_quote_is_decided_by_the_creator_or_an_administrator(admin_a):
    from claims.models import QuoteDecision, Status
    from claims.services import quote_decide
    from core.errors import NotAllowed as TransitionError

    member = UserFactory(username="plain", email="plain@firma.ro")
    other = UserFactory(username="other", email="other@firma.ro")
    claim = ClaimFactory(
        owner=member, status=Status.WAITING_CUSTOMER, quote_decision=QuoteDecision.PENDING, quote_amount=100
    )
    with pytest.raises(TransitionError):
        quote_decide(claim=claim, by=other, accept=True)
    quote_decide(claim=claim, by=admin_a, accept=True)
    claim.refresh_from_db()
    assert claim.quote_decision == QuoteDecision.ACCEPTED


def test_company_vat_id_is_unique_but_personal_companies_have_none():
    Company.objects.create(legal_name="A", is_personal=True)
    Company.objects.create(legal_name="B", is_personal=True)
    Company.objects.create(legal_name="C", vat_id="RO18547290")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(legal_name="D", vat_id="RO18547290")


# --- query counts with a big company ------------------------------------------------------------


@pytest.mark.parametrize("size", [(1, 2), (20, 10_000)], ids=["1-member-2-claims", "20-members-10000-claims"])
def test_claim_list_and_dashboard_queries_stay_constant(admin_a, size, django_assert_max_num_queries):
    from claims.models import Status, StatusChange
    from claims.services import allocate_rma_numbers

    members, claims = size
    people = [admin_a] + [UserFactory(username=f"m{n}", email=f"m{n}@firma.ro") for n in range(members - 1)]
    claim_type = ClaimFactory(owner=admin_a).claim_type
    numbers = allocate_rma_numbers(claims - 1, timezone.now())
    Claim.objects.bulk_create(
        [
            Claim(
                company=admin_a.membership.company,
                owner=people[n % len(people)],
                claim_type=claim_type,
                rma_year=year,
                rma_seq=seq,
                rma_number=number,
                status=Status.REGISTERED,
                return_name="X",
                return_street="Y",
                return_postal_code="1",
                return_city="Z",
                return_country="RO",
            )
            for n, (year, seq, number) in enumerate(numbers)
        ],
        batch_size=2000,
    )
    assert Claim.objects.count() == claims and StatusChange.objects.count() == 0
    client = Client()
    client.force_login(people[-1])
    # The list's filter form adds its three choice lists (brands, claim types, the company's members).
    with django_assert_max_num_queries(13):
        assert client.get(reverse("claim_list")).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(reverse("claim_list"), {"who": "mine", "page": "2"}).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("dashboard")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("company")).status_code == 200
