"""Who may see what of a company: the one place every ownership check asks.

A person reaches a company's purchases, claims, addresses and imports only
through an active membership. Staff work in the admin; on partner pages they
are a visitor like any other without a company. The membership is read once
per request and kept on the user object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Address, Company, Membership, MembershipRole, MembershipState

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from .models import User

_CACHE = "_portal_membership"


def membership_of(user: User | AnonymousUser | None) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, _CACHE):
        membership = Membership.objects.select_related("company").filter(user=user).first()
        setattr(user, _CACHE, membership)
    return getattr(user, _CACHE)


def forget(user: User) -> None:
    """Drop the cached membership after it changed in this request."""
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def active_membership(user: User | AnonymousUser | None) -> Membership | None:
    membership = membership_of(user)
    if membership is None or membership.state != MembershipState.ACTIVE:
        return None
    return membership


def active_company(user: User | AnonymousUser | None) -> Company | None:
    """The company whose data ``user`` may see, or None: nothing of any company."""
    membership = active_membership(user)
    return membership.company if membership else None


def purchases_vat_id(user: User | AnonymousUser | None) -> str:
    """The VAT id whose purchases ``user`` may see in the distributor's records, or ''."""
    company = active_company(user)
    if company is None or company.is_personal:
        return ""
    return company.vat_id


def is_company_admin(user: User | AnonymousUser | None, company: Company | None = None) -> bool:
    membership = active_membership(user)
    if membership is None or membership.role != MembershipRole.ADMIN:
        return False
    return company is None or membership.company_id == company.pk


def can_decide_for(user: User | AnonymousUser | None, company: Company) -> bool:
    """Staff can always decide on a membership; a company's own administrators can too."""
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    return is_company_admin(user, company)


def company_addresses(user: User | AnonymousUser | None) -> QuerySet[Address]:
    """The return-address book ``user`` may use: the company's, else none."""
    company = active_company(user)
    if company is None:
        return Address.objects.none()
    return company.addresses.all()
