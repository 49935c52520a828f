"""Reading CSV files as partners and ERPs really produce them.

Comma or semicolon, UTF-8 with or without BOM (Windows-1250 as a fallback,
as older Romanian Excel writes it), quoted fields with commas and line
breaks, trailing empty lines. Shared by the claim import and the catalogue
imports.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass
class RowError:
    """One problem in an imported file, shown as a row of the error table."""

    row: int
    column: str
    message: str


def decode(raw):
    """The text of an uploaded file, or None when it is not text."""
    # Anywhere in the file, not only at its start: PostgreSQL cannot store a NUL.
    if b"\x00" in raw:
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for encoding in ("utf-8", "cp1250"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def sniff_delimiter(text):
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


def read_records(text):
    """Yield (row number, cells) for every non-empty record; row numbers count records as Excel shows rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    for number, cells in enumerate(reader, start=1):
        cells = [c.strip() for c in cells]
        if any(cells):
            yield number, cells


def read_upload(raw):
    """(records, "") for a readable CSV file's bytes, or (None, a message for the partner)."""
    text = decode(raw)
    if text is None:
        return None, _("This is not a CSV text file. Save the sheet as “CSV UTF-8” and upload that file.")
    try:
        return list(read_records(text)), ""
    except csv.Error as error:
        return None, _("The file cannot be read as CSV: %(error)s") % {"error": error}


def parse_date(value):
    """yyyy-mm-dd, or dd.mm.yyyy as Romanian Excel shows and re-saves dates; None if neither."""
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None
