from celery import shared_task

from . import services


@shared_task
def purge_unconfirmed_signups():
    """Housekeeping (Celery beat): sign-ups never confirmed within a week."""
    return services.unconfirmed_signups_purge()
