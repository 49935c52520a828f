"""One function per e-mail about claims, each rendered in the recipient's language."""

from django.conf import settings

from core.links import portal_url
from core.mail import send_template_email


def claim_registered(claim):
    send_template_email(
        name="claim_registered",
        to=claim.owner.email,
        language=claim.owner.language,
        context={
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
    send_template_email(
        name="status_changed",
        to=claim.owner.email,
        language=claim.owner.language,
        context={"claim": claim, "change": change, "claim_url": portal_url("claim_detail", claim.pk)},
    )


def service_replied(message):
    claim = message.claim
    send_template_email(
        name="service_replied",
        to=claim.owner.email,
        language=claim.owner.language,
        context={"claim": claim, "message": message, "claim_url": portal_url("claim_detail", claim.pk)},
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
