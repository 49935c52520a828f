"""E-mail links are PORTAL_URL + reverse(), whatever Host the request that sent them carried."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from claims import emails
from claims.models import Message
from claims.tests.factories import ClaimFactory, ClaimLineFactory

PORTAL = "https://service.example.ro"


@pytest.fixture(autouse=True)
def _portal_url(settings):
    settings.PORTAL_URL = PORTAL


def links(message):
    html = message.alternatives[0][0] if message.alternatives else ""
    return set(re.findall(r"https?://[^\s\"<]+", message.body + html))


def test_claim_emails_link_the_claim_the_label_and_the_admin(owner, django_capture_on_commit_callbacks):
    claim = ClaimFactory(owner=owner)
    ClaimLineFactory(claim=claim, position=1)
    message = Message.objects.create(claim=claim, author=owner, body="Hello")
    with django_capture_on_commit_callbacks(execute=True):
        emails.claim_registered(claim)
        emails.partner_wrote(message)
        emails.claims_imported(owner, [claim])
    registered, wrote, imported = mail.outbox
    assert links(registered) == {
        PORTAL + reverse("claim_detail", args=[claim.pk]),
        PORTAL + reverse("claim_label", args=[claim.pk]),
    }
    assert links(wrote) == {PORTAL + reverse("admin:claims_claim_change", args=[claim.pk])}
    assert links(imported) == {PORTAL + reverse("claim_list")}


def test_account_emails_link_the_portal_not_the_request_host(client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": owner.email}, HTTP_HOST="localhost")
    (link,) = [u for u in links(mail.outbox[0]) if "/password/reset/key/" in u]
    assert link.startswith(PORTAL + "/accounts/password/reset/key/")
    # The link opens the form to choose a new password (allauth redirects a valid key once).
    response = client.get(link.removeprefix(PORTAL), follow=True)
    assert b'name="password1"' in response.content


def test_activation_link_is_built_from_the_portal_url():
    from types import SimpleNamespace

    from accounts.adapter import AccountAdapter

    url = AccountAdapter().get_email_confirmation_url(None, SimpleNamespace(key="abc:1x2y"))
    assert url == PORTAL + reverse("account_confirm_email", args=["abc:1x2y"])
