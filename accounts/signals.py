"""Membership follows the e-mail: asked for once it is confirmed, granted at once through an invitation."""

from allauth.account.signals import email_confirmed, user_signed_up
from django.dispatch import receiver

from core.errors import DomainError

from . import services

INVITATION_SESSION_KEY = "portal_invitation"


@receiver(user_signed_up)
def accept_invitation_on_signup(request, user, **kwargs):
    token = request.session.pop(INVITATION_SESSION_KEY, None) if request is not None else None
    if not token:
        return
    try:
        services.invitation_accept(token=token, user=user)
    except DomainError:
        # A stale or foreign invitation: the person continues as any new sign-up would.
        return


@receiver(email_confirmed)
def request_membership_on_confirmation(request, email_address, **kwargs):
    user = email_address.user
    if email_address.email.lower() != (user.email or "").lower():
        return
    services.membership_request(user=user)
