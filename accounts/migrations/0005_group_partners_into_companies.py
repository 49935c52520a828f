"""Existing partner accounts become companies, grouped by VAT id.

Nobody's membership was ever proven, so every partner's membership starts
pending (staff approve them in bulk from the admin). An end customer, who has
no VAT id, becomes the active holder of a company of one. Return addresses
move to the company of the person who kept them.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Company = apps.get_model("accounts", "Company")
    Membership = apps.get_model("accounts", "Membership")
    Address = apps.get_model("accounts", "Address")
    companies = {}
    for user in User.objects.filter(is_staff=False).order_by("date_joined", "id"):
        vat_id = f"{user.vat_country}{user.vat_number}" if user.vat_country and user.vat_number else ""
        if vat_id:
            company = companies.get(vat_id)
            if company is None:
                company = Company.objects.create(vat_id=vat_id, legal_name=vat_id)
                companies[vat_id] = company
            Membership.objects.create(user=user, company=company, role="member", state="pending")
        else:
            name = f"{user.first_name} {user.last_name}".strip() or user.username
            company = Company.objects.create(legal_name=name, is_personal=True)
            Membership.objects.create(user=user, company=company, role="admin", state="active")
        Address.objects.filter(user=user).update(company=company)
    # Colleagues may each have had a default address: the company keeps one.
    for company in Company.objects.all():
        defaults = list(Address.objects.filter(company=company, is_default=True).order_by("created_at", "id"))
        for extra in defaults[1:]:
            Address.objects.filter(pk=extra.pk).update(is_default=False)
    # Addresses of staff accounts (none are expected) would have no company: give them one each.
    for address in Address.objects.filter(company__isnull=True).select_related("user"):
        company = Company.objects.create(legal_name=address.user.username, is_personal=True)
        Address.objects.filter(user=address.user).update(company=company)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_companies")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
