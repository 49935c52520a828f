import datetime
import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from claims.csv_import import check_file
from claims.models import Attachment, Claim, ClaimLine, ImportBatch, Status
from claims.tests.factories import pdf_bytes
from tests.html import table_rows

DAY = (datetime.date.today() - datetime.timedelta(days=10)).isoformat()


def csv_file(text, *, bom=False, name="claims.csv", encoding="utf-8"):
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def rows(catalogue):
    drone, vacuum = catalogue["drone"].ean, catalogue["vacuum"].ean
    return [
        ["PR-1", drone, "1SDJK7R0A10043", DAY, "Gimbal blocked", "Repair"],
        ["PR-2", vacuum, "", DAY, 'Does not charge, "dock" light off', "Replace"],
        ["", drone, "1SDJK7R0A10099", DAY, "Line one\nline two", ""],
    ]


def render(rows, delimiter=",", header=False, trailing=""):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    if header:
        writer.writerow(["own claim number", "EAN", "SN", "sale date", "problem", "expectations"])
    writer.writerows(rows)
    return out.getvalue() + trailing


def do_import(client, catalogue, owner_address, upload):
    return client.post(
        reverse("claim_import"),
        {"file": upload, "claim_type": catalogue["warranty_type"].pk, "return_address": owner_address.pk},
    )


