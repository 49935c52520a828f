"""Every write about people, companies, memberships, invitations and addresses."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, NotAllowed

from . import access, emails
from .models import (
    Address,
    ClientType,
    Company,
    Customer,
    Invitation,
    Membership,
    MembershipRole,
    MembershipState,
    User,
)
from .selectors import unconfirmed_signups

INVITATION_DAYS = 7


# --- companies and memberships ---------------------------------------------------------------


def company_for_vat_id(vat_id: str) -> Company:
    """The company of ``vat_id``, created from the customer master (or bare) the first time."""
    customer = Customer.objects.filter(vat_id=vat_id).first()
    defaults = {"legal_name": customer.legal_name if customer else vat_id}
    if customer:
        defaults["registered_address"] = customer.registered_address
    try:
        with transaction.atomic():
            company, _created = Company.objects.get_or_create(vat_id=vat_id, defaults=defaults)
    except IntegrityError:  # created by a parallel sign-up between our read and write
        company = Company.objects.get(vat_id=vat_id)
    return company


@transaction.atomic
def membership_request(*, user: User) -> Membership:
    """Called once the person's e-mail is confirmed: join their company, or ask to.

    - An end customer holds a company of their own, active at once.
    - The first person of a company in the customer master whose e-mail the
      master authorises becomes its administrator at once.
    - Anyone else waits: the company's administrators decide, or staff when it has none.
    """
    existing = Membership.objects.filter(user=user).select_related("company").first()
    if existing is not None:
        return existing
    if user.client_type == ClientType.END_CUSTOMER or not user.vat_id:
        company = Company.objects.create(legal_name=user.get_full_name() or user.username, is_personal=True)
        membership = Membership.objects.create(
            user=user, company=company, role=MembershipRole.ADMIN, state=MembershipState.ACTIVE
        )
        access.forget(user)
        return membership
    company = company_for_vat_id(user.vat_id)
    # Lock the company so two colleagues confirming at once cannot both become its first administrator.
    company = Company.objects.select_for_update().get(pk=company.pk)
    has_admin = company.memberships.filter(role=MembershipRole.ADMIN, state=MembershipState.ACTIVE).exists()
    customer = Customer.objects.filter(vat_id=company.vat_id).first()
    if not has_admin and customer is not None and customer.authorises(user.email):
        membership = Membership.objects.create(
            user=user,
            company=company,
            role=MembershipRole.ADMIN,
            state=MembershipState.ACTIVE,
            decided_at=timezone.now(),
            reason=_("E-mail address authorised by the distributor for this company."),
        )
        access.forget(user)
        return membership
    membership = Membership.objects.create(user=user, company=company)
    access.forget(user)
    admins = list(company_admins(company))
    if admins:
        for admin in admins:
            emails.membership_requested_to_admin(membership, admin)
    else:
        emails.membership_requested_to_staff(membership)
    return membership


def company_admins(company: Company) -> QuerySet[User]:
    return User.objects.filter(
        membership__company=company,
        membership__role=MembershipRole.ADMIN,
        membership__state=MembershipState.ACTIVE,
        is_active=True,
    ).order_by("id")


def _decide(membership: Membership, by: User | None) -> Membership:
    locked = Membership.objects.select_for_update().select_related("company", "user").get(pk=membership.pk)
    if by is not None and not access.can_decide_for(by, locked.company):
        raise NotAllowed(_("Only the company's administrators or the service staff can decide on this request."))
    return locked


@transaction.atomic
def membership_approve(*, membership: Membership, by: User | None, role: str = MembershipRole.MEMBER) -> Membership:
    membership = _decide(membership, by)
    if membership.state == MembershipState.ACTIVE:
        return membership
    if membership.state == MembershipState.REMOVED:
        raise Conflict(_("This person was removed from the company; invite them again instead."))
    has_admin = company_admins(membership.company).exists()
    membership.state = MembershipState.ACTIVE
    # A company approved by staff with nobody in charge gets its first administrator.
    membership.role = MembershipRole.ADMIN if not has_admin else role
    membership.decided_at = timezone.now()
    membership.decided_by = by
    membership.reason = ""
    membership.save()
    access.forget(membership.user)
    emails.membership_approved(membership)
    return membership


@transaction.atomic
def membership_reject(*, membership: Membership, by: User | None, reason: str) -> Membership:
    membership = _decide(membership, by)
    if membership.state != MembershipState.PENDING:
        raise Conflict(_("Only a request that is still waiting can be rejected."))
    reason = (reason or "").strip()
    if not reason:
        raise Conflict(_("Tell the person why the request is rejected."), field="reason")
    membership.state = MembershipState.REJECTED
    membership.decided_at = timezone.now()
    membership.decided_by = by
    membership.reason = reason
    membership.save()
    access.forget(membership.user)
    emails.membership_rejected(membership)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> Membership:
    membership = _decide(membership, by)
    if membership.state != MembershipState.ACTIVE:
        raise Conflict(_("Only an active member can be removed."))
    _keep_an_admin(membership)
    membership.state = MembershipState.REMOVED
    membership.decided_at = timezone.now()
    membership.decided_by = by
    membership.save()
    access.forget(membership.user)
    return membership


def _keep_an_admin(leaving: Membership) -> None:
    if leaving.role != MembershipRole.ADMIN:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(company=leaving.company, role=MembershipRole.ADMIN, state=MembershipState.ACTIVE)
        .exclude(pk=leaving.pk)
    )
    if not others.exists():
        raise Conflict(_("A company keeps at least one administrator: hand the role to a colleague first."))


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, by: User) -> Membership:
    """Make a member an administrator, or step an administrator down (never the last one)."""
    membership = _decide(membership, by)
    if membership.state != MembershipState.ACTIVE:
        raise Conflict(_("Only an active member can have a role in the company."))
    if role not in MembershipRole.values:
        raise Conflict(_("Choose a role."), field="role")
    if role == MembershipRole.MEMBER:
        _keep_an_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    access.forget(membership.user)
    return membership


@transaction.atomic
def membership_hand_over(*, from_membership: Membership, to_membership: Membership, by: User) -> None:
    """The administrator role passes to a colleague; the giver stays a member."""
    if to_membership.company_id != from_membership.company_id or to_membership.pk == from_membership.pk:
        raise Conflict(_("Choose an active colleague of the same company."))
    membership_set_role(membership=to_membership, role=MembershipRole.ADMIN, by=by)
    membership_set_role(membership=from_membership, role=MembershipRole.MEMBER, by=by)


def membership_set_copies(*, membership: Membership, enabled: bool) -> None:
    Membership.objects.filter(pk=membership.pk).update(copies_of_colleagues_claims=enabled)
    membership.copies_of_colleagues_claims = enabled


@transaction.atomic
def company_update(*, company: Company, by: User, notification_email: str) -> Company:
    if not access.can_decide_for(by, company):
        raise NotAllowed(_("Only the company's administrators can change its settings."))
    company.notification_email = notification_email
    company.save(update_fields=["notification_email"])
    return company


def memberships_approve_pending(*, memberships: QuerySet[Membership], by: User) -> int:
    """Staff approve many waiting requests at once (the migrated accounts, for instance)."""
    count = 0
    for membership in memberships.filter(state=MembershipState.PENDING).order_by("requested_at", "id"):
        membership_approve(membership=membership, by=by)
        count += 1
    return count


# --- invitations ------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(*, company: Company, email: str, by: User) -> tuple[Invitation, str]:
    if not access.is_company_admin(by, company):
        raise NotAllowed(_("Only the company's administrators can invite colleagues."))
    email = email.strip()
    if (
        User.objects.filter(email__iexact=email, membership__company=company)
        .exclude(membership__state__in=[MembershipState.REMOVED, MembershipState.REJECTED])
        .exists()
    ):
        raise Conflict(_("%(email)s already belongs to your company.") % {"email": email}, field="email")
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            _("%(email)s already has an account; the person can ask to join your company from it.") % {"email": email},
            field="email",
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        company=company,
        email=email,
        token_hash=_hash(token),
        invited_by=by,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    emails.invitation_sent(invitation, token)
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The usable invitation of ``token``, or None (unknown, used, withdrawn or expired)."""
    if not token or len(token) > 100:
        return None
    invitation = Invitation.objects.select_related("company").filter(token_hash=_hash(token)).first()
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = invitation_for_token(token)
    if invitation is None:
        raise Conflict(_("This invitation is no longer valid. Ask your administrator for a new one."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation has been used already."))
    if invitation.email.lower() != user.email.lower():
        raise NotAllowed(_("This invitation was sent to another e-mail address."))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    company = invitation.company
    user.client_type = ClientType.B2B_PARTNER
    if company.vat_id:
        user.vat_country, user.vat_number = company.vat_id[:2], company.vat_id[2:]
    user.save(update_fields=["client_type", "vat_country", "vat_number"])
    membership, _created = Membership.objects.update_or_create(
        user=user,
        defaults={
            "company": company,
            "role": MembershipRole.MEMBER,
            "state": MembershipState.ACTIVE,
            "decided_at": timezone.now(),
            "decided_by": invitation.invited_by,
            "reason": "",
        },
    )
    access.forget(user)
    return membership


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, by: User) -> None:
    if not access.is_company_admin(by, invitation.company):
        raise NotAllowed(_("Only the company's administrators can withdraw invitations."))
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(revoked_at=timezone.now())


def invitations_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Housekeeping: expired or withdrawn invitations that were never used go."""
    now = now or timezone.now()
    deleted, _detail = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=now).delete()
    return deleted


# --- the address book --------------------------------------------------------------------------


@transaction.atomic
def address_save(*, company: Company, address: Address) -> Address:
    """Save ``address`` for ``company``; the first address, or one marked default, becomes the default."""
    # Lock the company so parallel saves agree on which address is the default.
    Company.objects.select_for_update().filter(pk=company.pk).first()
    address.company = company
    has_default = Address.objects.filter(company=company, is_default=True).exclude(pk=address.pk).exists()
    if not has_default:
        address.is_default = True
    if address.is_default:
        Address.objects.filter(company=company, is_default=True).exclude(pk=address.pk).update(is_default=False)
    address.save()
    return address


@transaction.atomic
def address_delete(*, address: Address) -> None:
    company = address.company
    Company.objects.select_for_update().filter(pk=company.pk).first()
    # Read again under the lock: a parallel request may have changed the default.
    current = Address.objects.filter(pk=address.pk).first()
    if current is None:
        return
    was_default = current.is_default
    current.delete()
    if was_default:
        successor = Address.objects.filter(company=company).order_by("name", "id").first()
        if successor:
            successor.is_default = True
            successor.save(update_fields=["is_default"])


def user_set_language(*, user: User, language: str) -> None:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def email_release_unconfirmed(*, email: str) -> None:
    """Free ``email`` for the sign-up of its real owner.

    An unconfirmed sign-up with that address is replaced (deleted: it never
    logged in and owns nothing), and the address is taken off any account
    that added it without confirming it.
    """
    User.objects.filter(
        pk__in=list(unconfirmed_signups().filter(email__iexact=email).values_list("pk", flat=True))
    ).delete()
    EmailAddress.objects.filter(email__iexact=email, verified=False).delete()


UNCONFIRMED_SIGNUP_DAYS = 7


@transaction.atomic
def unconfirmed_signups_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete sign-ups whose e-mail address was not confirmed within a week; returns how many went.

    Run by Celery beat; running it again finds nothing more to do.
    """
    joined_before = (now or timezone.now()) - datetime.timedelta(days=UNCONFIRMED_SIGNUP_DAYS)
    doomed = unconfirmed_signups().filter(date_joined__lt=joined_before)
    count = doomed.count()
    if count:
        # delete() cannot run on a distinct() queryset.
        User.objects.filter(pk__in=list(doomed.values_list("pk", flat=True))).delete()
    return count
