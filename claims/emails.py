"""One function per e-mail about claims, each rendered in the recipient's language."""

from django.conf import settings

from core.mail import send_template_email


def absolute(path):
    return f"{settings.PORTAL_URL}{path}"


def claim_registered(claim):
    send_template_email(
        name="claim_registered",
        to=claim.owner.email,
        language=claim.owner.language,
        context={
            "claim": claim,
            "lines": list(claim.lines.select_related("product").order_by("position")),
            "claim_url": absolute(claim.get_absolute_url()),
            "label_url": absolute(f"{claim.get_absolute_url()}label.pdf"),
        },
    )


def claims_imported(user, claims):
    send_template_email(
        name="claims_imported",
        to=user.email,
        language=user.language,
        context={"user": user, "claims": claims, "count": len(claims), "list_url": absolute("/claims/")},
    )


def status_changed(change):
    claim = change.claim
    send_template_email(
        name="status_changed",
        to=claim.owner.email,
        language=claim.owner.language,
        context={"claim": claim, "change": change, "claim_url": absolute(claim.get_absolute_url())},
    )


def service_replied(message):
    claim = message.claim
    send_template_email(
        name="service_replied",
        to=claim.owner.email,
        language=claim.owner.language,
        context={"claim": claim, "message": message, "claim_url": absolute(claim.get_absolute_url())},
    )


def partner_wrote(message):
    claim = message.claim
    send_template_email(
        name="partner_wrote",
        to=settings.SERVICE_EMAIL,
        language=settings.LANGUAGE_CODE,
        reply_to=claim.owner.email,
        context={"claim": claim, "message": message, "admin_url": absolute(f"/admin/claims/claim/{claim.pk}/change/")},
    )


def quote_decided(claim):
    send_template_email(
        name="quote_decided",
        to=settings.SERVICE_EMAIL,
        language=settings.LANGUAGE_CODE,
        reply_to=claim.owner.email,
        context={"claim": claim, "admin_url": absolute(f"/admin/claims/claim/{claim.pk}/change/")},
    )
