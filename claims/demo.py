"""Demo data for the embedded default: accounts, and later catalogue and claims."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from accounts.models import Address, ClientType, Company, Customer, Membership, MembershipRole, MembershipState

DEMO_PASSWORD_PARTNER = "demo-partner-2026"
DEMO_PASSWORD_STAFF = "demo-service-2026"

PARTNERS = [
    # username, first, last, email, vat country, vat number, company
    ("partener", "Ana", "Popescu", "partener@example.com", "RO", "18547290", "Electro Demo SRL"),
    ("altfirma", "Mihai", "Ionescu", "altfirma@example.com", "RO", "14399840", "Alt Magazin SRL"),
]


def _user(username, *, email, password, **fields):
    User = get_user_model()
    user = User.objects.filter(username=username).first() or User(username=username)
    for key, value in fields.items():
        setattr(user, key, value)
    user.email = email
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def load():
    """Accounts, the demo catalogue (warranty.demo) and a few claims for the demo partner."""
    from warranty import demo as warranty_demo

    ensure_reference_data()
    logins = load_accounts()
    warranty_demo.load()
    load_claims()
    return logins


def ensure_reference_data():
    """The claim types and the "Service staff" group of the data migrations, again if they were flushed."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    import_module("claims.migrations.0010_name_per_language").create_types(apps, None)
    wanted = import_module("claims.migrations.0003_service_staff_group").PERMISSIONS
    group, _ = Group.objects.get_or_create(name="Service staff")
    query = Q(pk__in=[])
    for app_label, codenames in wanted.items():
        query |= Q(content_type__app_label=app_label, codename__in=codenames)
    group.permissions.set(Permission.objects.filter(query))


def hints():
    """What to type on the dashboard, printed by the demo_data command."""
    from warranty import demo as w

    return [
        ("EAN in warranty", w.DEMO_EAN_IN_WARRANTY),
        ("EAN, warranty expired", w.DEMO_EAN_EXPIRED),
        ("EAN not bought by the demo partner", w.DEMO_EAN_NOT_BOUGHT),
        ("serial sold to the demo partner", w.DEMO_SERIAL_OWN),
        ("serial sold to another company", w.DEMO_SERIAL_OTHER),
        ("EAN with serial and fault type (claim)", w.DEMO_EAN_NEEDS_SERIAL_AND_FAULT),
        ("EAN of an accessory with quantity", w.DEMO_EAN_ACCESSORY_QTY),
    ]


def load_claims():
    """Three claims at different stages, once, so the partner's pages are not empty."""
    import datetime

    from django.utils import timezone

    from claims.models import AttachmentKind, Claim, ClaimType, LineOutcome, Status
    from claims.services import (
        ClaimData,
        LineData,
        ReturnAddress,
        UploadData,
        claim_change_status,
        claim_create,
        line_set_outcome,
    )
    from warranty import demo as w
    from warranty.models import Product

    User = get_user_model()
    partner = User.objects.get(username="partener")
    staff = User.objects.get(username="service")
    if Claim.objects.filter(owner=partner).exists():
        return
    address = ReturnAddress.from_address(partner.membership.company.addresses.get(is_default=True))
    warranty_type = ClaimType.objects.get(code="warranty")
    product = Product.objects.get(ean=w.DEMO_EAN_IN_WARRANTY)
    today = timezone.localdate()

    def make(description, own_number):
        line = LineData(
            product=product,
            document_date=today - datetime.timedelta(days=90),
            description=description,
            serial="DEMO" + own_number.replace("-", ""),
        )
        invoice = UploadData(
            file=ContentFile(_demo_invoice_pdf(), name="factura-INN-2026-03318.pdf"),
            kind=AttachmentKind.SALES_DOCUMENT,
            content_type="application/pdf",
        )
        data = ClaimData(
            claim_type=warranty_type,
            lines=[line],
            return_address=address,
            own_number=own_number,
            uploads=[invoice],
            package_contents="Produs, cablu de încărcare",
        )
        return claim_create(user=partner, data=data, notify=False)

    make("Nu pornește după actualizarea de firmware.", "ED-101")
    in_diagnosis = make("Se oprește după câteva minute.", "ED-102")
    for status in (Status.RECEIVED, Status.DIAGNOSIS):
        claim_change_status(claim=in_diagnosis, to=status, by=staff, note="", notify=False)
    done = make("Ecran crăpat la livrare.", "ED-103")
    for status in (Status.RECEIVED, Status.DIAGNOSIS, Status.REPAIR):
        claim_change_status(claim=done, to=status, by=staff, notify=False)
    for line in done.lines.all():
        line_set_outcome(line=line, outcome=LineOutcome.REPAIRED, by=staff)
    claim_change_status(claim=done, to=Status.RESOLVED, by=staff, notify=False)
    claim_change_status(claim=done, to=Status.SHIPPED_BACK, by=staff, return_tracking="FAN0012345678", notify=False)
    # Spread the demo history over the past weeks, so that ages and the timeline look like real work.
    for claim, days_ago in ((in_diagnosis, 9), (done, 24)):
        _backdate(claim, days_ago)
    _backdate(Claim.objects.get(owner=partner, own_number="ED-101"), 2)


