import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Address
from claims.models import Attachment, AttachmentKind, Claim, Status
from claims.tests.factories import ClaimFactory, ClaimLineFactory, pdf_bytes, png_bytes
from claims.uploads import MAX_IMAGE_MEGAPIXELS
from tests.html import text


def post(client, data, *files):
    payload = dict(data)
    docs = [f for kind, f in files if kind == "doc"]
    photos = [f for kind, f in files if kind == "photo"]
    if docs:
        payload["sales_documents"] = docs
    if photos:
        payload["photos"] = photos
    return client.post(reverse("claim_new"), payload)


def test_new_claim_page_shows_the_form(owner_client, catalogue, owner_address):
    html = owner_client.get(reverse("claim_new")).content.decode()
    assert 'name="lines-0-ean"' in html and 'name="sales_documents"' in html
    # DJI types carry their brand so the page can offer them only for DJI products.
    assert 'data-brand="DJI"' in html


def test_claim_with_two_products_gets_an_rma_number(
    owner_client, owner, claim_post, invoice, photo, catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(owner_client, claim_post(), ("doc", invoice), ("photo", photo))
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("claim_registered", args=[claim.pk])
    year = datetime.date.today().year
    assert claim.rma_number == f"RMA/1/SR/{year}" and claim.status == Status.REGISTERED
    lines = list(claim.lines.order_by("position"))
    assert [line.product for line in lines] == [catalogue["drone"], catalogue["vacuum"]]
    assert lines[0].serial == "1SDJK7R0A10043"
    assert lines[1].fault_type == catalogue["no_power"]
    assert claim.own_number == "PR-77" and claim.return_city == "Bucuresti"
    kinds = sorted(claim.attachments.values_list("kind", "content_type"))
    assert kinds == [("photo", "image/png"), ("sales_document", "application/pdf")]
    # Files are stored under random names, not the user's.
    assert all("factura" not in a.file.name for a in claim.attachments.all())
    assert claim.status_changes.get().to_status == Status.REGISTERED

    page = owner_client.get(response["Location"]).content.decode()
    assert claim.rma_number in page and "INNPRO ROMANIA" in page

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email] and claim.rma_number in message.subject
    assert claim.rma_number in message.body and claim.rma_number in message.alternatives[0][0]


def test_return_address_is_copied_onto_the_claim(owner_client, claim_post, invoice, owner_address):
    post(owner_client, claim_post(), ("doc", invoice))
    owner_address.city = "Iasi"
    owner_address.save()
    assert Claim.objects.get().return_city == "Bucuresti"


def test_new_return_address_is_saved_to_the_address_book(owner_client, owner, claim_post, invoice):
    data = claim_post(
        return_address="new",
        **{
            "addr-name": "Depozit Nord",
            "addr-street": "Str. Depozitului 1",
            "addr-postal_code": "077190",
            "addr-city": "Voluntari",
            "addr-country": "RO",
            "addr-phone_0": "RO",
            "addr-phone_1": "0722 333 444",
            "save_address": "on",
        },
    )
    assert post(owner_client, data, ("doc", invoice)).status_code == 302
    assert Claim.objects.get().return_name == "Depozit Nord"
    assert Address.objects.filter(company=owner.membership.company, name="Depozit Nord").exists()


@pytest.mark.parametrize(
    ("changes", "field_id"),
    [
        ({"lines-0-serial": ""}, "id_lines-0-serial_error"),
        ({"lines-0-ean": "5901234123458"}, "id_lines-0-ean_error"),
        ({"lines-0-ean": "5901234123457"}, "id_lines-0-ean_error"),
        ({"lines-1-fault_type": ""}, "id_lines-1-fault_type_error"),
        ({"lines-0-document_date": "2099-01-01"}, "id_lines-0-document_date_error"),
        ({"lines-0-document_date": "2026-02-30"}, "id_lines-0-document_date_error"),
        ({"lines-1-description": ""}, "id_lines-1-description_error"),
        ({"claim_type": ""}, "id_claim_type_error"),
    ],
    ids=[
        "serial-missing",
        "ean-check-digit",
        "ean-unknown",
        "fault-type",
        "future-date",
        "no-such-date",
        "description",
        "claim-type",
    ],
)
def test_bad_input_comes_back_on_its_field_and_nothing_is_stored(owner_client, claim_post, invoice, changes, field_id):
    response = post(owner_client, claim_post(**changes), ("doc", invoice))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="{field_id}"' in html, field_id
    assert "error-summary" in html
    assert "The gimbal does not move after a fall." in html  # input kept
    assert Claim.objects.count() == 0 and Attachment.objects.count() == 0


def test_sales_document_is_required(owner_client, claim_post):
    response = post(owner_client, claim_post())
    assert 'id="id_sales_documents_error"' in response.content.decode()
    assert Claim.objects.count() == 0


