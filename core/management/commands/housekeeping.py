"""Run the housekeeping jobs of Celery beat by hand, in this process.

The jobs are the entries of ``CELERY_BEAT_SCHEDULE``; each is idempotent.
"""

from celery import current_app
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run one housekeeping job of the beat schedule (or all of them) now, in this process."

    def add_arguments(self, parser):
        parser.add_argument("job", choices=[*settings.CELERY_BEAT_SCHEDULE, "all"])

    def handle(self, *args, job, **options):
        current_app.loader.import_default_modules()
        names = list(settings.CELERY_BEAT_SCHEDULE) if job == "all" else [job]
        for name in names:
            entry = settings.CELERY_BEAT_SCHEDULE[name]
            task = current_app.tasks[entry["task"]]
            result = task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), throw=True)
            self.stdout.write(f"{name}: {result.result}")
