"""The activation e-mail is our own text, through gettext, in the site's polite voice."""

import pytest
from django.core import mail
from django.test import Client

from accounts.tests.test_signup import activation_link, signup


@pytest.mark.django_db
def test_activation_email_is_ours_and_polite(django_capture_on_commit_callbacks):
    client = Client()
    client.cookies["portal_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        signup(client)
    [message] = mail.outbox
    assert message.subject.endswith("Please confirm your e-mail address")
    body = message.body
    assert body.startswith("Hello,")
    assert "To confirm the address and activate your account, please open this link:" in body
    assert "You're receiving this email" not in body
    assert activation_link(message)