def test_dji_type_is_refused_for_a_claim_with_other_brands(owner_client, claim_post, invoice, catalogue):
    response = post(owner_client, claim_post(claim_type=str(catalogue["dji_type"].pk)), ("doc", invoice))
    assert 'id="id_claim_type_error"' in response.content.decode()
    assert Claim.objects.count() == 0


def test_dji_type_is_accepted_when_every_product_is_dji(owner_client, claim_post, invoice, catalogue):
    data = claim_post(claim_type=str(catalogue["dji_type"].pk), **{"lines-TOTAL_FORMS": "1"})
    assert post(owner_client, data, ("doc", invoice)).status_code == 302
    assert Claim.objects.get().claim_type == catalogue["dji_type"]


def test_quantity_is_ignored_for_products_without_it(owner_client, claim_post, invoice):
    assert post(owner_client, claim_post(**{"lines-1-quantity": "3"}), ("doc", invoice)).status_code == 302
    assert Claim.objects.get().lines.get(position=2).quantity == 1


def test_quantity_for_an_accessory(owner_client, claim_post, invoice, catalogue):
    data = claim_post(**{"lines-1-ean": catalogue["cable"].ean, "lines-1-quantity": "4", "lines-1-fault_type": ""})
    assert post(owner_client, data, ("doc", invoice)).status_code == 302
    assert Claim.objects.get().lines.get(position=2).quantity == 4


def test_open_claim_for_the_same_serial_asks_for_confirmation(owner_client, owner, claim_post, invoice):
    earlier = ClaimLineFactory(claim=ClaimFactory(owner=owner), serial="1SDJK7R0A10043").claim
    response = post(owner_client, claim_post(), ("doc", invoice))
    html = response.content.decode()
    assert earlier.rma_number in html and 'name="confirm_duplicate"' in html
    assert Claim.objects.count() == 1

    invoice.seek(0)
    confirmed = post(owner_client, claim_post(confirm_duplicate="on"), ("doc", invoice))
    assert confirmed.status_code == 302 and Claim.objects.count() == 2


def test_another_companys_open_claim_is_not_revealed(owner_client, stranger, claim_post, invoice):
    ClaimLineFactory(claim=ClaimFactory(owner=stranger), serial="1SDJK7R0A10043")
    assert post(owner_client, claim_post(), ("doc", invoice)).status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("poza.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
        ("factura.pdf", b"this is not a pdf at all", "application/pdf"),
        ("desen.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "image/svg+xml"),
    ],
)
def test_files_are_checked_by_content(owner_client, claim_post, name, content, content_type):
    bad = SimpleUploadedFile(name, content, content_type=content_type)
    response = post(owner_client, claim_post(), ("doc", bad))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_sales_documents_error"' in html and name in html
    assert Claim.objects.count() == 0 and Attachment.objects.count() == 0


def test_a_good_file_beside_a_bad_one_stores_nothing(owner_client, claim_post, invoice):
    bad = SimpleUploadedFile("x.png", b"GIF89a-not-really", content_type="image/png")
    response = post(owner_client, claim_post(), ("doc", invoice), ("photo", bad))
    assert 'id="id_photos_error"' in response.content.decode()
    assert Claim.objects.count() == 0 and Attachment.objects.count() == 0


def test_add_line_without_javascript_keeps_the_input(owner_client, claim_post):
    data = claim_post(add_line="1")
    response = owner_client.post(reverse("claim_new"), data)
    html = response.content.decode()
    assert 'name="lines-2-ean"' in html and "The gimbal does not move after a fall." in html
    assert "error-summary" not in html
    assert Claim.objects.count() == 0


def test_add_line_without_javascript_keeps_a_new_return_address(owner_client, claim_post):
    data = claim_post(add_line="1", return_address="new", **{"addr-name": "Depozit Nord", "addr-city": ""})
    html = owner_client.post(reverse("claim_new"), data).content.decode()
    assert 'value="Depozit Nord"' in html and 'id="id_addr-city_error"' not in html
    assert 'value="new" selected' in html


