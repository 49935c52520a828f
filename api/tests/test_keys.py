import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import CompanyAPIKey, KeyScope
from claims.tests.factories import ClaimFactory
from conftest import english_client_for

from .conftest import KeyClient, key_for

pytestmark = pytest.mark.django_db


def test_the_administrator_creates_a_key_shown_once(owner_client, owner):
    page = owner_client.get(reverse("company"))
    assert reverse("api_keys").encode() in page.content
    created = owner_client.post(reverse("api_keys"), {"name": "ERP", "scope": "read_write", "language": "en"})
    assert created.status_code == 302
    response = owner_client.get(reverse("api_keys"))
    assert response["Cache-Control"] == "no-store"
    key = CompanyAPIKey.objects.get()
    secret = response.context["secret"]
    assert secret.startswith(key.prefix + ".")
    assert secret not in key.hashed_key and key.is_valid(secret)
    assert key.company == owner.membership.company and key.scope == KeyScope.READ_WRITE
    assert secret.encode() in response.content
    again = owner_client.get(reverse("api_keys"))
    assert secret.encode() not in again.content
    assert b"ERP" in again.content


def test_expiry_must_be_in_the_future(owner_client):
    response = owner_client.post(reverse("api_keys"), {"name": "ERP", "scope": "read", "expires_on": "2000-01-01"})
    assert "Choose a day after today." in response.content.decode()
    assert not CompanyAPIKey.objects.exists()


def test_members_and_strangers_do_not_manage_keys(owner, colleague_client, stranger):
    key, _secret = key_for(owner)
    assert colleague_client.get(reverse("api_keys")).status_code == 404
    stranger_client = english_client_for(stranger)
    assert stranger_client.post(reverse("api_key_revoke", args=[key.pk])).status_code == 404
    key.refresh_from_db()
    assert not key.revoked


def test_revoke_and_last_used(owner_client, owner):
    key, secret = key_for(owner)
    api = KeyClient(secret)
    assert api.get("/api/v1/claims/").status_code == 200
    key.refresh_from_db()
    first_use = key.last_used_at
    assert first_use is not None
    api.get("/api/v1/claims/")
    key.refresh_from_db()
    assert key.last_used_at == first_use  # written at most once a minute
    response = owner_client.post(reverse("api_key_revoke", args=[key.pk]))
    assert response.status_code == 302
    refused = api.get("/api/v1/claims/")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["WWW-Authenticate"] == "Api-Key"


def test_an_expired_key_is_refused(owner):
    _key, secret = key_for(owner, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert KeyClient(secret).get("/api/v1/claims/").status_code == 401


def test_no_key_or_a_wrong_key_is_refused(client, owner):
    assert client.get("/api/v1/claims/").status_code == 401
    _key, secret = key_for(owner)
    wrong = secret[:-2] + ("aa" if not secret.endswith("aa") else "bb")
    assert KeyClient(wrong).get("/api/v1/claims/").status_code == 401
    assert KeyClient("garbage").get("/api/v1/claims/").status_code == 401


def test_a_read_key_cannot_write(read_api, owner):
    claim = ClaimFactory(owner=owner)
    assert read_api.get("/api/v1/claims/").status_code == 200
    response = read_api.post(
        f"/api/v1/claims/{claim.rma_number.replace('/', '-')}/cancel/", {}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    claim.refresh_from_db()
    assert claim.status != "cancelled"


def test_a_key_stops_when_its_administrator_leaves(owner):
    from accounts.models import Membership

    _key, secret = key_for(owner)
    Membership.objects.filter(user=owner).update(role="member")
    assert KeyClient(secret).get("/api/v1/claims/").status_code == 401


def test_staff_revoke_in_the_admin(technician, owner):
    from django.contrib.auth.models import Permission

    key, secret = key_for(owner)
    technician.user_permissions.add(*Permission.objects.filter(content_type__app_label="api"))
    admin = english_client_for(technician)
    listing = admin.get(reverse("admin:api_companyapikey_changelist"))
    assert listing.status_code == 200
    assert key.prefix.encode() in listing.content
    admin.post(
        reverse("admin:api_companyapikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert key.revoked
    assert KeyClient(secret).get("/api/v1/claims/").status_code == 401


def test_rate_limit_answers_429_with_retry_after(api, settings):
    from rest_framework.settings import api_settings

    from api.throttling import KeyRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api_key": "2/min"}
    KeyRateThrottle.THROTTLE_RATES = rates
    try:
        assert api.get("/api/v1/claim-types/").status_code == 200
        assert api.get("/api/v1/claim-types/").status_code == 200
        limited = api.get("/api/v1/claim-types/")
    finally:
        KeyRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert limited["Content-Type"] == "application/problem+json"
