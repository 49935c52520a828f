import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import User
from tests.html import text

GOOD = {
    "client_type": "b2b",
    "first_name": "Ioana",
    "last_name": "Marin",
    "vat_country": "RO",
    "vat_number": "18547290",
    "email": "ioana@firma.ro",
    "phone_0": "RO",
    "phone_1": "0721 234 567",
    "username": "ioana",
    "password1": "Reparatii-2026!",
    "password2": "Reparatii-2026!",
    "terms": "on",
}


def signup(client, **changes):
    data = {**GOOD, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("account_signup"), data)


def activation_link(message):
    match = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s/]+/", message.body)
    assert match, message.body
    return match.group(0)


@pytest.mark.django_db
def test_signup_page_is_romanian_by_default_and_english_on_switch():
    client = Client()
    page = client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="en-US")
    html = page.content.decode()
    assert '<html lang="ro">' in html
    assert "Creați-vă propriul cont" in html or "Înregistrează-ți propriul cont" in html

    switched = client.post(reverse("set_language"), {"language": "en", "next": reverse("account_signup")})
    assert switched.status_code == 302 and switched["Location"] == reverse("account_signup")
    html = client.get(reverse("account_signup")).content.decode()
    assert '<html lang="en">' in html
    assert "Create your own account" in html


@pytest.mark.django_db
def test_login_page_offers_sign_up(client):
    html = client.get(reverse("account_login")).content.decode()
    assert reverse("account_signup") in html
    assert 'name="login"' in html and 'name="password"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"vat_number": "18547291"}, "vat_number", "RO18547291"),
        ({"vat_country": "", "vat_number": ""}, "vat_number", "B2B"),
        ({"phone_1": "12"}, "phone", None),
        ({"password2": "Altceva-2026!"}, "password2", None),
        ({"terms": None}, "terms", None),
    ],
    ids=["vat-check-digit", "b2b-without-vat", "bad-phone", "passwords-differ", "terms-not-accepted"],
)
def test_signup_bad_input_keeps_input_and_stores_nothing(client, changes, field, message):
    response = signup(client, **changes)

    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert field in form.errors, form.errors
    # The error sits next to its field and the summary links to it.
    assert f'id="id_{field}_error"' in html
    assert "error-summary" in html
    assert 'aria-describedby="' in html and f"id_{field}_error" in html
    if message:
        assert message in " ".join(form.errors[field])
    # The other input is kept.
    assert 'value="Ioana"' in html and 'value="ioana@firma.ro"' in html
    assert User.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_vat_typed_with_prefix_and_spaces_is_normalised(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, vat_number="RO 185 472 90")
    assert response.status_code == 302
    user = User.objects.get(username="ioana")
    assert (user.vat_country, user.vat_number, user.vat_id) == ("RO", "18547290", "RO18547290")
    assert str(user.phone) == "+40721234567"
    assert user.terms_accepted_at is not None


@pytest.mark.django_db
def test_end_customer_may_sign_up_without_vat(client):
    response = signup(client, client_type="customer", vat_country="", vat_number="")
    assert response.status_code == 302
    assert User.objects.get(username="ioana").vat_id == ""


@pytest.mark.django_db
def test_greek_vat_uses_el_prefix(client):
    response = signup(client, vat_country="EL", vat_number="094259216")
    assert response.status_code == 302
    assert User.objects.get(username="ioana").vat_id == "EL094259216"


@pytest.mark.django_db
def test_signup_with_known_email_in_other_case_creates_nothing_and_tells_the_owner(
    client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, email="OWNER@Example.COM")
    # The same answer as a real sign-up: nothing reveals that the address exists.
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.com"]
    assert "confirm-email" not in mail.outbox[0].body


@pytest.mark.django_db
def test_signup_activation_and_login_by_username_and_email(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ioana@firma.ro"]
    link = activation_link(message)

    # Before activation the login is refused.
    client.logout()
    refused = client.post(reverse("account_login"), {"login": "ioana", "password": GOOD["password1"]}, follow=True)
    assert not refused.wsgi_request.user.is_authenticated
    # Logged out, the page is in the default Romanian: the activation page, heading and first sentence.
    with translation.override("ro"):
        heading, sentence = (
            gettext("Activate your account"),
            gettext(
                "We have sent you an e-mail with an activation link. Your account can log in only after you follow that link."
            ),
        )
    assert f"{heading} {sentence}" in text(refused.content.decode())

    # The link shows a page; the POST on it activates.
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    assert client.post("/" + path).status_code == 302

    for login in ("ioana", "IOANA@firma.ro"):
        client.logout()
        response = client.post(reverse("account_login"), {"login": login, "password": GOOD["password1"]})
        assert response.status_code == 302, login
        assert response["Location"] == reverse("dashboard")
        assert client.get(reverse("dashboard")).wsgi_request.user.username == "ioana"


@pytest.mark.django_db
def test_password_reset_sends_a_link(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "owner@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_error_summary_follows_the_order_of_the_fields(client):
    html = signup(client, vat_number="18547291", terms=None).content.decode()
    summary = html[html.index("error-summary") : html.index("</ul>", html.index("error-summary"))]
    assert summary.index('href="#id_vat_number"') < summary.index('href="#id_terms"')
