"""Every claim and CSV import belongs to the company of the person who made it."""

from django.db import migrations


def forwards(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    Company = apps.get_model("accounts", "Company")
    Claim = apps.get_model("claims", "Claim")
    ImportBatch = apps.get_model("claims", "ImportBatch")
    company_of = dict(Membership.objects.values_list("user_id", "company_id"))
    owners = set(Claim.objects.values_list("owner_id", flat=True)) | set(
        ImportBatch.objects.values_list("owner_id", flat=True)
    )
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(pk__in=owners - set(company_of)):
        # A staff account that opened claims itself (none expected) holds a company of its own.
        company = Company.objects.create(legal_name=user.username, is_personal=True)
        Membership.objects.create(user=user, company=company, role="admin", state="active")
        company_of[user.pk] = company.pk
    for owner_id in owners:
        Claim.objects.filter(owner_id=owner_id).update(company_id=company_of[owner_id])
        ImportBatch.objects.filter(owner_id=owner_id).update(company_id=company_of[owner_id])


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_claims_belong_to_companies"),
        ("accounts", "0006_address_belongs_to_company"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
