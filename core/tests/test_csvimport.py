"""The import engine: column specs (parse, clean, errors), header detection, dates, decoding, all or nothing."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from django.utils.translation import gettext_lazy

from core.csvimport import (
    CellError,
    Column,
    CsvImport,
    boolean_cell,
    date_cell,
    integer_cell,
    read_records,
    split_list,
    text_cell,
)


def code_cell(text):
    if not text.isalpha():
        raise CellError("letters only")
    return text.upper()


class GroupsImport(CsvImport):
    """A toy import: groups named by a code, with a size and a start date."""

    kind = "groups"
    key_column = "code"
    streaming = True
    chunk_size = 3
    columns = [
        Column("code", gettext_lazy("Code"), "cod", parse=code_cell, missing="code missing", words=("code",)),
        Column("size", gettext_lazy("Size"), "mărime", parse=integer_cell(1, 10), example="3"),
        Column("start", gettext_lazy("Start date"), "data_începerii", parse=date_cell, example="2026-03-31"),
        Column("note", gettext_lazy("Note"), "notă", required=False, default="-", absent="absent", example="x"),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = {}

    def clean(self, row):
        values = row.values
        if values.get("start") and values["start"] > self.today:
            row.error("start", "in the future")
        if "code" in values:
            first = self.seen.setdefault(values["code"], row.number)
            if first != row.number:
                row.error("code", f"row {first} has it")
        return f"{values.get('code')}-{values.get('size')}-{values.get('note')}" if row.ok else None

    def write(self, cleaned, report):
        Group.objects.bulk_create([Group(name=name) for name in cleaned])
        report.created += len(cleaned)


pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


def written():
    return sorted(Group.objects.filter(name__contains="-").values_list("name", flat=True))


def run(text, *, dry_run=False, encoding="utf-8", importer=GroupsImport):
    raw = text.encode(encoding) if isinstance(text, str) else text
    return importer(today=TODAY).run(raw, dry_run=dry_run)


# Cells.


@pytest.mark.parametrize(("text", "day"), [("2026-03-31", 31), ("31.03.2026", 31), ("01.03.2026", 1)])
def test_dates_in_both_formats(text, day):
    assert date_cell(text) == datetime.date(2026, 3, day)


@pytest.mark.parametrize("text", ["2026-02-30", "31/03/2026", "03.31.2026", "2026-3-1", "２０２６-03-31", "tomorrow"])
def test_a_wrong_date_names_both_formats(text):
    with pytest.raises(CellError) as caught:
        date_cell(text)
    assert "yyyy-mm-dd" in caught.value.message and "dd.mm.yyyy" in caught.value.message
    assert text in caught.value.message


def test_numbers_texts_booleans_and_lists():
    assert integer_cell(1, 10)("7") == 7
    for wrong in ("0", "11", "²", "1.5", "-3"):
        with pytest.raises(CellError, match="from 1 to 10"):
            integer_cell(1, 10)(wrong)
    with pytest.raises(CellError, match="1 or more"):
        integer_cell(1)("0")
    assert text_cell(3)("abc") == "abc"
    with pytest.raises(CellError, match="At most 3 characters"):
        text_cell(3)("abcd")
    assert (boolean_cell("DA"), boolean_cell("no"), boolean_cell("x")) == (True, False, True)
    with pytest.raises(CellError, match="yes or no"):
        boolean_cell("maybe")
    assert split_list("a@x.ro; b@x.ro,c@x.ro  d@x.ro|e@x.ro") == ["a@x.ro", "b@x.ro", "c@x.ro", "d@x.ro", "e@x.ro"]


def test_a_column_cleans_required_empty_optional_and_absent_cells():
    code, note = GroupsImport.columns[0], GroupsImport.columns[3]
    assert code.clean_cell("ab") == "AB"
    with pytest.raises(CellError, match="code missing"):
        code.clean_cell("")
    with pytest.raises(CellError, match="code missing"):
        code.clean_cell(None)
    assert (note.clean_cell(""), note.clean_cell(None), note.clean_cell("hi")) == ("-", "absent", "hi")


# Rows, errors and the transaction.


def test_rows_are_parsed_cleaned_and_written():
    report = run("ab;3;2026-03-01;first\ncd;4;01.03.2026\r\n\r\nef;5;2026-03-01;\n")
    assert report.ok, report.errors
    assert (report.rows, report.created) == (3, 3)
    assert written() == ["AB-3-first", "CD-4-absent", "EF-5--"]


def test_every_error_has_its_row_and_column_and_nothing_is_written():
    text = "\n".join(
        [
            "ab;3;2026-03-01",  # 1: right, written in the first chunk
            "cd;4;2026-03-01",
            "ef;5;2026-03-01",
            "gh;4;2026-03-01",  # 4: second chunk
            "a1;0;2026-02-30",  # 5: three cell errors
            ";4;2099-01-01",  # 6: missing code, future date
            "ab;4;2026-03-01",  # 7: same code as row 1
            "ij;4",  # 8: too few columns
            "",  # 9: empty: skipped, but counted as Excel counts rows
            "kl;4;2026-03-01;note;extra",  # 10: too many columns
            "mn;4;2026-03-01;note;;;",  # 11: trailing empty cells are fine
        ]
    )
    report = run(text)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [
        (5, "Code"),
        (5, "Size"),
        (5, "Start date"),
        (6, "Code"),
        (6, "Start date"),
        (7, "Code"),
        (8, "Code"),
        (10, "Code"),
    ]
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert messages[(5, "Code")] == "letters only"
    assert "from 1 to 10" in messages[(5, "Size")]
    assert "yyyy-mm-dd or dd.mm.yyyy" in messages[(5, "Start date")]
    assert messages[(6, "Code")] == "code missing"
    assert messages[(6, "Start date")] == "in the future"
    assert messages[(7, "Code")] == "row 1 has it"
    assert messages[(8, "Code")] == "Expected 3 to 4 columns, found 2."
    assert messages[(10, "Code")] == "Expected 3 to 4 columns, found 5."
    assert report.error_count == 8 and report.rows == 10
    assert written() == []  # the first chunk was written, then rolled back


def test_a_dry_run_writes_nothing():
    report = run("ab;3;2026-03-01\n", dry_run=True)
    assert report.ok and report.rows == 1 and written() == []


def test_a_collecting_import_writes_once_at_the_end():
    written = []

    class Collecting(GroupsImport):
        streaming = False

        def write(self, cleaned, report):
            written.append(list(cleaned))

    report = run("ab;3;2026-03-01\ncd;3;2026-03-01\nef;3;2026-03-01\ngh;3;2026-03-01\n", importer=Collecting)
    assert report.ok and written == [["AB-3-absent", "CD-3-absent", "EF-3-absent", "GH-3-absent"]]


# Headers.


@pytest.mark.parametrize(
    "header",
    [
        "code;size;start;note",  # the identifiers (English template)
        "cod;mărime;data_începerii;notă",  # the Romanian template
        "COD;marime;data inceperii;nota",  # Romanian typed without diacritics
        "Code;Size;Start date;Note",  # the English labels
        "Group code;y;z;w",  # a word that names the key column
    ],
)
def test_a_header_is_recognised_by_naming_the_key_column(header):
    report = run(header + "\nab;3;2026-03-01\n")
    assert report.ok, report.errors
    assert report.rows == 1


def test_a_header_is_recognised_in_the_other_language_too():
    with translation.override("en"):
        english = run("Cod;Mărime;Data începerii;Notă\nab;3;2026-03-01\n")
    with translation.override("ro"):
        romanian = run("code;size;start;note\ncd;3;2026-03-01\n")
    assert english.ok and romanian.ok and english.rows == romanian.rows == 1


def test_a_wrong_first_row_is_data_with_its_error_not_a_header():
    report = run("a1;3;2026-03-01\nab;3;2026-03-01\n")
    assert [(e.row, e.column) for e in report.errors] == [(1, "Code")]


# Files.


@pytest.mark.parametrize(
    "raw",
    [
        "\ufeffab,3,2026-03-01\r\ncd,3,2026-03-01\r\n".encode(),  # comma, UTF-8 with BOM
        b'ab;3;2026-03-01;"two\nlines; and a semicolon"\r\ncd;3;2026-03-01\r\n',  # quoted newline
        "ab;3;2026-03-01;Braşov\r\ncd;3;2026-03-01;Târgu Mureş\r\n".encode("cp1250"),  # old Romanian Excel
    ],
)
def test_files_as_excel_writes_them(raw):
    report = run(raw)
    assert report.ok and report.rows == 2, report.errors


def test_the_text_of_a_cp1250_file_is_read_right():
    raw = "ab;3;2026-03-01;Târgu Mureş\r\n".encode("cp1250")
    assert list(read_records(raw)) == [(1, ["ab", "3", "2026-03-01", "Târgu Mureş"])]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV text file"),
        (b"ab;3;2026-03-01\r\n" * 1000 + b"cd;3;2026-\x0003-01\r\n", "not a CSV text file"),  # a NUL late in the file
        (b"\r\n;;;\r\n", "no rows"),
        (b"code;size;start;note\r\n", "no rows"),
        (b'ab;3;2026-03-01;"' + b"x" * 200_000 + b'"\r\n', "cannot be read as CSV"),  # a cell too long for csv
    ],
)
def test_files_that_cannot_be_imported(raw, message):
    report = run(raw)
    assert message in report.file_error and not report.errors
    assert written() == []


def test_too_many_rows_counts_them_all():
    class Small(GroupsImport):
        max_rows = 2

    report = run("ab;3;2026-03-01\n" * 5, importer=Small)
    assert report.file_error == "The file has 5 rows; at most 2 can be imported at once."


# The template.


def test_the_template_is_in_the_request_language_and_imports_as_it_is():
    english = GroupsImport.template_csv("en")
    romanian = GroupsImport.template_csv("ro")
    assert english.startswith("\ufeffcode;size;start;note\r\n")
    assert romanian.startswith("\ufeffcod;mărime;data_începerii;notă\r\n")
    assert english.endswith("\r\n;3;2026-03-31;x\r\n")
    with translation.override("ro"):
        assert GroupsImport.template_csv() == romanian
    # Each template's header is recognised; its example row (empty code) is checked as data.
    for template in (english, romanian):
        report = run(template.encode())
        assert [(e.row, e.column) for e in report.errors] == [(2, "Code")]
