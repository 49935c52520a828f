"""What the three import commands share: read a file, run the import, report by row and column."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from warranty.imports import KINDS, run_import


class ImportCommand(BaseCommand):
    kind = ""

    @property
    def help(self):
        columns = ", ".join(column.key for column in KINDS[self.kind].columns)
        return (
            f"Import {self.kind} from a CSV file (columns: {columns}). Every row is checked first; "
            "if any is wrong nothing is written. Importing the same file again changes nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The CSV file (comma or semicolon, UTF-8).")
        parser.add_argument("--dry-run", action="store_true", help="Only check the file; write nothing.")

    def handle(self, *args, path, dry_run, **options):
        started = time.perf_counter()
        try:
            report = run_import(self.kind, path, dry_run=dry_run)
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
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.rows} rows: {report.created} new, {report.updated} updated, "
                f"{report.unchanged} unchanged ({elapsed:.1f} s)."
            )
        )
