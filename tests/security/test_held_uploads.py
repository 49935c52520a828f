"""Issue 10.4: files kept from failed claim forms have a per-person quota, and no file outlives a rollback.

(The purge after the hold time is tested in test_housekeeping.py.)
"""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims import services
from claims.models import AttachmentKind, Claim, HeldUpload
from claims.tests.conftest import catalogue, claim_post, owner_address  # noqa: F401 - fixtures
from claims.tests.factories import pdf_bytes, png_bytes
from claims.uploads import MAX_HELD_BYTES_PER_USER, MAX_HELD_FILES_PER_USER, check_upload
from tests.html import text


def files_under(root):
    root = Path(root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def checked_pdf(name="factura.pdf"):
    return check_upload(SimpleUploadedFile(name, pdf_bytes()))


def test_held_files_stop_at_the_count_quota(owner):
    uploads = [(checked_pdf(f"f{i}.pdf"), AttachmentKind.SALES_DOCUMENT) for i in range(MAX_HELD_FILES_PER_USER + 3)]
    kept = services.held_uploads_keep(owner=owner, uploads=uploads)
    assert len(kept) == MAX_HELD_FILES_PER_USER and kept.over_quota == 3
    again = services.held_uploads_keep(owner=owner, uploads=[(checked_pdf(), AttachmentKind.SALES_DOCUMENT)])
    assert list(again) == [] and again.over_quota == 1
    assert HeldUpload.objects.filter(owner=owner).count() == MAX_HELD_FILES_PER_USER


def test_held_files_stop_at_the_byte_quota(owner):
    HeldUpload.objects.create(
        owner=owner,
        kind=AttachmentKind.PHOTO,
        file="held/x.png",
        original_name="x.png",
        content_type="image/png",
        size=MAX_HELD_BYTES_PER_USER - 10,
    )
    kept = services.held_uploads_keep(owner=owner, uploads=[(checked_pdf(), AttachmentKind.SALES_DOCUMENT)])
    assert list(kept) == [] and kept.over_quota == 1


def test_expired_held_files_do_not_count(owner):
    old = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=HeldUpload.HOLD_HOURS + 1)
    for i in range(MAX_HELD_FILES_PER_USER):
        HeldUpload.objects.create(
            owner=owner, kind="photo", file=f"held/{i}.png", original_name="x", content_type="image/png", size=1
        )
    HeldUpload.objects.update(created_at=old)
    assert len(services.held_uploads_keep(owner=owner, uploads=[(checked_pdf(), AttachmentKind.SALES_DOCUMENT)])) == 1


def test_over_quota_the_form_says_so_and_keeps_nothing(owner_client, owner, claim_post, settings):  # noqa: F811
    services.held_uploads_keep(
        owner=owner,
        uploads=[(checked_pdf(f"f{i}.pdf"), AttachmentKind.SALES_DOCUMENT) for i in range(MAX_HELD_FILES_PER_USER)],
    )
    before = files_under(settings.MEDIA_ROOT)
    invoice = SimpleUploadedFile("noua.pdf", pdf_bytes(), content_type="application/pdf")
    response = owner_client.post(
        reverse("claim_new"), {**claim_post(**{"lines-0-description": ""}), "sales_documents": [invoice]}
    )
    assert response.status_code == 200
    assert "could not be kept for your next try" in text(response.content.decode())
    assert HeldUpload.objects.filter(owner=owner).count() == MAX_HELD_FILES_PER_USER
    assert files_under(settings.MEDIA_ROOT) == before


def test_a_failed_claim_creation_leaves_no_file_on_disk(owner, catalogue, settings, monkeypatch):  # noqa: F811
    invoice = check_upload(SimpleUploadedFile("factura.pdf", pdf_bytes()))
    photo = check_upload(SimpleUploadedFile("poza.png", png_bytes()))
    data = services.ClaimData(
        claim_type=catalogue["warranty_type"],
        lines=[services.LineData(product=catalogue["vacuum"], document_date=datetime.date.today(), description="x")],
        return_address=services.ReturnAddress("Firma", "Str. 1", "010101", "Bucuresti", "RO"),
        uploads=[
            services.UploadData.from_checked(invoice, AttachmentKind.SALES_DOCUMENT),
            services.UploadData.from_checked(photo, AttachmentKind.PHOTO),
        ],
    )

    def broken(claim):
        raise RuntimeError("the mail queue is down")

    monkeypatch.setattr(services.emails, "claim_registered", broken)
    with pytest.raises(RuntimeError):
        services.claim_create(user=owner, data=data)

    assert not Claim.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_a_failed_hold_leaves_no_file_on_disk(owner, settings, monkeypatch):
    saves = []
    real_save = HeldUpload.save

    def second_fails(self, *args, **kwargs):
        saves.append(self)
        if len(saves) == 2:
            raise RuntimeError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(HeldUpload, "save", second_fails)
    with pytest.raises(RuntimeError):
        services.held_uploads_keep(
            owner=owner, uploads=[(checked_pdf("a.pdf"), "sales_document"), (checked_pdf("b.pdf"), "sales_document")]
        )
    assert not HeldUpload.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []
