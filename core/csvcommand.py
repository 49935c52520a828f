"""The management command of every CSV import: read a file, run the import, report by row and column."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class ImportCommand(BaseCommand):
    """Subclass with ``import_class`` set to the import (a ``CsvImport`` subclass)."""

    import_class = None

    @property
    def help(self):
        columns = ", ".join(column.key for column in self.import_class.columns)
        return (
            f"Import {self.import_class.kind} from a CSV file (columns: {columns}). Every row is checked first; "
            "if any is wrong nothing is written. Importing the same file again changes nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The CSV file (comma or semicolon, UTF-8).")
        parser.add_argument("--dry-run", action="store_true", help="Only check the file; write nothing.")

    def run_import(self, path, *, dry_run):
        return self.import_class(today=timezone.localdate()).run(path, dry_run=dry_run)

    def summary(self, report):
        return f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged"

    def handle(self, *args, path, dry_run, **options):
        started = time.perf_counter()
        try:
            report = self.run_import(path, dry_run=dry_run)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        elapsed = time.perf_counter() - started
        if report.file_error:
            raise CommandError(report.file_error)
        if report.error_count:
            for error in report.errors:
                self.stderr.write(f"row {error.row}, column {error.column}: {error.message}")
            if report.error_count > len(report.errors):
                self.stderr.write(f"... and {report.error_count - len(report.errors)} more errors.")
            raise CommandError(f"{report.error_count} errors in {report.rows} rows; nothing was imported.")
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"{report.rows} rows checked, no errors ({elapsed:.1f} s)."))
            return
        self.stdout.write(self.style.SUCCESS(f"{report.rows} rows: {self.summary(report)} ({elapsed:.1f} s)."))
