"""The API app listens to the events of claims (claims.signals) and turns them into webhook deliveries."""

from django.dispatch import receiver

from claims import signals

from . import webhooks


@receiver(signals.claim_created, dispatch_uid="api_webhook_claim_created")
def on_claim_created(sender, claim, **kwargs):
    webhooks.claim_created(claim)


@receiver(signals.claims_created_many, dispatch_uid="api_webhook_claims_created_many")
def on_claims_created_many(sender, claims, **kwargs):
    webhooks.claims_created(claims)


@receiver(signals.claim_status_changed, dispatch_uid="api_webhook_status_changed")
def on_status_changed(sender, claim, change, **kwargs):
    webhooks.claim_status_changed(claim, change)


@receiver(signals.claim_message_from_service, dispatch_uid="api_webhook_message")
def on_message_from_service(sender, message, **kwargs):
    webhooks.message_from_service(message)