def do_numbered_import(client, catalogue, owner_address, upload):
    """do_import, then what its commit runs (the test's transaction never commits): the claims' numbering."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return do_import(client, catalogue, owner_address, upload)


@pytest.mark.parametrize(
    ("delimiter", "bom", "header"),
    [(",", False, False), (";", True, True), (";", False, False), (",", True, True)],
    ids=["comma", "semicolon-bom-header", "semicolon", "comma-bom-header"],
)
def test_excel_files_are_imported(
    owner_client, catalogue, owner_address, rows, delimiter, bom, header, django_capture_on_commit_callbacks
):
    upload = csv_file(render(rows, delimiter, header, trailing=delimiter * 5 + "\r\n\r\n"), bom=bom)
    with django_capture_on_commit_callbacks(execute=True):  # the claims are numbered once the request commits
        response = do_import(owner_client, catalogue, owner_address, upload)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    claims = list(Claim.objects.order_by("rma_seq"))
    assert [c.rma_seq for c in claims] == [1, 2, 3]
    assert all(c.status == Status.AWAITING_DOCUMENTS and c.import_batch == batch for c in claims)
    assert claims[0].own_number == "PR-1" and claims[0].lines.get().serial == "1SDJK7R0A10043"
    assert claims[1].lines.get().description == 'Does not charge, "dock" light off'
    assert claims[2].lines.get().description == "Line one\nline two"
    assert claims[0].return_city == "Bucuresti"
    page = owner_client.get(response["Location"]).content.decode()
    assert all(c.rma_number in page for c in claims)


def test_error_in_row_537_of_1000_creates_nothing(owner_client, catalogue, owner_address):
    drone = catalogue["drone"].ean
    rows = [[f"PR-{i}", drone, f"SN{i:05d}", DAY, "Broken", ""] for i in range(1, 1001)]
    rows[536][3] = "2026-13-45"
    response = do_import(owner_client, catalogue, owner_address, csv_file(render(rows)))
    assert response.status_code == 200
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(537, "Sale date")]
    assert ["537", "Sale date"] in [row[:2] for row in table_rows(response.content.decode())]
    assert Claim.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_every_error_is_listed_by_row_and_column(owner_client, catalogue, owner_address):
    drone = catalogue["drone"].ean
    rows = [
        ["A", drone, "", DAY, "No serial", ""],
        ["B", "5901234123457", "X", DAY, "Unknown EAN", ""],
        ["C", drone, "S1", "10/25/2026", "Wrong date format", ""],
        ["D", drone, "S2", DAY, "", ""],
        ["E", "12345", "S3", DAY, "Short EAN", ""],
    ]
    response = do_import(owner_client, catalogue, owner_address, csv_file(render(rows, header=True)))
    errors = {(e.row, e.column) for e in response.context["result"].errors}
    assert errors == {(2, "Serial number"), (3, "EAN"), (4, "Sale date"), (5, "Problem description"), (6, "EAN")}
    assert Claim.objects.count() == 0


def test_dji_type_only_for_dji_rows(owner_client, catalogue, owner_address, rows):
    response = owner_client.post(
        reverse("claim_import"),
        {"file": csv_file(render(rows)), "claim_type": catalogue["dji_type"].pk, "return_address": owner_address.pk},
    )
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(2, "EAN")]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "CSV"),
        (b"own;ean;sn;date;problem;exp\r\n", "no claims"),
    ],
)
def test_unreadable_files_get_a_clear_message(owner_client, catalogue, owner_address, content, fragment):
    upload = SimpleUploadedFile("x.csv", content, content_type="text/csv")
    response = do_import(owner_client, catalogue, owner_address, upload)
    assert response.status_code == 200
    assert fragment in " ".join(response.context["form"].errors["file"])


def test_too_many_rows(catalogue, owner):
    text = "\n".join(f"R{i},{catalogue['drone'].ean},S{i},{DAY},x,y" for i in range(5001))
    result = check_file(csv_file(text), claim_type=catalogue["warranty_type"])
    assert "5000" in result.file_error or "5,000" in result.file_error


def test_template_download(owner_client):
    response = owner_client.get(reverse("claim_import_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").startswith("own_claim_number;ean;serial_number;sale_date")


def test_one_document_for_several_imported_claims(owner_client, catalogue, owner_address, rows):
    do_numbered_import(owner_client, catalogue, owner_address, csv_file(render(rows)))
    batch = ImportBatch.objects.get()
    claims = list(Claim.objects.order_by("rma_seq"))
    doc = SimpleUploadedFile("factura.pdf", pdf_bytes(), content_type="application/pdf")
    response = owner_client.post(
        batch.get_absolute_url(), {"claims": [str(claims[0].pk), str(claims[2].pk)], "document": [doc]}
    )
    assert response.status_code == 302
    statuses = list(Claim.objects.order_by("rma_seq").values_list("status", flat=True))
    assert statuses == [Status.REGISTERED, Status.AWAITING_DOCUMENTS, Status.REGISTERED]
    files = set(Attachment.objects.values_list("file", flat=True))
    assert Attachment.objects.count() == 2 and len(files) == 1  # stored once

    own = SimpleUploadedFile("f2.pdf", pdf_bytes(), content_type="application/pdf")
    owner_client.post(batch.get_absolute_url(), {f"doc_{claims[1].pk}": [own]})
    assert Claim.objects.get(pk=claims[1].pk).status == Status.REGISTERED


def test_batch_handover_document(
    owner_client, catalogue, owner_address, rows, stranger_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the import queues the render once it commits
        do_import(owner_client, catalogue, owner_address, csv_file(render(rows)))
    batch = ImportBatch.objects.get()
    response = owner_client.get(reverse("claim_import_handover", args=[batch.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert stranger_client.get(reverse("claim_import_handover", args=[batch.pk])).status_code == 404
    assert stranger_client.get(batch.get_absolute_url()).status_code == 404


@pytest.mark.postgres
def test_five_thousand_rows_in_under_30_seconds(owner, catalogue, owner_address, capsys):
    from claims.csv_import import claims_import_csv
    from claims.services import ReturnAddress

    drone = catalogue["drone"].ean
    text = render([[f"PR-{i}", drone, f"SN{i:06d}", DAY, "Gimbal blocked after a fall", "Repair"] for i in range(5000)])
    tracemalloc.start()
    started = time.perf_counter()
    result = claims_import_csv(
        user=owner,
        uploaded=csv_file(text),
        claim_type=catalogue["warranty_type"],
        return_address=ReturnAddress.from_address(owner_address),
    )
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.ok and len(result.claims) == 5000
    assert Claim.objects.count() == 5000
    with capsys.disabled():
        print(f"\n5,000-row CSV import: {elapsed:.1f} s, peak Python memory {peak / 1e6:.0f} MB")
    assert elapsed < 30


def test_shared_and_own_document_for_the_same_claim(owner_client, catalogue, owner_address, rows):
    do_numbered_import(owner_client, catalogue, owner_address, csv_file(render(rows)))
    batch = ImportBatch.objects.get()
    first = Claim.objects.order_by("rma_seq").first()
    shared = SimpleUploadedFile("factura.pdf", pdf_bytes(), content_type="application/pdf")
    own = SimpleUploadedFile("f2.pdf", pdf_bytes(), content_type="application/pdf")
    data = {"claims": [str(first.pk), str(first.pk)], "document": [shared], f"doc_{first.pk}": [own]}
    assert owner_client.post(batch.get_absolute_url(), data).status_code == 302
    first.refresh_from_db()
    assert first.status == Status.REGISTERED and first.attachments.count() == 2
    assert first.status_changes.filter(to_status=Status.REGISTERED).count() == 1


@pytest.mark.parametrize("first_ean", ["590123412345O", ""])
def test_a_bad_first_row_is_an_error_not_a_header(owner_client, catalogue, owner_address, rows, first_ean):
    bad = [list(row) for row in rows]
    bad[0][1] = first_ean
    response = do_import(owner_client, catalogue, owner_address, csv_file(render(bad)))
    assert [row[:2] for row in table_rows(response.content.decode())] == [["Row", "Column"], ["1", "EAN"]]
    assert Claim.objects.count() == 0


def test_headers_as_people_write_them(owner_client, catalogue, owner_address, rows):
    header = ["Nr. intern", "Cod EAN/GTIN-13", "Serie", "Data", "Descriere", "Așteptări"]
    text = ";".join(header) + "\r\n" + render(rows, delimiter=";")
    do_import(owner_client, catalogue, owner_address, csv_file(text))
    assert Claim.objects.count() == len(rows)


def test_dates_as_romanian_excel_saves_them(owner_client, catalogue, owner_address, rows):
    day = datetime.date.fromisoformat(DAY)
    for row in rows:
        row[3] = day.strftime("%d.%m.%Y")
    do_import(owner_client, catalogue, owner_address, csv_file(render(rows, delimiter=";")))
    assert set(ClaimLine.objects.values_list("document_date", flat=True)) == {day}
    assert ClaimLine.objects.count() == len(rows)


def test_document_errors_sit_next_to_their_field(owner_client, catalogue, owner_address, rows):
    do_numbered_import(owner_client, catalogue, owner_address, csv_file(render(rows)))
    batch = ImportBatch.objects.get()
    first = Claim.objects.order_by("rma_seq").first()
    bad = SimpleUploadedFile("factura.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    html = owner_client.post(batch.get_absolute_url(), {f"doc_{first.pk}": [bad]}).content.decode()
    assert f'id="id_doc_{first.pk}_error"' in html and f'href="#id_doc_{first.pk}"' in html
    shared = SimpleUploadedFile("factura.pdf", pdf_bytes(), content_type="application/pdf")
    html = owner_client.post(batch.get_absolute_url(), {"document": [shared]}).content.decode()
    assert 'id="id_claims_error"' in html and 'href="#id_claims_0"' in html and 'id="id_claims_0"' in html
    assert Attachment.objects.count() == 0


def test_one_summary_email_after_the_commit(
    owner_client, catalogue, owner_address, rows, owner, django_capture_on_commit_callbacks
):
    from core.models import OutgoingEmail

    with django_capture_on_commit_callbacks(execute=True):
        do_import(owner_client, catalogue, owner_address, csv_file(render(rows)))
    [email] = OutgoingEmail.objects.filter(to=owner.email)
    assert all(claim.rma_number in email.body_text for claim in Claim.objects.all())


def test_the_import_costs_the_same_queries_for_50_and_500_rows(
    owner, catalogue, owner_address, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """No query per row: lookups, inserts (COPY on PostgreSQL) and the numbers are one statement per batch.

    The numbers are given after the commit in chunks of ``NUMBERING_CHUNK`` claims, a few statements a
    chunk: 500 rows take one chunk more than 50, and only that chunk's statements are allowed more.
    SQLite binds at most 999 values a statement, so Django splits its bulk inserts every few dozen rows
    there: the count may grow by one statement per 15 rows, never by one per row.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims import services
    from claims.csv_import import claims_import_csv
    from claims.services import ReturnAddress

    drone = catalogue["drone"].ean

    def run(count):
        text = render([[f"Q{count}-{i}", drone, f"SQ{count}{i:05d}", DAY, "Broken", ""] for i in range(count)])
        # The numbering (then the e-mail) and the handover's render run after the commit (a worker renders
        # the handover): the numbering is counted too, the sends it queues are not run.
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks() as callbacks:
                result = claims_import_csv(
                    user=owner,
                    uploaded=csv_file(text),
                    claim_type=catalogue["warranty_type"],
                    return_address=ReturnAddress.from_address(owner_address),
                )
            assert len(callbacks) == 2  # the numbering and the handover's render, queued once each
            with django_capture_on_commit_callbacks():
                callbacks[0]()
        assert result.ok and len(result.claims) == count
        assert all(claim.rma_number.startswith("RMA/") for claim in result.claims)
        return len(queries)

    chunk = 5 if connection.vendor == "postgresql" else 8  # the statements of one numbering chunk
    assert services.NUMBERING_CHUNK < 500 <= 2 * services.NUMBERING_CHUNK  # 1 chunk for 50 rows, 2 for 500
    run(10)  # the first import of a process also reads what it caches (content types)
    small = run(50)
    if connection.vendor == "postgresql":
        with django_assert_max_num_queries(30):
            assert run(500) - small <= chunk
    else:
        assert run(500) - small <= 450 // 15 + chunk
    assert Claim.objects.count() == ClaimLine.objects.count() == 560
