"""Issue 10.9: housekeeping on a schedule; every job is idempotent and runs by hand too."""

import datetime
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from claims.models import AttachmentKind, HeldUpload
from core.mail import queue_email
from core.models import OutgoingEmail

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_every_job_is_on_the_beat_schedule_and_its_task_exists():
    from rma_portal.celery import app

    app.loader.import_default_modules()
    assert set(settings.CELERY_BEAT_SCHEDULE) >= {"purge_held_uploads", "purge_unconfirmed", "retry_emails"}
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
        assert entry["schedule"] > 0


def held(owner, age):
    upload = HeldUpload(
        owner=owner,
        kind=AttachmentKind.SALES_DOCUMENT,
        original_name="factura.pdf",
        content_type="application/pdf",
        size=9,
    )
    upload.file.save("factura.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    upload.created_at = timezone.now() - age
    upload.save()
    return upload


def test_held_uploads_past_their_hold_time_go_with_their_files(owner, django_capture_on_commit_callbacks):
    from claims.tasks import purge_held_uploads

    old = held(owner, datetime.timedelta(hours=HeldUpload.HOLD_HOURS + 1))
    fresh = held(owner, datetime.timedelta(hours=1))
    storage = old.file.storage

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_held_uploads.delay().get() == 1
    assert list(HeldUpload.objects.all()) == [fresh]
    assert not storage.exists(old.file.name)
    assert storage.exists(fresh.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_held_uploads.delay().get() == 0
    assert list(HeldUpload.objects.all()) == [fresh]


def test_unconfirmed_sign_ups_older_than_a_week_go(owner):
    from accounts.tasks import purge_unconfirmed_signups

    def signup(username, age, *, verified=False, **fields):
        user = UserFactory(username=username, **fields)
        EmailAddress.objects.filter(user=user).update(verified=verified)
        User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - age)
        return user

    signup("stale", 8 * DAY)
    signup("recent", 2 * DAY)
    signup("confirmed", 30 * DAY, verified=True)
    signup("old_staff", 30 * DAY, is_staff=True)
    logged_in = signup("logged_in", 30 * DAY)
    User.objects.filter(pk=logged_in.pk).update(last_login=timezone.now())
    # Created in the admin, without allauth's address rows.
    admin_made = signup("admin_made", 30 * DAY)
    EmailAddress.objects.filter(user=admin_made).delete()

    assert purge_unconfirmed_signups.delay().get() == 1
    assert not User.objects.filter(username="stale").exists()
    assert set(User.objects.values_list("username", flat=True)) == {
        "owner",
        "recent",
        "confirmed",
        "old_staff",
        "logged_in",
        "admin_made",
    }
    assert purge_unconfirmed_signups.delay().get() == 0


def test_emails_still_unsent_are_queued_again_and_sent_once(django_capture_on_commit_callbacks):
    from core.tasks import retry_unsent_emails

    stuck = queue_email(to="a@example.com", subject="Stuck", text="x")  # its task never ran
    recent = queue_email(to="b@example.com", subject="Recent", text="x")
    ancient = queue_email(to="c@example.com", subject="Ancient", text="x")
    sent = queue_email(to="d@example.com", subject="Sent", text="x")
    OutgoingEmail.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=20))
    OutgoingEmail.objects.filter(pk=ancient.pk).update(created_at=timezone.now() - 4 * DAY)
    OutgoingEmail.objects.filter(pk=sent.pk).update(created_at=timezone.now() - DAY, sent_at=timezone.now())

    assert retry_unsent_emails.delay().get() == 1
    assert [m.subject for m in mail.outbox] == ["Stuck"]
    stuck.refresh_from_db()
    assert stuck.sent_at is not None

    assert retry_unsent_emails.delay().get() == 0
    assert len(mail.outbox) == 1
    recent.refresh_from_db()
    assert recent.sent_at is None


def test_a_refused_email_does_not_stop_the_others(settings):
    from core.tasks import retry_unsent_emails

    settings.EMAIL_BACKEND = "tests.security.test_housekeeping.RefuseFirstBackend"
    RefuseFirstBackend.refused.clear()
    for subject in ("Refused", "Fine"):
        email = queue_email(to="a@example.com", subject=subject, text="x")
        OutgoingEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))

    assert retry_unsent_emails.delay().get() == 2
    assert set(OutgoingEmail.objects.filter(sent_at__isnull=False).values_list("subject", flat=True)) == {"Fine"}


class RefuseFirstBackend:
    refused = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        for message in messages:
            if message.subject == "Refused":
                self.refused.append(message)
                raise OSError("mailbox unavailable")
        return len(messages)


def test_the_command_runs_one_job_or_all(owner):
    out = StringIO()
    call_command("housekeeping", "purge_unconfirmed", stdout=out)
    assert out.getvalue().strip() == "purge_unconfirmed: 0"

    out = StringIO()
    call_command("housekeeping", "all", stdout=out)
    assert {line.split(":")[0] for line in out.getvalue().splitlines()} == set(settings.CELERY_BEAT_SCHEDULE)


@pytest.mark.django_db
def test_expired_invitations_go_and_the_job_is_idempotent(owner):
    import datetime

    from django.utils import timezone

    from accounts.models import Invitation
    from accounts.tasks import purge_expired_invitations

    company = owner.membership.company
    now = timezone.now()
    Invitation.objects.create(
        company=company, email="old@x.ro", token_hash="a" * 64, expires_at=now - datetime.timedelta(days=1)
    )
    live = Invitation.objects.create(
        company=company, email="new@x.ro", token_hash="b" * 64, expires_at=now + datetime.timedelta(days=6)
    )
    used = Invitation.objects.create(
        company=company,
        email="used@x.ro",
        token_hash="c" * 64,
        expires_at=now - datetime.timedelta(days=1),
        accepted_at=now,
    )
    assert purge_expired_invitations.delay().get() == 1
    assert set(Invitation.objects.all()) == {live, used}
    assert purge_expired_invitations.delay().get() == 0
