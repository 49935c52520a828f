"""Writes of the API app: company keys."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import access
from core.errors import NotAllowed

from .models import CompanyAPIKey

if TYPE_CHECKING:
    from accounts.models import Company, User


def _admin_company(user: User) -> Company:
    company = access.active_company(user)
    if company is None or not access.is_company_admin(user, company):
        raise NotAllowed(_("Only a company administrator manages API keys."))
    return company


@transaction.atomic
def api_key_create(
    *, by: User, name: str, scope: str, expires_at: datetime.datetime | None = None, language: str = ""
) -> tuple[CompanyAPIKey, str]:
    """A new key of ``by``'s company; returns it with the secret, which is shown once and never stored."""
    company = _admin_company(by)
    key, secret = CompanyAPIKey.objects.create_key(
        name=name, company=company, created_by=by, scope=scope, expiry_date=expires_at, language=language
    )
    assert isinstance(key, CompanyAPIKey)
    return key, secret


@transaction.atomic
def api_key_revoke(*, key: CompanyAPIKey, by: User | None = None) -> CompanyAPIKey:
    """Revoke for good (staff in the admin pass ``by=None``). A revoked key never works again."""
    if by is not None and _admin_company(by).pk != key.company_id:
        raise NotAllowed(_("Only a company administrator manages API keys."))
    CompanyAPIKey.objects.filter(pk=key.pk).update(revoked=True)
    key.revoked = True
    return key


def api_keys_of(company: Company) -> list[CompanyAPIKey]:
    return list(CompanyAPIKey.objects.filter(company=company).select_related("created_by").order_by("-created"))
