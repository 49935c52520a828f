"""Partners' accounts before companies existed migrate into companies with nothing lost."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("accounts", "0003_outgoingemail_moved_to_core"), ("claims", "0006_held_uploads")]
AFTER = [("accounts", "0006_address_belongs_to_company"), ("claims", "0009_claims_company_required")]


def schema_before():
    """Roll the test database back to the last migrations before companies, and return that state.

    (The migrator's own ``apply_initial_migration`` truncates one global plan, which here would
    keep the accounts migrations that claims 0006 happens to follow.)
    """
    call_command("migrate", "claims", BEFORE[1][1], verbosity=0)
    call_command("migrate", "accounts", BEFORE[0][1], verbosity=0)
    return MigrationExecutor(connection).loader.project_state(BEFORE)


def test_partners_are_grouped_by_vat_id_and_keep_every_row(migrator):
    old = schema_before()
    assert "user" in {f.name for f in old.apps.get_model("accounts", "Address")._meta.fields}
    User = old.apps.get_model("accounts", "User")
    Address = old.apps.get_model("accounts", "Address")
    Brand = old.apps.get_model("warranty", "Brand")
    Product = old.apps.get_model("warranty", "Product")
    ClaimType = old.apps.get_model("claims", "ClaimType")
    Claim = old.apps.get_model("claims", "Claim")
    ClaimLine = old.apps.get_model("claims", "ClaimLine")
    Attachment = old.apps.get_model("claims", "Attachment")
    StatusChange = old.apps.get_model("claims", "StatusChange")
    ImportBatch = old.apps.get_model("claims", "ImportBatch")

    def partner(username, vat_number, **fields):
        return User.objects.create(
            username=username,
            email=f"{username}@example.com",
            vat_country="RO" if vat_number else "",
            vat_number=vat_number,
            **fields,
        )

    ana = partner("ana", "18547290", date_joined=timezone.now() - datetime.timedelta(days=30))
    dan = partner("dan", "18547290")
    mihai = partner("mihai", "14399840")
    client = partner("client", "", client_type="customer", first_name="Ion", last_name="Pop")
    tech = User.objects.create(username="tech", email="tech@example.com", is_staff=True)
    for user, default in [(ana, True), (dan, True), (mihai, True), (client, True)]:
        Address.objects.create(
            user=user,
            name=f"Adresa {user.username}",
            street="Str. 1",
            postal_code="1",
            city="X",
            phone="+40721000001",
            is_default=default,
        )
    brand = Brand.objects.get_or_create(name="DJI")[0]
    product = Product.objects.create(ean="5901234123457", name="Mini", brand=brand, warranty_months=24)
    claim_type = ClaimType.objects.get_or_create(code="warranty", defaults={"name": "Warranty repair"})[0]
    claims = {}
    for n, user in enumerate([ana, dan, mihai, client], start=1):
        batch = ImportBatch.objects.create(owner=user, file_name=f"{user.username}.csv", claim_count=1)
        claim = Claim.objects.create(
            rma_year=2026,
            rma_seq=n,
            rma_number=f"RMA/{n}/SR/2026",
            owner=user,
            claim_type=claim_type,
            return_name="X",
            return_street="Y",
            return_postal_code="1",
            return_city="Z",
            return_country="RO",
            import_batch=batch,
        )
        ClaimLine.objects.create(claim=claim, product=product, document_date=datetime.date(2026, 1, 1), description="d")
        Attachment.objects.create(
            claim=claim,
            kind="sales_document",
            file=f"attachments/{n}.pdf",
            original_name="f.pdf",
            content_type="application/pdf",
            size=10,
        )
        StatusChange.objects.create(claim=claim, from_status="", to_status="registered", by=tech if n == 1 else user)
        claims[user.username] = claim.pk

    new = migrator.apply_tested_migration(AFTER)
    User = new.apps.get_model("accounts", "User")
    Company = new.apps.get_model("accounts", "Company")
    Membership = new.apps.get_model("accounts", "Membership")
    Address = new.apps.get_model("accounts", "Address")
    Claim = new.apps.get_model("claims", "Claim")
    ImportBatch = new.apps.get_model("claims", "ImportBatch")

    firm = Company.objects.get(vat_id="RO18547290")
    other = Company.objects.get(vat_id="RO14399840")
    personal = Membership.objects.get(user__username="client").company
    assert personal.is_personal and personal.vat_id == "" and personal.legal_name == "Ion Pop"
    # Never proven: the partners wait for approval; the end customer holds a company of one.
    states = dict(Membership.objects.values_list("user__username", "state"))
    assert states == {"ana": "pending", "dan": "pending", "mihai": "pending", "client": "active"}
    assert not Membership.objects.filter(user__username="tech").exists()
    for username, company in [("ana", firm), ("dan", firm), ("mihai", other), ("client", personal)]:
        claim = Claim.objects.get(pk=claims[username])
        assert claim.company_id == company.pk and claim.owner.username == username
        assert claim.lines.count() == 1 and claim.attachments.count() == 1 and claim.status_changes.count() == 1
        assert ImportBatch.objects.get(claims=claim).company_id == company.pk
    assert sorted(Address.objects.filter(company=firm).values_list("name", flat=True)) == ["Adresa ana", "Adresa dan"]
    # Two colleagues each had a default address: the company keeps one default, the older one.
    assert list(Address.objects.filter(company=firm, is_default=True).values_list("name", flat=True)) == ["Adresa ana"]
    assert Address.objects.count() == 4 and Claim.objects.count() == 4
    assert User.objects.count() == 5
