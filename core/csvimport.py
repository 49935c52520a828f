"""One engine for every CSV import: products, sales, serials, claims and customers.

An import is a subclass of ``CsvImport`` with a list of ``Column`` specs, in
the spirit of pretix's ``ImportColumn``. Each column names itself (an
identifier, the template header in English and in Romanian, a label shown
in errors), says whether it is required, and parses its cell into a value or
raises ``CellError`` with a translated message. The import then cleans each
row as a whole (lookups, cross-column rules, duplicates in the file) and
assigns the cleaned rows to the database in ``write``.

What the engine does for every import, in one place:
- decoding: UTF-8 with or without BOM, Windows-1250 as the fallback older
  Romanian Excel writes, comma or semicolon, quoted fields with commas and
  line breaks, empty lines; a NUL anywhere refuses the file;
- the header row: optional, recognised when the cell of the import's key
  column names that column (in English or Romanian); a first row with a
  mistyped key value is data and gets its error;
- errors by row and column, every row checked, the first
  ``MAX_ERRORS_SHOWN`` kept for display;
- all or nothing: everything runs in one transaction that is rolled back
  when any row is wrong (or on a dry run);
- dates in one place, with messages that name both accepted formats;
- the template file, generated from the columns, in the request's language.

Files are read as a stream, ``chunk_size`` rows at a time, so memory stays
flat however long the file. Imports whose rows can be written in any order
(``streaming = True``: sales, serials) write each chunk inside the
transaction as soon as it is clean, and stop writing at the first wrong row;
the transaction is rolled back at the end, after every row has been checked.
This reads the file once and needs no copy of it, at the cost of some wasted
writes when a late row is wrong (they are rolled back). Checks over the whole
file, such as a key repeated in a later chunk, run in ``finish`` before the
commit. The other imports collect their cleaned rows and write them all at
the end.
"""

import codecs
import csv
import datetime
import functools
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .csvfiles import RowError
from .errors import DomainError

MAX_ERRORS_SHOWN = 500
CHUNK_SIZE = 5000
_BLOCK = 1 << 20
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


class CellError(DomainError):
    """A cell (or, with ``column``, another cell of the row) is wrong; ``message`` is for the reader."""

    def __init__(self, message, column=None):
        super().__init__(message, field=column)
        self.column = column


class FileError(DomainError):
    """The file as a whole cannot be imported (not text, empty, too many rows)."""


# Cell parsers shared by the imports. Each takes the stripped, non-empty cell text.


@functools.lru_cache(maxsize=4096)
def parse_date(value):
    """yyyy-mm-dd, or dd.mm.yyyy as Romanian Excel shows and re-saves dates; None if neither."""
    if len(value) == 10:
        if value[4] == "-":
            try:
                return datetime.date(int(value[:4]), int(value[5:7]), int(value[8:]))
            except ValueError:
                pass
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
    return None


def date_cell(value):
    date = parse_date(value) if value.isascii() else None
    if date is None:
        raise CellError(
            _("“%(value)s” is not a date: write it as yyyy-mm-dd or dd.mm.yyyy (for example %(iso)s or %(ro)s).")
            % {"value": value, "iso": "2026-03-31", "ro": "31.03.2026"}
        )
    return date


def text_cell(max_length):
    def parse(value):
        if len(value) > max_length:
            raise CellError(_("At most %(n)d characters.") % {"n": max_length})
        return value

    return parse


def integer_cell(minimum, maximum=None, message=None):
    """A whole number of ASCII digits from ``minimum`` to ``maximum``; ``message`` may use %(value)s."""

    def parse(value):
        number = int(value) if value.isascii() and value.isdigit() else None
        if number is None or number < minimum or (maximum is not None and number > maximum):
            text = message or (
                gettext_lazy("“%(value)s” is not a whole number of 1 or more.")
                if maximum is None
                else gettext_lazy("“%(value)s” is not a whole number from %(min)d to %(max)d.")
            )
            raise CellError(str(text) % {"value": value, "min": minimum, "max": maximum or 0})
        return number

    return parse


TRUE_WORDS = frozenset({"1", "yes", "y", "true", "da", "x"})
FALSE_WORDS = frozenset({"0", "no", "n", "false", "nu"})


def boolean_cell(value):
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write yes or no (da or nu)."))


def split_list(value):
    """Several values in one cell, separated by ``;``, ``,``, ``|`` or spaces."""
    return [part for part in re.split(r"[;,|\s]+", value) if part]


def _words(text):
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().casefold()
    return re.findall(r"[a-z0-9]+", text)


