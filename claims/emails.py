"""One function per e-mail about claims, each rendered in the recipient's language."""

from django.conf import settings

from core.links import portal_url
from core.mail import send_template_email


def recipients(claim):
    """(e-mail, language) of everyone told about ``claim``: its creator, the company's notification
    address, and active colleagues who keep copies of colleagues' claims. Each address once."""
    from accounts.models import Membership, MembershipState

    found = [(claim.owner.email, claim.owner.language)]
    colleagues = (
        Membership.objects.filter(
            company_id=claim.company_id, state=MembershipState.ACTIVE, copies_of_colleagues_claims=True
        )
        .exclude(user_id=claim.owner_id)
        .values_list("user__email", "user__language")
    )
    found.extend(colleagues)
    if claim.company.notification_email:
        found.append((claim.company.notification_email, settings.LANGUAGE_CODE))
    seen, unique = set(), []
    for email, language in found:
        if email and email.lower() not in seen:
            seen.add(email.lower())
            unique.append((email, language))
    return unique


def _to_everyone(name, claim, context):
    for email, language in recipients(claim):
        send_template_email(name=name, to=email, language=language, context=context)


def claim_registered(claim):
    _to_everyone(
        "claim_registered",
        claim,
        {
            "claim": claim,
            "lines": list(claim.lines.select_related("product").order_by("position")),
            "claim_url": portal_url("claim_detail", claim.pk),
            "label_url": portal_url("claim_label", claim.pk),
        },
    )


def claims_imported(user, claims):
    send_template_email(
        name="claims_imported",
        to=user.email,
        language=user.language,
        context={"user": user, "claims": claims, "count": len(claims), "list_url": portal_url("claim_list")},
    )


def status_changed(change):
    claim = change.claim
    _to_everyone(
        "status_changed", claim, {"claim": claim, "change": change, "claim_url": portal_url("claim_detail", claim.pk)}
    )


def service_replied(message):
    claim = message.claim
    _to_everyone(
        "service_replied",
        claim,
        {"claim": claim, "message": message, "claim_url": portal_url("claim_detail", claim.pk)},
    )


def partner_wrote(message):
    claim = message.claim
    send_template_email(
        name="partner_wrote",
        to=settings.SERVICE_EMAIL,
        language=settings.LANGUAGE_CODE,
        reply_to=claim.owner.email,
        context={"claim": claim, "message": message, "admin_url": portal_url("admin:claims_claim_change", claim.pk)},
    )


def quote_decided(claim):
    send_template_email(
        name="quote_decided",
        to=settings.SERVICE_EMAIL,
        language=settings.LANGUAGE_CODE,
        reply_to=claim.owner.email,
        context={"claim": claim, "admin_url": portal_url("admin:claims_claim_change", claim.pk)},
    )
