"""Admin CSV imports run by a Celery worker: the stored file, its progress, its report, its housekeeping.

The admin's "Import CSV" page (core/csvadmin.py) runs a small file in the
request; a file of more than ``settings.CSV_ADMIN_INLINE_ROWS`` lines (or any
file, when the staff member asks for it) becomes an ``ImportJob``: the file is
stored under MEDIA_ROOT and ``core.tasks.run_import_job`` runs the same engine
(core/csvimport.py) on it, streaming it from disk.

Progress goes to the cache after every chunk the engine reads, never to the
database: the import is one all-or-nothing transaction, and a write of the
job's row inside it would be rolled back with it (and on SQLite a second
connection would wait for the import's write lock). The job's row changes in
short transactions of their own before and after the import: queued →
running → done (with the report) or failed (with a message).
"""

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .actionlog import log_action
from .csvfiles import RowError
from .csvimport import CsvImport, ImportReport
from .models import ImportJob

logger = logging.getLogger(__name__)

# A job still queued or running this long after its upload lost its worker (killed, out of memory,
# a broker restart): housekeeping marks it failed. The largest admin file (50 MB) imports in a minute or two.
STALE_AFTER = datetime.timedelta(hours=2)
# Finished jobs, their files and reports are kept this long for the staff to look back at, then purged.
KEEP_FINISHED = datetime.timedelta(days=30)

PROGRESS_TIMEOUT = 24 * 3600  # seconds a progress figure stays in the cache


def count_lines(upload: Any) -> int:
    """The number of lines of an uploaded file, read in chunks: a cheap upper bound of its rows."""
    lines, last = 0, b""
    for chunk in upload.chunks():
        lines += chunk.count(b"\n")
        last = chunk[-1:] or last
    upload.seek(0)
    return lines + (1 if last and last != b"\n" else 0)


def create_job(
    *, import_class: type[CsvImport], source: str, user: Any, upload: Any, dry_run: bool, lines: int
) -> ImportJob:
    """Store ``upload`` as a queued job (the caller queues its task once the transaction commits)."""
    job = ImportJob(
        kind=import_class.kind,
        import_path=f"{import_class.__module__}.{import_class.__qualname__}",
        source=source,
        uploaded_by=user,
        file_name=(upload.name or "")[:255],
        file_size=upload.size or 0,
        language=translation.get_language() or "",
        dry_run=dry_run,
        rows_total=lines,
    )
    job.file.save(upload.name or "import.csv", upload, save=False)
    job.save()
    return job


def _progress_key(job_id: int) -> str:
    return f"importjob:{job_id}:rows"


def rows_done(job: ImportJob) -> int:
    """Rows read so far: the worker's latest figure while the job runs."""
    if job.state == ImportJob.State.RUNNING:
        return max(job.rows_done, cache.get(_progress_key(job.pk), 0))
    return job.rows_done


def percent(job: ImportJob, done: int) -> int:
    if job.state == ImportJob.State.DONE:
        return 100
    if not job.rows_total:
        return 0
    return min(99, done * 100 // job.rows_total)


def import_class_of(job: ImportJob) -> type[CsvImport]:
    import_class = import_string(job.import_path)
    if not (isinstance(import_class, type) and issubclass(import_class, CsvImport)):
        raise TypeError(f"{job.import_path} is not a CSV import")
    return import_class


def report_as_json(report: ImportReport) -> dict:
    return {
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "file_error": report.file_error,
        "error_count": report.error_count,
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors],
    }


def report_from_json(data: dict) -> ImportReport | None:
    if not data:
        return None
    return ImportReport(
        rows=data.get("rows", 0),
        created=data.get("created", 0),
        updated=data.get("updated", 0),
        unchanged=data.get("unchanged", 0),
        file_error=data.get("file_error", ""),
        error_count=data.get("error_count", 0),
        errors=[RowError(**error) for error in data.get("errors", [])],
    )


def run_job(job_id: int) -> str:
    """Run a queued job to its end; returns its final state. A job that is not queued is left alone.

    Whatever goes wrong, the job ends failed with a message and nothing of the file is written.
    """
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return ""
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)

    def progress(rows: int) -> None:
        cache.set(_progress_key(job_id), rows, PROGRESS_TIMEOUT)

    with translation.override(job.language or None):
        try:
            importer = import_class_of(job)(today=timezone.localdate())
            with job.file.storage.open(job.file.name or "", "rb") as file, transaction.atomic():
                report = importer.run(file, dry_run=job.dry_run, progress=progress)
                if report.ok and not job.dry_run:
                    fields = ("rows", "created", "updated", "unchanged")
                    data = {"kind": job.kind, "job": job.pk, **{f: getattr(report, f, None) for f in fields}}
                    log_action(None, "catalogue.imported", actor=job.uploaded_by, data=data)
        except Exception as error:
            logger.exception("CSV import job %s failed", job_id)
            message = _("The import stopped with an unexpected error (%(error)s). Nothing was imported.") % {
                "error": type(error).__name__
            }
            ImportJob.objects.filter(pk=job_id).update(
                state=ImportJob.State.FAILED, message=message, finished_at=timezone.now()
            )
            cache.delete(_progress_key(job_id))
            return ImportJob.State.FAILED
    ImportJob.objects.filter(pk=job_id).update(
        state=ImportJob.State.DONE,
        rows_done=report.rows,
        rows_total=report.rows,
        report=report_as_json(report),
        finished_at=timezone.now(),
    )
    cache.delete(_progress_key(job_id))
    return ImportJob.State.DONE


def fail_stale_jobs(*, now: datetime.datetime | None = None) -> int:
    """Housekeeping: jobs queued or running for longer than STALE_AFTER lost their worker; mark them failed."""
    now = now or timezone.now()
    return ImportJob.objects.filter(
        state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING], created_at__lt=now - STALE_AFTER
    ).update(
        state=ImportJob.State.FAILED,
        finished_at=now,
        message=STALE,  # a marker: the job's page says it in the reader's language
    )


STALE = "stale"


def failure_message(job: ImportJob) -> str:
    if job.message == STALE:
        return _("The import did not finish within %(hours)d hours; its worker stopped. Nothing was imported.") % {
            "hours": int(STALE_AFTER.total_seconds() // 3600)
        }
    return job.message


def _delete_files(names: Iterable[str]) -> None:
    storage = ImportJob._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # pragma: no cover - best effort: the next run cannot find the row again
            logger.warning("Could not delete the import file %s", name, exc_info=True)


@transaction.atomic
def purge_finished_jobs(*, now: datetime.datetime | None = None) -> int:
    """Housekeeping: finished jobs older than KEEP_FINISHED, rows now and files after the commit."""
    now = now or timezone.now()
    doomed = list(
        ImportJob.objects.select_for_update(skip_locked=True)
        .filter(state__in=[ImportJob.State.DONE, ImportJob.State.FAILED], created_at__lt=now - KEEP_FINISHED)
        .values_list("pk", "file")
    )
    if not doomed:
        return 0
    ImportJob.objects.filter(pk__in=[pk for pk, _name in doomed]).delete()
    names = [name for _pk, name in doomed if name]
    transaction.on_commit(lambda: _delete_files(names))
    return len(doomed)
