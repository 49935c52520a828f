"""Membership follows the e-mail: asked for once it is confirmed, granted at once through an invitation.

Sign-in events that matter (signed in, failed, password changed, e-mail confirmed) go to the action log.
"""

from allauth.account.signals import email_confirmed, password_changed, password_reset, password_set, user_signed_up
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from core.actionlog import log_action
from core.errors import DomainError
from core.http import client_ip

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
    log_action(user, "user.email_confirmed", actor=user, data={"email": email_address.email})
    if email_address.email.lower() != (user.email or "").lower():
        return
    services.membership_request(user=user)


# --- the action log of sign-in events ---------------------------------------------------------------


def _ip(request):
    return client_ip(request) if request is not None else ""


@receiver(user_logged_in)
def log_sign_in(sender, request, user, **kwargs):
    log_action(user, "user.logged_in", actor=user, data={"ip": _ip(request)})


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    # There is no user, and maybe none exists: keep what was typed, cut short, and where from; never the password.
    login = next((str(credentials[key]) for key in ("login", "email", "username") if credentials.get(key)), "")
    log_action(None, "user.login_failed", data={"login": login[:100], "ip": _ip(request)})


PASSWORD_EVENTS = {password_changed: "changed", password_set: "set", password_reset: "reset"}


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def log_password_change(sender, request, user, signal, **kwargs):
    log_action(user, "user.password_changed", actor=user, data={"how": PASSWORD_EVENTS[signal], "ip": _ip(request)})
