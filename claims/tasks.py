from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import translation

from . import services, tallies
from .labels import render_batch_handover
from .models import Claim, ImportBatch


@shared_task
def purge_held_uploads():
    """Housekeeping (Celery beat): kept claim-form files past their hold time."""
    return services.held_uploads_purge_expired()


@shared_task
def purge_claim_submissions():
    """Housekeeping (Celery beat): spent claim-form tokens past their maximum age."""
    return services.claim_submissions_purge_expired()


@shared_task
def compact_claim_tallies():
    """Housekeeping (Celery beat): fold the delta rows of the claim counts, one row per (company, status)."""
    return tallies.compact_tallies()


@shared_task
def number_placeholder_claims():
    """Housekeeping (Celery beat): claims an import left unnumbered (it stopped before numbering them)."""
    return services.claims_number_placeholders()


@shared_task
def build_batch_handover(batch_id, base_url, language):
    """Render the handover document of a CSV import (hundreds of barcodes) away from the web process."""
    batch = ImportBatch.objects.select_related("owner", "company").filter(pk=batch_id).first()
    if batch is None or batch.handover_pdf:
        return False
    if Claim.objects.filter(import_batch=batch, rma_year=0).exists():
        return False  # not numbered yet (the import stopped): a later request queues it again
    claims = list(
        Claim.objects.filter(import_batch=batch).prefetch_related("lines__product").order_by("rma_year", "rma_seq")
    )
    with translation.override(language):
        pdf = render_batch_handover(claims=claims, base_url=base_url, owner=batch.owner, company=batch.company)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if not batch.handover_pdf:
            batch.handover_pdf.save(f"handover-{batch.pk}.pdf", ContentFile(pdf), save=True)
    return True


def queue_batch_handover(batch, language):
    """Queue the one render of ``batch``'s handover document once the caller's transaction commits."""
    if not services.handover_render_claim(batch=batch):
        return False
    batch_id, base_url = batch.pk, settings.PORTAL_URL
    transaction.on_commit(lambda: build_batch_handover.delay(batch_id, base_url, language))
    return True
