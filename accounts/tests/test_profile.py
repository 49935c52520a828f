import re

import pytest
from django.urls import reverse

from accounts.models import Address
from accounts.tests.factories import AddressFactory

ADDRESS = {
    "name": "Service Partner SRL",
    "street": "Str. Fabricii 7",
    "postal_code": "400000",
    "city": "Cluj-Napoca",
    "country": "RO",
    "phone_0": "RO",
    "phone_1": "0744 555 666",
}


def test_profile_needs_login(client, db):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_changes_name_phone_and_language(owner_client, owner):
    response = owner_client.post(
        reverse("profile"),
        {"first_name": "Maria", "last_name": "Enache", "phone_0": "PL", "phone_1": "512 345 678", "language": "en"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.first_name, owner.last_name, str(owner.phone), owner.language) == (
        "Maria",
        "Enache",
        "+48512345678",
        "en",
    )
    # The page now speaks the chosen language.
    assert '<html lang="en">' in owner_client.get(reverse("profile")).content.decode()


def test_profile_bad_phone_is_shown_on_the_field(owner_client, owner):
    response = owner_client.post(
        reverse("profile"), {"first_name": "Maria", "last_name": "", "phone_0": "RO", "phone_1": "1", "language": "ro"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_phone_error"' in html and 'id="id_last_name_error"' in html
    assert 'value="Maria"' in html
    owner.refresh_from_db()
    assert owner.first_name == "Ana"


def test_profile_rejects_wrong_method(owner_client):
    assert owner_client.delete(reverse("profile")).status_code == 405


def test_first_address_becomes_default_and_a_new_default_replaces_it(owner_client, owner):
    assert owner_client.post(reverse("address_add"), ADDRESS).status_code == 302
    first = Address.objects.get(company=owner.membership.company)
    assert first.is_default

    owner_client.post(reverse("address_add"), {**ADDRESS, "name": "Depozit", "is_default": "on"})
    first.refresh_from_db()
    second = Address.objects.get(company=owner.membership.company, name="Depozit")
    assert second.is_default and not first.is_default
    assert str(second.phone) == "+40744555666"

    html = owner_client.get(reverse("profile")).content.decode()
    assert "Depozit" in html and "Service Partner SRL" in html


def test_address_form_errors_keep_input_and_store_nothing(owner_client, owner):
    response = owner_client.post(reverse("address_add"), {**ADDRESS, "city": "", "phone_1": "abc"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_city_error"' in html and 'id="id_phone_error"' in html
    assert 'value="Str. Fabricii 7"' in html
    assert not Address.objects.filter(company=owner.membership.company).exists()


def test_deleting_the_default_promotes_another(owner_client, owner):
    default = AddressFactory(user=owner, name="A", is_default=True)
    other = AddressFactory(user=owner, name="B", is_default=False)
    assert owner_client.post(reverse("address_delete", args=[default.pk])).status_code == 302
    other.refresh_from_db()
    assert other.is_default


def test_another_users_address_is_404(owner_client, stranger):
    address = AddressFactory(user=stranger)
    assert owner_client.get(reverse("address_edit", args=[address.pk])).status_code == 404
    assert owner_client.post(reverse("address_edit", args=[address.pk]), ADDRESS).status_code == 404
    assert owner_client.post(reverse("address_delete", args=[address.pk])).status_code == 404
    assert Address.objects.get(pk=address.pk).name == "Electro Demo SRL"


def test_partner_cannot_reach_the_admin(owner_client, client, db):
    assert owner_client.get("/admin/").status_code in (302, 403)
    assert owner_client.get("/admin/login/").status_code == 403


def test_anonymous_admin_goes_to_the_portal_login(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_terms_page(client, db):
    response = client.get(reverse("terms"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_new_address_form_starts_on_the_romanian_phone_prefix(owner_client):
    html = owner_client.get(reverse("address_add")).content.decode()
    assert re.search(r'<option value="RO" selected>', html)
