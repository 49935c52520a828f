"""Issue 10.11: login timing does not tell registered addresses, and an unconfirmed
address never blocks its real owner."""

import pytest
from django.urls import reverse

from tests.security import hashers


@pytest.fixture
def counted(settings):
    settings.PASSWORD_HASHERS = ["tests.security.hashers.CountingHasher"]
    hashers.calls.clear()
    return hashers.calls


def hashes_for(client, counted, login, password="wrong-password"):
    counted.clear()
    client.post(reverse("account_login"), {"login": login, "password": password})
    return len(counted)


@pytest.mark.django_db
def test_a_login_costs_the_same_hashes_for_known_and_unknown_accounts(client, counted, owner):
    owner.set_password("Parola-Buna-2026")
    owner.save()
    costs = {
        login: hashes_for(client, counted, login)
        for login in ("owner@example.com", "OWNER@example.com", "nobody@example.com", "owner", "nobody")
    }
    assert set(costs.values()) == {1}, costs


@pytest.mark.django_db
def test_logins_still_work_by_username_and_email_in_any_case(client, owner):
    for login in ("owner", "Owner", "owner@example.com", "Owner@Example.com"):
        response = client.post(reverse("account_login"), {"login": login, "password": "Parola-Buna-2026"})
        assert response.status_code == 302, login
        client.logout()


@pytest.mark.django_db
def test_an_inactive_account_is_not_logged_in(client, owner):
    owner.is_active = False
    owner.save()
    client.post(reverse("account_login"), {"login": "owner", "password": "Parola-Buna-2026"})
    assert "_auth_user_id" not in client.session


def sign_up(client, email, username):
    from accounts.tests.test_signup import GOOD

    data = {**GOOD, "email": email, "username": username}
    return client.post(reverse("account_signup"), data)


@pytest.mark.django_db
def test_an_unconfirmed_sign_up_does_not_block_the_real_owner(client, mailoutbox):
    from django.test import Client

    from accounts.models import User

    sign_up(Client(), "ioana@firma.ro", "squatter")
    squatter = User.objects.get(username="squatter")
    assert not squatter.emailaddress_set.filter(verified=True).exists()

    response = sign_up(client, "Ioana@Firma.ro", "ioana")

    assert response.status_code == 302
    owner = User.objects.get(username="ioana")
    assert owner.email == "ioana@firma.ro"
    assert owner.emailaddress_set.get().email == "ioana@firma.ro"
    assert not User.objects.filter(username="squatter").exists()


@pytest.mark.django_db
def test_an_address_added_but_never_confirmed_does_not_block_its_owner(client, owner):
    from allauth.account.models import EmailAddress

    from accounts.models import User

    EmailAddress.objects.create(user=owner, email="ioana@firma.ro", verified=False, primary=False)

    assert sign_up(client, "ioana@firma.ro", "ioana").status_code == 302

    assert User.objects.get(username="ioana").emailaddress_set.get().email == "ioana@firma.ro"
    # The account that added it keeps everything else.
    assert list(owner.emailaddress_set.values_list("email", flat=True)) == ["owner@example.com"]


@pytest.mark.django_db
def test_a_confirmed_address_still_opens_no_second_account(client, owner):
    from accounts.models import User

    sign_up(client, "owner@example.com", "intruder")

    assert not User.objects.filter(username="intruder").exists()
    assert User.objects.filter(email__iexact="owner@example.com").count() == 1


@pytest.mark.django_db
def test_a_staff_account_without_address_rows_still_claims_its_address(client, staff):
    from accounts.models import User

    staff.emailaddress_set.all().delete()
    sign_up(client, "tech@example.com", "intruder")

    assert not User.objects.filter(username="intruder").exists()
