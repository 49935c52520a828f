"""Issue 10.3: per-IP rate limits see the client's address behind our TLS proxy, and only there."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.tests.test_settings import PRODUCTION, manage
from core.http import client_ip

PROXY = "10.0.0.2"


def request_from(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_a_trusted_proxy_a_forged_header_changes_nothing(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("198.51.100.9", "203.0.113.1")) == "198.51.100.9"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        # The client forged the left entry; our proxy appended the real peer.
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        (2, "1.2.3.4, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "203.0.113.7:51234", "203.0.113.7"),
        # Garbage from a misconfigured proxy falls back to the peer's address.
        (1, "unknown", PROXY),
        (1, "", PROXY),
    ],
)
def test_behind_trusted_proxies_the_entry_our_outermost_proxy_wrote_counts(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request_from(PROXY, forwarded)) == expected


def locked_out(response):
    """allauth refuses a rate-limited login with a form error, not a status code."""
    form = response.context["form"] if response.context else None
    return form is not None and any(
        error.code == "too_many_login_attempts" for errors in form.errors.as_data().values() for error in errors
    )


def failed_login(client, name, forwarded):
    return client.post(
        reverse("account_login"),
        {"login": name, "password": "wrong-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_behind_the_proxy_an_attacker_does_not_lock_out_staff(client, settings, staff):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(12):
        failed_login(client, f"made-up-{n}", "203.0.113.66")
    assert locked_out(failed_login(client, "made-up-x", "203.0.113.66"))

    response = client.post(
        reverse("account_login"),
        {"login": "tech", "password": "Parola-Buna-2026"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302, response.status_code


@pytest.mark.django_db
def test_without_a_proxy_forged_headers_do_not_escape_the_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(10):
        failed_login(client, f"made-up-{n}", f"203.0.113.{n}")
    assert locked_out(failed_login(client, "made-up-x", "203.0.113.200"))


def test_a_malformed_count_stops_the_start():
    for value in ("one", "-1"):
        result = manage("check", env={**PRODUCTION, "TRUSTED_PROXY_COUNT": value})
        assert result.returncode != 0
        assert "TRUSTED_PROXY_COUNT" in result.stderr, result.stderr[-500:]
