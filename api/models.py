"""Company API keys and the answers kept for retried requests."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey


class KeyScope(models.TextChoices):
    READ = "read", _("read")
    READ_WRITE = "read_write", _("read and write")


class CompanyAPIKey(AbstractAPIKey):
    """A key a company administrator gave the company's own system; only its hash is stored.

    A request with the key acts for ``company`` through the membership of
    ``created_by``: the key stops working when that person is no longer an
    active administrator of the company.
    """

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("company")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    scope = models.CharField(_("scope"), max_length=12, choices=KeyScope.choices, default=KeyScope.READ)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "read_write"]), name="companyapikey_scope_valid"
            )
        ]
        indexes = [models.Index(fields=["company", "-created"], name="companyapikey_company_idx")]

    @property
    def can_write(self) -> bool:
        return self.scope == KeyScope.READ_WRITE

    @property
    def is_usable(self) -> bool:
        return not self.revoked and not self.has_expired


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an ``Idempotency-Key``: a retry gets it again and changes nothing."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "key"], name="idempotencyrecord_company_key_unique")]
        indexes = [models.Index(fields=["created_at"], name="idempotencyrecord_created_idx")]

    def __str__(self):
        return self.key


class WebhookEvent(models.TextChoices):
    CLAIM_CREATED = "claim.created", _("Claim created")
    STATUS_CHANGED = "claim.status_changed", _("Status changed")
    MESSAGE = "claim.message", _("Message from the service")
    QUOTE_SENT = "claim.quote_sent", _("Quote sent")
    DOCUMENTS_MISSING = "claim.documents_missing", _("Documents missing")


def new_webhook_secret() -> str:
    import base64
    import secrets

    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookEndpoint(models.Model):
    """An HTTPS address of a company's system that receives the events it chose, signed with ``secret``."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("company")
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_webhook_secret, editable=False)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why it was disabled"), max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "active"], name="webhookendpoint_company_idx")]

    def __str__(self):
        return self.url

    def event_labels(self) -> list[str]:
        labels = dict(WebhookEvent.choices)
        return [str(labels.get(e, e)) for e in self.events]


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("waiting")
    SUCCEEDED = "succeeded", _("delivered")
    FAILED = "failed", _("failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint: the signed JSON body, sent until it is answered 2xx or retries run out."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True)
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    body = models.TextField()
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhookdelivery_endpoint_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "succeeded", "failed"]), name="webhookdelivery_state_valid"
            )
        ]

    def __str__(self):
        return self.message_id


class WebhookAttempt(models.Model):
    """The delivery log: each try, with the answer or the error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    created_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.delivery_id}: {self.status_code or self.error}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
