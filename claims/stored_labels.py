"""The claim's label PDF, kept once rendered and rendered again only when something it shows changes.

Rendering the label (reportlab, a barcode and a QR code) costs far more than a page. What it shows is
the claim, its company and creator, its lines with their products and fault types, the service's address,
the claim's URL, the language and the day it is printed. A hash of all of these is kept with the stored
copy: a change anywhere (a status, a line, an address, tomorrow's date) gives another hash, so no service
has to remember to invalidate the label.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from .labels import render_claim_label
from .models import Claim, ClaimLine

# Raise when the label's layout changes: every stored label is then drawn again.
LABEL_LAYOUT_VERSION = "1"


def _values(obj) -> list[str]:
    return [repr(getattr(obj, f.attname)) for f in obj._meta.concrete_fields if not f.name.startswith("label_")]


def label_hash(*, claim: Claim, lines: Sequence[ClaimLine], claim_url: str, stamp: str = "") -> str:
    parts = [
        LABEL_LAYOUT_VERSION,
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        claim_url,
        str(stamp),
        repr(settings.SERVICE_ADDRESS),
        *_values(claim),
        *_values(claim.owner),
        *_values(claim.company),
    ]
    for line in lines:
        parts += _values(line) + _values(line.product)
        parts += _values(line.fault_type) if line.fault_type else ["-"]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def claim_label_pdf(*, claim: Claim, lines: Sequence[ClaimLine], claim_url: str, stamp: str = "") -> bytes:
    """The label's PDF: the stored copy when it shows what the label would show now, else a new one (stored)."""
    digest = label_hash(claim=claim, lines=lines, claim_url=claim_url, stamp=stamp)
    if claim.label_pdf and claim.label_hash == digest:
        try:
            with claim.label_pdf.open("rb") as stored:
                return stored.read()
        except FileNotFoundError:
            pass
    pdf = render_claim_label(claim=claim, lines=lines, claim_url=claim_url, stamp=stamp)
    old_name = claim.label_pdf.name if claim.label_pdf else ""
    storage = claim.label_pdf.storage
    name = storage.save(f"labels/{claim.pk}-{digest[:16]}.pdf", ContentFile(pdf))
    # update(), not save(): a label request must not write back fields someone else changed meanwhile.
    Claim.objects.filter(pk=claim.pk).update(label_pdf=name, label_hash=digest)
    claim.label_pdf.name, claim.label_hash = name, digest
    if old_name and old_name != name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return pdf