def _backdate(claim, days_ago):
    import datetime

    from claims.models import StatusChange

    start = claim.created_at - datetime.timedelta(days=days_ago)
    changes = list(StatusChange.objects.filter(claim=claim).order_by("pk"))
    step = datetime.timedelta(days=days_ago) / (len(changes) + 1)
    for index, change in enumerate(changes):
        change.created_at = start + step * index
    StatusChange.objects.bulk_update(changes, ["created_at"])
    claim.attachments.update(created_at=start)
    claim.created_at, claim.status_changed_at = start, changes[-1].created_at
    claim.save(update_fields=["created_at", "status_changed_at"])


def _demo_invoice_pdf():
    """A one-page stand-in for the partner's sales invoice."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(72, 770, "Factura INN-2026-03318")
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 745, "Electro Demo SRL - demo document")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def load_accounts():
    logins = []
    for username, first, last, email, country, number, company in PARTNERS:
        user = _user(
            username,
            email=email,
            password=DEMO_PASSWORD_PARTNER,
            first_name=first,
            last_name=last,
            client_type=ClientType.B2B_PARTNER,
            vat_country=country,
            vat_number=number,
            phone="+40721000001" if username == "partener" else "+40721000002",
        )
        vat_id = f"{country}{number}"
        street = "Bd. Unirii nr. 10" if username == "partener" else "Str. Lunga nr. 5"
        city = "București" if username == "partener" else "Brașov"
        Customer.objects.update_or_create(
            vat_id=vat_id,
            defaults={
                "legal_name": company,
                "registered_address": f"{street}, {city}",
                "authorised_emails": email,
                "authorised_domains": "",
            },
        )
        firm, _created = Company.objects.update_or_create(
            vat_id=vat_id, defaults={"legal_name": company, "registered_address": f"{street}, {city}"}
        )
        # The demo's partners stay active administrators of their companies, whatever happened before.
        Membership.objects.update_or_create(
            user=user, defaults={"company": firm, "role": MembershipRole.ADMIN, "state": MembershipState.ACTIVE}
        )
        if not firm.addresses.exists():
            Address.objects.create(
                company=firm,
                name=company,
                street=street,
                postal_code="030823" if username == "partener" else "500035",
                city=city,
                country="RO",
                phone=user.phone,
                is_default=True,
            )
        logins.append((f"B2B partner ({company})", username, DEMO_PASSWORD_PARTNER))
    staff = _user(
        "service",
        email="tehnician@example.com",
        password=DEMO_PASSWORD_STAFF,
        first_name="Radu",
        last_name="Tehnician",
        is_staff=True,
        client_type=ClientType.END_CUSTOMER,
    )
    group = Group.objects.filter(name="Service staff").first()
    if group:
        staff.groups.add(group)
    logins.append(("Service staff (admin)", "service", DEMO_PASSWORD_STAFF))
    return logins
