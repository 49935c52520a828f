"""Every partner URL and lookup x every kind of visitor.

Nothing of company A (its purchases, sold serials, claims, attachments, labels,
imports, addresses, members) reaches anyone but A's active members. Each case
asserts what must be absent from the answer, not only its status code, and the
members' own rows prove that the same requests do show A's data to them.
"""

import datetime
import io

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from accounts.models import Address, ClientType, MembershipRole, MembershipState
from accounts.tests.factories import UserFactory
from claims.models import Attachment, AttachmentKind, Claim, ImportBatch, Message, QuoteDecision, Status
from claims.tests.factories import ClaimFactory, ClaimLineFactory, pdf_bytes
from warranty.tests.factories import ProductFactory, SaleFactory, SoldSerialFactory

pytestmark = pytest.mark.django_db

VAT_A = "RO18547290"
VAT_B = "RO14399840"
SOLD_SERIAL = "SNASOLD0001"
CLAIM_SERIAL = "SNACLAIM0001"
INVOICE_DATES = ("14.03.2026", "14 Mar 2026", "2026-03-14")
ADDRESS = "Strada Secretă 99"

VISITORS = [
    "anonymous",
    "pending_a",
    "rejected_a",
    "member_a",
    "admin_a",
    "removed_a",
    "member_b",
    "end_customer",
    "staff",
]
INSIDERS = {"member_a", "admin_a"}


@pytest.fixture
def world(db):
    admin = UserFactory(username="admin_a", email="admin@a.ro", vat_number=VAT_A[2:])
    member = UserFactory(username="member_a", email="member@a.ro", vat_number=VAT_A[2:])
    assert admin.membership.role == MembershipRole.ADMIN and member.membership.role == MembershipRole.MEMBER
    users = {
        "admin_a": admin,
        "member_a": member,
        "pending_a": UserFactory(username="pending_a", email="p@a.ro", membership=MembershipState.PENDING),
        "rejected_a": UserFactory(username="rejected_a", email="r@a.ro", membership=MembershipState.REJECTED),
        "removed_a": UserFactory(username="removed_a", email="x@a.ro", membership=MembershipState.REMOVED),
        "member_b": UserFactory(username="member_b", email="b@b.ro", vat_number=VAT_B[2:]),
        "end_customer": UserFactory(
            username="client", email="c@gmail.com", client_type=ClientType.END_CUSTOMER, vat_country="", vat_number=""
        ),
        "staff": UserFactory(username="tech", email="tech@example.com", is_staff=True, vat_country="", vat_number=""),
    }
    product = ProductFactory(name="DJI Mini 4 Pro", warranty_months=24)
    SaleFactory(product=product, buyer_vat_id=VAT_A, invoice_date=datetime.date(2026, 3, 14))
    SoldSerialFactory(serial=SOLD_SERIAL, product=product, buyer_vat_id=VAT_A, invoice_date=datetime.date(2026, 3, 14))
    claim = ClaimFactory(
        owner=member, status=Status.WAITING_CUSTOMER, quote_decision=QuoteDecision.PENDING, quote_amount=120
    )
    ClaimLineFactory(claim=claim, product=product, serial=CLAIM_SERIAL)
    attachment = Attachment(
        claim=claim, kind=AttachmentKind.SALES_DOCUMENT, original_name="factura-a.pdf", content_type="application/pdf"
    )
    attachment.size = len(pdf_bytes())
    attachment.file.save("a.pdf", ContentFile(pdf_bytes()), save=True)
    batch = ImportBatch.objects.create(company=claim.company, owner=member, file_name="a.csv", claim_count=1)
    Claim.objects.filter(pk=claim.pk).update(import_batch=batch)
    address = Address.objects.create(
        company=claim.company, name="Depozit A", street=ADDRESS, postal_code="1", city="X", phone="+40721000001"
    )
    return {
        "users": users,
        "claim": claim,
        "attachment": attachment,
        "batch": batch,
        "address": address,
        "product": product,
    }


def client_for(world, visitor):
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if visitor != "anonymous":
        client.force_login(world["users"][visitor])
    return client


def body(response):
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).active
        return "\n".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row)
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("latin-1")
    return response.content.decode("utf-8", "replace")


def secrets(world):
    claim = world["claim"]
    return [claim.rma_number, CLAIM_SERIAL, ADDRESS, "factura-a.pdf", "member@a.ro", *INVOICE_DATES, "%PDF"]


