import datetime
import io

import factory
from django.core.files.base import ContentFile
from PIL import Image

from accounts.tests.factories import UserFactory
from claims.models import Attachment, AttachmentKind, Claim, ClaimLine, ClaimType, Status
from claims.services import allocate_rma_number
from warranty.tests.factories import ProductFactory


class ClaimTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimType
        django_get_or_create = ["code"]

    code = "warranty"
    name = "Warranty repair"


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    owner = factory.SubFactory(UserFactory)
    company = factory.LazyAttribute(lambda o: o.owner.membership.company)
    claim_type = factory.SubFactory(ClaimTypeFactory)
    status = Status.REGISTERED
    return_name = "Electro Demo SRL"
    return_street = "Bd. Unirii nr. 10"
    return_postal_code = "030823"
    return_city = "Bucuresti"
    return_country = "RO"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        year, seq, number = allocate_rma_number()
        kwargs.update(rma_year=year, rma_seq=seq, rma_number=number)
        return super()._create(model_class, *args, **kwargs)


class ClaimLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimLine

    claim = factory.SubFactory(ClaimFactory)
    position = factory.Sequence(lambda n: n + 1)
    product = factory.SubFactory(ProductFactory)
    serial = factory.Sequence(lambda n: f"SER{n:06d}")
    document_date = datetime.date(2026, 10, 1)
    description = "Does not turn on."


def pdf_bytes():
    """A real one-page PDF, as a scanned invoice would be."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Factura FV-2026-001")
    pdf.save()
    return buffer.getvalue()


def png_bytes(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A stored PDF sales document of a claim."""

    class Meta:
        model = Attachment

    claim = factory.SubFactory(ClaimFactory)
    kind = AttachmentKind.SALES_DOCUMENT
    original_name = "f.pdf"
    content_type = "application/pdf"
    file = factory.LazyAttribute(lambda a: ContentFile(pdf_bytes(), name=a.original_name))
    size = factory.LazyAttribute(lambda a: a.file.size)
