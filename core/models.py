import uuid

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


def import_job_file_name(job, filename):
    # Never the uploader's file name: it is kept in ``file_name`` for display only.
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.csv"


class ImportJob(models.Model):
    """An admin CSV import too large to run inside the request: the stored file, its progress and its report.

    A Celery task (``core.tasks.run_import_job``) runs the import engine on the
    file; the staff member who uploaded it follows it on the job's page. The
    file is stored under MEDIA_ROOT rather than in the database, so the engine
    streams it from disk as it streams an upload, and a worker never holds it
    whole in memory.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=40)
    # The import (a CsvImport subclass, as a dotted path) and the admin list it was started from ("warranty.sale").
    import_path = models.CharField(max_length=200)
    source = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(upload_to=import_job_file_name, max_length=200, blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    language = models.CharField(max_length=10)
    dry_run = models.BooleanField(_("only checked"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)  # estimated from the line count until done
    report = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)  # why a failed job failed
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("CSV import job")
        verbose_name_plural = _("CSV import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["uploaded_by", "-created_at"], name="importjob_uploader_idx"),
            models.Index(fields=["state", "created_at"], name="importjob_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running", "done", "failed"]), name="importjob_state_valid"
            )
        ]

    def __str__(self):
        return f"{self.kind}: {self.file_name}"

    @property
    def finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)