def gets(world):
    claim, batch, address = world["claim"], world["batch"], world["address"]
    return {
        "dashboard": reverse("dashboard"),
        "warranty by EAN": f"{reverse('dashboard')}?ean={world['product'].ean}",
        "warranty by EAN (htmx)": (f"{reverse('dashboard')}?ean={world['product'].ean}", "warranty-result"),
        "serial check": f"{reverse('dashboard')}?serial={SOLD_SERIAL}",
        "serial check (htmx)": (f"{reverse('dashboard')}?serial={SOLD_SERIAL}", "serial-result"),
        "search by serial": f"{reverse('dashboard')}?q={CLAIM_SERIAL}",
        "claim list": reverse("claim_list"),
        "claim list search": f"{reverse('claim_list')}?q={CLAIM_SERIAL}",
        "claim list filtered": f"{reverse('claim_list')}?q={CLAIM_SERIAL[2:8]}&sort=rma&opened_from=2000-01-01",
        "claims export csv": reverse("claim_export", args=["csv"]),
        "claims export xlsx": reverse("claim_export", args=["xlsx"]),
        "claims export search": f"{reverse('claim_export', args=['csv'])}?q={CLAIM_SERIAL[2:8]}",
        "claim detail": reverse("claim_detail", args=[claim.pk]),
        "claim registered": reverse("claim_registered", args=[claim.pk]),
        "label": reverse("claim_label", args=[claim.pk]),
        "attachment": reverse("claim_attachment", args=[claim.pk, world["attachment"].pk]),
        "import result": reverse("claim_import_result", args=[batch.pk]),
        "handover": reverse("claim_import_handover", args=[batch.pk]),
        "company page": reverse("company"),
        "profile": reverse("profile"),
        "address edit": reverse("address_edit", args=[address.pk]),
        "address delete": reverse("address_delete", args=[address.pk]),
    }


@pytest.mark.parametrize("visitor", VISITORS)
def test_gets_show_company_a_only_to_its_active_members(world, visitor):
    client = client_for(world, visitor)
    for name, target in gets(world).items():
        url, htmx = target if isinstance(target, tuple) else (target, None)
        headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": htmx} if htmx else {}
        response = client.get(url, **headers)
        assert response.status_code < 500, (visitor, name)
        text = body(response)
        if visitor in INSIDERS:
            continue
        # What the visitor typed is echoed back (the search box, the language switch's return address);
        # what the portal found must not be.
        text = text.replace(f'value="{CLAIM_SERIAL}"', "").replace(f"q={CLAIM_SERIAL}", "")
        text = text.replace(f"“{CLAIM_SERIAL}”", "")
        for secret in secrets(world):
            assert secret not in text, (visitor, name, secret)
        assert "was sold to your company" not in text, (visitor, name)
        if name in {"claim detail", "claim registered", "label", "attachment", "import result", "handover"}:
            assert response.status_code in (302, 404), (visitor, name, response.status_code)


@pytest.mark.parametrize("visitor", sorted(INSIDERS))
def test_members_of_a_do_see_its_data(world, visitor):
    client = client_for(world, visitor)
    urls = gets(world)
    detail = body(client.get(urls["claim detail"]))
    assert world["claim"].rma_number in detail and CLAIM_SERIAL in detail
    lookup = body(client.get(urls["warranty by EAN"]))
    assert "14 Mar 2026" in lookup
    assert "was sold to your company" in body(client.get(urls["serial check"]))
    assert body(client.get(urls["attachment"])).startswith("%PDF")
    assert ADDRESS in body(client.get(urls["profile"]))
    for export in ("claims export csv", "claims export xlsx", "claims export search"):
        exported = body(client.get(urls[export]))
        assert world["claim"].rma_number in exported and CLAIM_SERIAL in exported, export
    search = client.get(urls["search by serial"])
    assert search.status_code == 302 and search["Location"] == world["claim"].get_absolute_url()


@pytest.mark.parametrize("visitor", [v for v in VISITORS if v not in INSIDERS])
def test_writes_on_company_a_change_nothing(world, visitor):
    client = client_for(world, visitor)
    claim = world["claim"]
    pending = world["users"]["pending_a"].membership
    posts = [
        (reverse("claim_message", args=[claim.pk]), {"body": "hello from outside"}),
        (reverse("claim_quote", args=[claim.pk]), {"decision": "accept"}),
        (reverse("claim_cancel", args=[claim.pk]), {"note": "x"}),
        (
            reverse("claim_attachment_add", args=[claim.pk]),
            {"kind": "photo", "files": ContentFile(pdf_bytes(), name="x.pdf")},
        ),
        (reverse("membership_approve", args=[pending.pk]), {}),
        (reverse("membership_reject", args=[pending.pk]), {"reason": "no"}),
        (reverse("invitation_create"), {"email": "intruder@evil.test"}),
        (reverse("company_settings"), {"notification_email": "intruder@evil.test"}),
        (reverse("address_delete", args=[world["address"].pk]), {}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (302, 403, 404), (visitor, url, response.status_code)
    claim.refresh_from_db()
    pending.refresh_from_db()
    assert claim.status == Status.WAITING_CUSTOMER and claim.quote_decision == QuoteDecision.PENDING
    assert not Message.objects.filter(claim=claim).exists()
    assert claim.attachments.count() == 1
    assert pending.state == MembershipState.PENDING
    assert claim.company.invitations.count() == 0 and claim.company.notification_email == ""
    assert Address.objects.filter(pk=world["address"].pk).exists()
