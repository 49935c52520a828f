"""Issue 10.6: a sales document must parse as a PDF with a page; downloads end in the detected type's extension."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.tests.factories import AttachmentFactory, ClaimFactory, pdf_bytes, png_bytes
from claims.uploads import PDF, check_upload, safe_download_name
from core.errors import RuleViolation

HTA = (
    b"<!-- %PDF-1.7 -->\n<html><head><hta:application id=x></hta:application>"
    b"<script>alert(1)</script></head><body>Factura</body></html>\n<!-- %%EOF -->\n%%EOF\n"
)


def test_html_with_pdf_markers_is_refused():
    with pytest.raises(RuleViolation) as refused:
        check_upload(SimpleUploadedFile("Factura 2026.pdf.hta", HTA))
    assert refused.value.code == "bad_type"


def test_a_pdf_without_pages_is_refused():
    empty = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    empty += b"trailer<</Root 1 0 R>>\n%%EOF\n"
    with pytest.raises(RuleViolation):
        check_upload(SimpleUploadedFile("gol.pdf", empty))


def test_a_real_pdf_passes():
    assert check_upload(SimpleUploadedFile("factura.pdf", pdf_bytes())).type == PDF


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("Factura 2026.pdf.hta", "application/pdf", "Factura 2026.pdf"),
        ("Factura 2026.hta", "application/pdf", "Factura 2026.pdf"),
        ("factura.exe", "application/pdf", "factura.pdf"),
        ("poza.JPEG", "image/jpeg", "poza.JPEG"),
        ("poza", "image/png", "poza.png"),
        ("scan v1.2 final", "image/webp", "scan v1.2 final.webp"),
    ],
)
def test_download_names_end_in_the_detected_extension(name, content_type, expected):
    assert safe_download_name(name, content_type=content_type) == expected


def test_partner_and_staff_downloads_take_the_detected_extension(owner_client, owner, technician_client):
    claim = ClaimFactory(owner=owner)
    attachment = AttachmentFactory(claim=claim, original_name="Factura 2026.pdf.hta")
    photo = AttachmentFactory(
        claim=claim,
        original_name="poza.hta",
        content_type="image/png",
        file=ContentFile(png_bytes(), name="p.png"),
        kind="photo",
    )
    partner = owner_client.get(reverse("claim_attachment", args=[claim.pk, attachment.pk]))
    staff = technician_client.get(reverse("admin:claims_claim_attachment", args=[claim.pk, attachment.pk]))
    image = owner_client.get(reverse("claim_attachment", args=[claim.pk, photo.pk]))
    assert 'filename="Factura 2026.pdf"' in partner["Content-Disposition"]
    assert 'filename="Factura 2026.pdf"' in staff["Content-Disposition"]
    assert 'filename="poza.png"' in image["Content-Disposition"]
