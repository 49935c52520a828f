"""One function per e-mail about companies and memberships, in the recipient's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

from core.links import portal_url
from core.mail import send_template_email

if TYPE_CHECKING:
    from .models import Invitation, Membership, User


def membership_requested_to_admin(membership: Membership, admin: User) -> None:
    send_template_email(
        name="membership_requested",
        to=admin.email,
        language=admin.language,
        context={"membership": membership, "person": membership.user, "decide_url": portal_url("company")},
    )


def membership_requested_to_staff(membership: Membership) -> None:
    send_template_email(
        name="membership_requested",
        to=settings.SERVICE_EMAIL,
        language=settings.LANGUAGE_CODE,
        context={
            "membership": membership,
            "person": membership.user,
            "for_staff": True,
            "decide_url": portal_url("admin:accounts_membership_changelist") + "?state__exact=pending",
        },
    )


def membership_approved(membership: Membership) -> None:
    person = membership.user
    send_template_email(
        name="membership_approved",
        to=person.email,
        language=person.language,
        context={"membership": membership, "company": membership.company, "portal_url": portal_url("dashboard")},
    )


def membership_rejected(membership: Membership) -> None:
    person = membership.user
    send_template_email(
        name="membership_rejected",
        to=person.email,
        language=person.language,
        context={"membership": membership, "company": membership.company, "status_url": portal_url("dashboard")},
    )


def invitation_sent(invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by
    send_template_email(
        name="invitation",
        to=invitation.email,
        language=inviter.language if inviter else settings.LANGUAGE_CODE,
        context={
            "invitation": invitation,
            "company": invitation.company,
            "inviter": inviter,
            "accept_url": portal_url("invitation_accept", token),
        },
    )