def test_line_product_preview(owner_client, catalogue):
    response = owner_client.get(
        reverse("claim_line_product"), {"lines-0-ean": catalogue["vacuum"].ean}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Dreame L10s Ultra" in html and 'name="lines-0-fault_type"' in html and 'data-brand="Dreame"' in html
    html = owner_client.get(reverse("claim_line_product"), {"lines-3-ean": catalogue["cable"].ean}).content.decode()
    assert 'name="lines-3-quantity"' in html
    html = owner_client.get(reverse("claim_line_product"), {"lines-0-ean": "123"}).content.decode()
    assert text(html) == "An EAN/GTIN-13 code has 13 digits; “123” has 3."


def test_imported_claim_moves_to_registered_when_the_sales_document_is_attached(owner_client, owner):
    claim = ClaimFactory(owner=owner, status=Status.AWAITING_DOCUMENTS)
    # An invoice scanned as two PDFs: both attached, the claim registered once.
    docs = [SimpleUploadedFile(f"f{n}.pdf", pdf_bytes(), content_type="application/pdf") for n in (1, 2)]
    response = owner_client.post(
        reverse("claim_attachment_add", args=[claim.pk]), {"kind": AttachmentKind.SALES_DOCUMENT, "files": docs}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.REGISTERED and claim.attachments.count() == 2
    assert list(claim.status_changes.values_list("to_status", flat=True)) == [Status.REGISTERED]


def test_attachment_upload_refuses_a_bad_file(owner_client, owner):
    claim = ClaimFactory(owner=owner)
    bad = SimpleUploadedFile("a.jpg", b"<html></html>", content_type="image/jpeg")
    response = owner_client.post(reverse("claim_attachment_add", args=[claim.pk]), {"kind": "photo", "files": [bad]})
    assert response.status_code == 200 and 'id="id_files_error"' in response.content.decode()
    assert claim.attachments.count() == 0


def test_attachment_download_is_nosniff(owner_client, owner):
    claim = ClaimFactory(owner=owner)
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    owner_client.post(reverse("claim_attachment_add", args=[claim.pk]), {"kind": "photo", "files": [photo]})
    attachment = claim.attachments.get()
    response = owner_client.get(reverse("claim_attachment", args=[claim.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()


def test_stored_name_is_random_with_the_suffix_of_the_content(owner_client, owner):
    claim = ClaimFactory(owner=owner)
    pdf = SimpleUploadedFile("factura.exe", pdf_bytes(), content_type="application/x-msdownload")
    owner_client.post(reverse("claim_attachment_add", args=[claim.pk]), {"kind": "sales_document", "files": [pdf]})
    stored = claim.attachments.get()
    assert stored.file.name.endswith(".pdf") and "factura" not in stored.file.name
    assert stored.original_name == "factura.exe" and stored.content_type == "application/pdf"


def huge_png(width, height):
    """A valid 1-bit PNG of any size, a few kilobytes on disk: the classic decompression bomb."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (10_000, 10_000)])
def test_huge_images_are_refused_before_decoding(owner_client, claim_post, invoice, width, height):
    raw = huge_png(width, height)
    assert len(raw) < 1024 * 1024
    bomb = SimpleUploadedFile("poza.png", raw, content_type="image/png")
    response = post(owner_client, claim_post(), ("doc", invoice), ("photo", bomb))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_photos_error"' in html
    summary = (
        "Photos and other files: “poza.png” is too large an image; "
        f"an image may have at most {MAX_IMAGE_MEGAPIXELS} megapixels."
    )
    assert summary in text(html)  # in the error summary, after the field's label
    assert Claim.objects.count() == 0 and Attachment.objects.count() == 0


def test_checked_files_are_kept_when_the_form_comes_back(owner_client, owner, claim_post, invoice, stranger_client):
    from claims.models import HeldUpload

    first = post(owner_client, claim_post(**{"lines-0-description": ""}), ("doc", invoice))
    html = first.content.decode()
    held = HeldUpload.objects.get()
    assert first.status_code == 200 and held.owner == owner and held.original_name == "factura.pdf"
    checkbox = re.search(rf'<input type="checkbox" name="held" value="{held.pk}"[^>]*>', html).group(0)
    assert "checked" in checkbox and "factura.pdf" in html
    assert 'id="id_sales_documents_error"' not in html  # the kept invoice answers "required"
    assert Claim.objects.count() == 0

    # Another partner cannot use it.
    assert (
        "held"
        in stranger_client.post(reverse("claim_new"), claim_post(held=[str(held.pk)])).context["bundle"].form.errors
    )

    second = owner_client.post(reverse("claim_new"), claim_post(held=[str(held.pk)]))
    assert second.status_code == 302
    attachment = Claim.objects.get(owner=owner).attachments.get()
    assert attachment.original_name == "factura.pdf" and attachment.kind == AttachmentKind.SALES_DOCUMENT
    invoice.seek(0)
    assert attachment.file.read() == invoice.read()
    assert HeldUpload.objects.count() == 0


def test_nothing_is_kept_when_a_file_is_refused(owner_client, claim_post, invoice):
    from claims.models import HeldUpload

    bad = SimpleUploadedFile("x.png", b"GIF89a-not-really", content_type="image/png")
    post(owner_client, claim_post(**{"lines-0-description": ""}), ("doc", invoice), ("photo", bad))
    assert HeldUpload.objects.count() == 0
