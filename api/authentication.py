"""``Authorization: Api-Key <key>``: the request acts for the key's company.

The key's creating administrator is the request's user, so every selector
and service asks the one ownership path (accounts.access) as the portal does;
the key works only while that person is an active administrator of the
key's company.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts import access

from .models import CompanyAPIKey

KEYWORD = "Api-Key"
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def key_from_header(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, key = header.partition(" ")
    if scheme.lower() != KEYWORD.lower() or not key.strip():
        return None
    return key.strip()


class CompanyKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        raw = key_from_header(request)
        if raw is None:
            return None
        prefix, _dot, _secret = raw.partition(".")
        key = (
            CompanyAPIKey.objects.select_related("company", "created_by")
            .filter(prefix=prefix[:8], revoked=False)
            .first()
        )
        if key is None or key.has_expired or not key.is_valid(raw):
            raise exceptions.AuthenticationFailed(_("This API key is not valid, revoked or expired."))
        user = key.created_by
        if not user.is_active or not access.is_company_admin(user, key.company):
            raise exceptions.AuthenticationFailed(
                _("The administrator who created this API key no longer manages the company.")
            )
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
            CompanyAPIKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return user, key

    def authenticate_header(self, request):
        return KEYWORD


class CompanyKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.CompanyKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A company API key, sent as "Api-Key <key>".',
        }
