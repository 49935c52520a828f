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
