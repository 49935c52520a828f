"""Issue 10.10: a Content-Security-Policy without inline scripts, a Permissions-Policy,
plain-text e-mails without HTML escaping, and a Secure language cookie in production."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.tests.test_settings import PRODUCTION, manage
from core.mail import render_email

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_scripts(client):
    response = client.get(reverse("account_login"))
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy.get("script-src", []) + policy.get("default-src", [])
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    # The partner portal has no inline style either.
    assert policy["style-src"] == ["'self'"]


@pytest.mark.django_db
def test_only_the_admin_allows_inline_styles_and_never_inline_scripts(client, settings, staff):
    client.force_login(staff)
    for path in ("/admin/", "/admin/login/"):
        policy = directives(client.get(path)["Content-Security-Policy"])
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["script-src"] == ["'self'"]
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"] == ["'self'"]


@pytest.mark.django_db
def test_pages_carry_a_permissions_policy(client):
    header = client.get(reverse("account_login"))["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in header.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


# A <script> element that has no src, and any on...= event handler attribute.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "emails" in path.parts:
            continue
        text = path.read_text()
        if INLINE_SCRIPT.search(text) or EVENT_HANDLER.search(text):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_htmx_is_configured_without_inline_style_or_eval():
    base = (TEMPLATES / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in base
    assert '"allowEval": false' in base


def test_plain_text_emails_are_not_html_escaped():
    owner = SimpleNamespace(get_full_name="Smith & Sons <Test> O'Brien", vat_id="RO18547290")
    claim = SimpleNamespace(rma_number="RMA/1/SR/2026", owner=owner, pk=1)
    message = SimpleNamespace(body="Screen < 5\" & won't start")
    subject, text, html = render_email(
        "partner_wrote", {"claim": claim, "message": message, "admin_url": "https://x/?a=1&b=2"}, "en"
    )
    assert "Smith & Sons <Test> O'Brien" in text
    assert "Screen < 5\" & won't start" in text
    assert "https://x/?a=1&b=2" in text
    assert "&amp;" not in text and "&#x27;" not in text and "&lt;" not in text
    # The HTML part still escapes.
    assert "Smith &amp; Sons &lt;Test&gt;" in html
    assert "<Test>" not in html


def test_email_subjects_are_not_html_escaped():
    subject, _text, _html = render_email(
        "partner_wrote", {"claim": SimpleNamespace(rma_number="A&B'<1>", owner=None), "message": None}, "en"
    )
    assert "A&B'<1>" in subject


@pytest.mark.django_db
def test_language_cookie_is_not_secure_in_debug(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert not response.cookies["portal_language"]["secure"]


@pytest.mark.django_db
def test_language_cookie_is_secure_when_the_session_cookie_is(client, settings, owner):
    settings.SESSION_COOKIE_SECURE = settings.LANGUAGE_COOKIE_SECURE = True
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, secure=True)
    assert response.cookies["portal_language"]["secure"]
    client.force_login(owner)
    data = {
        "first_name": owner.first_name,
        "last_name": owner.last_name,
        "phone_0": "RO",
        "phone_1": "0721 000 001",
        "language": "en",
    }
    response = client.post(reverse("profile"), data, secure=True)
    assert response.status_code == 302
    assert response.cookies["portal_language"]["secure"]


def test_production_settings_make_the_language_cookie_secure():
    code = "from django.conf import settings; print(settings.LANGUAGE_COOKIE_SECURE, settings.SESSION_COOKIE_SECURE)"
    result = manage("shell", "-c", code, env=PRODUCTION)
    assert result.stdout.split()[-2:] == ["True", "True"], result.stdout + result.stderr[-500:]
