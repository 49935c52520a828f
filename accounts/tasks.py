from celery import shared_task

from . import services


@shared_task
def purge_unconfirmed_signups():
    """Housekeeping (Celery beat): sign-ups never confirmed within a week."""
    return services.unconfirmed_signups_purge()


@shared_task
def purge_expired_invitations():
    """Housekeeping (Celery beat): invitations past their 7 days that nobody used."""
    return services.invitations_purge_expired()