@dataclass(frozen=True)
class Column:
    """One column of an import file."""

    key: str  # identifier: the cleaned value's name
    label: object  # shown in errors and on the import page (gettext_lazy)
    header_ro: str  # template header in Romanian
    header_en: str = ""  # template header in English; the key when empty
    required: bool = True  # an empty cell is an error
    parse: object = None  # callable(text) -> value, raising CellError; None keeps the text
    missing: object = None  # message for an empty required cell
    default: object = ""  # value of an empty optional cell
    absent: object = ...  # value when the row stops before this column; ``default`` when not given
    example: object = ""  # template example: text or callable()
    words: tuple = ()  # words that make a cell a header of this column ("ean", "gtin")

    def header(self, language=None):
        """The template header in ``language`` (the active one by default)."""
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        if language.startswith("ro"):
            return self.header_ro
        return self.header_en or self.key

    def names(self):
        """Every header naming this column, normalised: both languages' headers and labels, the key."""
        names = {self.key, self.header_en or self.key, self.header_ro}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names.add(str(self.label))
        return {" ".join(_words(name)) for name in names}

    def is_named_by(self, cell):
        words = _words(cell)
        return bool(words) and (" ".join(words) in self.names() or any(w in words for w in self.words))

    def clean_cell(self, text):
        if text is None and not self.required:
            return self.default if self.absent is ... else self.absent
        if not text:
            if self.required:
                raise CellError(self.missing or _("This cell is empty; the column is required."))
            return self.default
        return self.parse(text) if self.parse else text


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    kind: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    file_error: str = ""
    errors: list = field(default_factory=list)
    error_count: int = 0
    cleaned: list = field(default_factory=list)  # cleaned rows of a non-streaming import

    @property
    def ok(self):
        return not self.file_error and not self.error_count

    def add_error(self, row, column, message):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(RowError(row=row, column=str(column), message=str(message)))


class Row:
    """One record of the file while it is checked: its number, parsed values and whether it is still right."""

    __slots__ = ("number", "values", "ok", "_import", "_report")

    def __init__(self, number, values, ok, importer, report):
        self.number, self.values, self.ok = number, values, ok
        self._import, self._report = importer, report

    def error(self, column_key, message):
        self.ok = False
        self._report.add_error(self.number, self._import.column(column_key).label, message)


# Reading the file as a stream.


def _binary(source):
    """A readable binary file for bytes, a path, an uploaded file or an open binary file; and whether we opened it."""
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source), True
    if isinstance(source, str | Path):
        return open(source, "rb"), True  # noqa: SIM115 -- closed by read_records
    file = getattr(source, "file", source)  # Django's UploadedFile wraps the real file
    file.seek(0)
    return file, False


def _encoding(file):
    """utf-8-sig or cp1250, after one pass over the bytes; FileError for a file that is not text."""
    not_text = FileError(_("This is not a CSV text file. Save the sheet as “CSV UTF-8” and upload that file."))
    for encoding in ("utf-8-sig", "cp1250"):
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while block := file.read(_BLOCK):
                if b"\x00" in block:
                    raise not_text
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        file.seek(0)
        return encoding
    raise not_text


def read_records(source):
    """Yield (row number, cells) for every non-empty record; row numbers count records as Excel shows rows.

    FileError when the file is not text or not CSV.
    """
    file, opened = _binary(source)
    text = None
    try:
        text = io.TextIOWrapper(file, encoding=_encoding(file), newline="")
        blank = []  # empty lines before the first one that says which delimiter the file uses
        first = text.readline()
        while first and not first.strip():
            blank.append(first)
            first = text.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(itertools.chain(blank, [first], text), delimiter=delimiter)
        try:
            for number, cells in enumerate(reader, start=1):
                cells = [c.strip() for c in cells]
                if any(cells):
                    yield number, cells
        except csv.Error as error:
            raise FileError(_("The file cannot be read as CSV: %(error)s") % {"error": error}) from error
    finally:
        if text is not None and not opened:
            if not file.closed:  # a caller that stopped reading (an error) may have closed it since
                text.detach()  # leave the caller's file open
        elif opened:
            file.close()


