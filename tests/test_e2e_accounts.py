"""A new partner signs up, activates the account from the e-mail, logs in,
edits the profile and adds a return address, by keyboard and mouse."""

import re

import pytest
from django.core import mail

from accounts.models import Address, Customer, MembershipRole, MembershipState, User
from tests.browser import check_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_signup_activation_login_profile_and_address(page, live_server):
    # The distributor's customer master authorises the firm's e-mail domain: the first person becomes its administrator.
    Customer.objects.create(vat_id="RO18547290", legal_name="Firma Marin SRL", authorised_domains="firma.ro")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    # Anonymous visitors land on the Romanian login page, which offers sign-up.
    assert page.locator("html").get_attribute("lang") == "ro"
    check_page(page, "01-login")
    page.get_by_role("link", name="Creați-vă propriul cont").first.click()

    # Send an invalid form first: the summary lists the errors and the input stays.
    page.select_option("#id_client_type", "b2b")
    page.fill("#id_first_name", "Ioana")
    page.fill("#id_last_name", "Marin")
    page.select_option("#id_vat_country", "RO")
    page.fill("#id_vat_number", "18547291")
    page.fill("#id_email", "ioana@firma.ro")
    page.fill("#id_phone_1", "0721 234 567")
    page.fill("#id_username", "ioana")
    page.fill("#id_password1", "Reparatii-2026!")
    page.fill("#id_password2", "Reparatii-2026!")
    page.locator("form.card button[type=submit]").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "RO18547291" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.input_value("#id_first_name") == "Ioana"
    check_page(page, "02-signup-errors")

    # Follow the summary link to the faulty field, fix it by keyboard.
    summary.locator("a", has_text="RO18547291").click()
    assert page.evaluate("document.activeElement.id") == "id_vat_number"
    page.keyboard.press("Control+A")
    page.keyboard.type("18547290")
    page.fill("#id_password1", "Reparatii-2026!")
    page.fill("#id_password2", "Reparatii-2026!")
    page.focus("#id_terms")
    page.keyboard.press("Space")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    check_page(page, "03-verification-sent")
    assert User.objects.filter(username="ioana", is_active=True).exists()

    # The activation e-mail.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    # Logging in before activation is refused with an explanation.
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_login", "ioana")
    page.fill("#id_password", "Reparatii-2026!")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/confirm-email/" in page.url
    assert page.get_by_role("heading", level=1).inner_text()

    page.goto(live_server.url + path)
    check_page(page, "04-activate")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    # Log in by e-mail address.
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_login", "ioana@firma.ro")
    page.fill("#id_password", "Reparatii-2026!")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(live_server.url + "/")
    check_page(page, "05-dashboard")

    # Profile, then a return address.
    page.goto(live_server.url + "/profile/")
    check_page(page, "06-profile")
    page.locator("main a[href='/profile/addresses/new/']").click()
    page.fill("#id_name", "Firma Marin SRL")
    page.fill("#id_street", "Str. Fabricii 7")
    page.fill("#id_postal_code", "400000")
    page.fill("#id_city", "")
    page.fill("#id_phone_1", "0744 555 666")
    page.locator("main button[type=submit]").click()
    assert page.locator("#id_city_error").is_visible()
    check_page(page, "07-address-errors")
    page.fill("#id_city", "Cluj-Napoca")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(live_server.url + "/profile/")
    assert "Firma Marin SRL" in page.locator("main").inner_text()
    check_page(page, "08-profile-with-address")
    membership = User.objects.get(username="ioana").membership
    assert membership.state == MembershipState.ACTIVE and membership.role == MembershipRole.ADMIN
    address = Address.objects.get(company=membership.company)
    assert address.is_default and address.city == "Cluj-Napoca"

    # The same page in English.
    page.locator("button[name=language][value=en]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Return addresses" in page.locator("main").inner_text()
    check_page(page, "09-profile-english")
