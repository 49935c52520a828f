"""Issue 10.5: an image's mode and size are read from its header and a costly one is refused before decoding."""

import struct
import time
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Attachment, Claim, HeldUpload
from claims.tests.conftest import catalogue, claim_post, owner_address  # noqa: F401 - fixtures
from claims.tests.factories import pdf_bytes
from claims.uploads import MAX_WEBP_MEGAPIXELS
from tests.html import text


def png(width, height, *, bit_depth, color_type):
    """A valid PNG of any size and depth, a few hundred KB of zeros compressed."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    row = b"\x00" + b"\x00" * (width * channels * bit_depth // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_a_16_bit_rgba_png_of_6300_pixels_is_refused_quickly(owner_client, claim_post):  # noqa: F811
    raw = png(6300, 6300, bit_depth=16, color_type=6)
    assert len(raw) < 1024 * 1024
    started = time.process_time()
    response = owner_client.post(
        reverse("claim_new"),
        {
            **claim_post(),
            "sales_documents": [SimpleUploadedFile("factura.pdf", pdf_bytes())],
            "photos": [SimpleUploadedFile("poza.png", raw)],
        },
    )
    spent = time.process_time() - started
    assert response.status_code == 200 and 'id="id_photos_error"' in response.content.decode()
    assert "“poza.png” is 6300×6300 pixels" in str(response.context["bundle"].form.errors["photos"])
    assert spent < 0.5  # nothing was decoded (decoding it costs about a second and 160 MB)
    assert not Claim.objects.exists() and not Attachment.objects.exists() and not HeldUpload.objects.exists()


def test_a_16_bit_png_within_the_pixel_limit_is_refused_for_its_depth(owner_client, claim_post):  # noqa: F811
    response = owner_client.post(
        reverse("claim_new"),
        {
            **claim_post(),
            "sales_documents": [SimpleUploadedFile("factura.pdf", pdf_bytes())],
            "photos": [SimpleUploadedFile("adanc.png", png(200, 100, bit_depth=16, color_type=2))],
        },
    )
    assert "“adanc.png” has 16 bits per colour" in text(response.content.decode())
    assert not Claim.objects.exists() and not HeldUpload.objects.exists()


def test_webp_has_its_own_lower_pixel_limit(owner_client, claim_post):  # noqa: F811
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2500, 1500)).save(buffer, "WEBP")
    response = owner_client.post(
        reverse("claim_new"),
        {
            **claim_post(),
            "sales_documents": [SimpleUploadedFile("factura.pdf", pdf_bytes())],
            "photos": [SimpleUploadedFile("mare.webp", buffer.getvalue())],
        },
    )
    assert f"an image may have at most {MAX_WEBP_MEGAPIXELS} megapixels" in str(response.context["bundle"].form.errors)
    assert not Claim.objects.exists()