class CsvImport:
    """An import: its columns and how its rows are cleaned and written. Subclass it; call ``run``."""

    kind = ""
    label = ""
    columns: list = []
    key_column = ""  # a header is recognised by naming this column
    streaming = False  # write each clean chunk at once (True) or every row at the end
    chunk_size = CHUNK_SIZE
    max_rows = None
    empty_message = gettext_lazy("The file has no rows to import.")
    too_many_message = gettext_lazy("The file has %(n)d rows; at most %(max)d can be imported at once.")

    def __init__(self, *, today=None):
        self.today = today or datetime.date.today()
        self._columns = {column.key: column for column in self.columns}
        self._min_width = self.required_width()

    # Hooks for the imports.

    def prepare(self, rows):
        """Before a chunk's rows are cleaned: bulk lookups for the chunk."""

    def clean(self, row):
        """Cross-column rules of one row: report with ``row.error``; return the cleaned row.

        Cells that did not parse are missing from ``row.values`` and ``row.ok`` is already False.
        """
        return row.values

    def write(self, cleaned, report):
        """Write cleaned rows (a chunk when streaming, else all of them) and count them in ``report``."""
        raise NotImplementedError

    def chunk_cleaned(self, cleaned, report):
        """After a chunk was cleaned, whether or not anything will be written (dry run, errors)."""

    def finish(self, report):
        """After every row was cleaned, before the commit: checks over the whole file (duplicates)."""

    def new_report(self):
        return ImportReport(kind=self.kind)

    # The engine.

    def column(self, key):
        return self._columns[key]

    @classmethod
    def required_width(cls):
        """How many leading columns every row must have: up to the last required one."""
        return max(i for i, column in enumerate(cls.columns, start=1) if column.required)

    def is_header(self, cells):
        position = next(i for i, c in enumerate(self.columns) if c.key == self.key_column)
        return position < len(cells) and self.column(self.key_column).is_named_by(cells[position])

    def parse_row(self, number, cells, report):
        """A Row with each column's parsed value; cells in error are left out of ``values``."""
        columns = self.columns
        if len(cells) > len(columns) and not any(cells[len(columns) :]):
            cells = cells[: len(columns)]  # Excel's trailing empty cells
        min_width = self._min_width
        if not min_width <= len(cells) <= len(columns):
            if min_width == len(columns):
                message = _("Expected %(max)d columns, found %(n)d.")
            else:
                message = _("Expected %(min)d to %(max)d columns, found %(n)d.")
            report.add_error(
                number, columns[0].label, message % {"min": min_width, "max": len(columns), "n": len(cells)}
            )
            return None
        values, ok = {}, True
        for column, text in itertools.zip_longest(columns, cells):
            try:
                values[column.key] = column.clean_cell(text)
            except CellError as error:
                ok = False
                report.add_error(number, self.column(error.column or column.key).label, error.message)
        return Row(number, values, ok, self, report)

    def _clean_chunk(self, rows, report, *, dry_run):
        self.prepare(rows)
        cleaned = []
        for row in rows:
            value = self.clean(row)
            if row.ok:
                cleaned.append(value)
        self.chunk_cleaned(cleaned, report)
        if not report.ok:
            return
        if not self.streaming:
            report.cleaned.extend(cleaned)
        elif not dry_run:
            self.write(cleaned, report)

    def check_and_write(self, source, report, *, dry_run, progress=None):
        records = read_records(source)
        first = next(records, None)
        if first is not None and not self.is_header(first[1]):
            records = itertools.chain([first], records)
        chunk = []
        for number, cells in records:
            report.rows += 1
            if self.max_rows and report.rows > self.max_rows:
                report.rows += sum(1 for _record in records)
                raise FileError(str(self.too_many_message) % {"n": report.rows, "max": self.max_rows})
            row = self.parse_row(number, cells, report)
            if row is not None:
                chunk.append(row)
            if len(chunk) >= self.chunk_size:
                self._clean_chunk(chunk, report, dry_run=dry_run)
                chunk = []
                if progress is not None:
                    progress(report.rows)
        if chunk:
            self._clean_chunk(chunk, report, dry_run=dry_run)
        if progress is not None:
            progress(report.rows)
        if not report.rows:
            raise FileError(str(self.empty_message))
        self.finish(report)
        if report.ok and not dry_run and not self.streaming:
            self.write(report.cleaned, report)

    def run(self, source, *, dry_run=False, report=None, progress=None):
        """Check every row of ``source`` (bytes, a path or a file); if all are right and not ``dry_run``, write them.

        All or nothing: one transaction, rolled back when any row is wrong. ``progress``, when given, is
        called with the number of rows read so far after every chunk (it must not write to this
        transaction's database connection: a rollback would take its writes along).
        """
        report = report or self.new_report()
        try:
            with transaction.atomic():
                self.check_and_write(source, report, dry_run=dry_run, progress=progress)
                if not report.ok or dry_run:
                    transaction.set_rollback(True)
        except FileError as error:
            report.file_error = str(error.message)
        if not report.ok:
            report.cleaned = []
        report.errors.sort(key=lambda error: error.row)  # width errors are found before a chunk's row rules
        return report

    @classmethod
    def template_csv(cls, language=None):
        """Header (in ``language``, the active one by default) and one example row, as Excel writes it in Romania."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([column.header(language) for column in cls.columns])
        writer.writerow([str(c.example() if callable(c.example) else c.example) for c in cls.columns])
        return "\ufeff" + out.getvalue()

    @classmethod
    def column_help(cls, language=None):
        """(header, label) of each column, for the import page."""
        return [(column.header(language), column.label) for column in cls.columns]
