from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """An e-mail rendered in the web process and sent by a Celery worker.

    The row makes sending idempotent: a task that runs twice finds it sent.
    """

    to = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    reply_to = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["sent_at", "created_at"], name="email_sent_idx")]

    def __str__(self):
        return f"{self.to}: {self.subject}"


class ActionLogEntry(models.Model):
    """Who did what to which object, and with which data: one row per write (pretix's ``LogEntry``).

    Written by ``core.actionlog.log_action`` inside the transaction of the
    write it records, so a write that rolls back leaves no entry.
    """

    when = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the system acted, or for a failed sign-in."),
    )
    action_type = models.CharField(max_length=60, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    content_object = GenericForeignKey("content_type", "object_id")
    # The company the object belongs to, for filtering; core knows no companies, so a plain number.
    company_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("action log entry")
        verbose_name_plural = _("action log")
        ordering = ["-when", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="actionlog_object_idx")]

    def __str__(self):
        return f"{self.action_type} · {self.when:%Y-%m-%d %H:%M}"
