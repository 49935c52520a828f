"""Printable PDFs: the parcel label + handover document of a claim, and the handover of a parcel of many claims.

reportlab draws the text, the Code128 barcode of the RMA number and the QR code
of the claim page; ``styles`` holds what both documents share. Every text goes
through gettext: the caller activates the language.
"""

from .handover import render_batch_handover
from .parcel import render_claim_label
from .quote import render_quote

__all__ = ["render_batch_handover", "render_claim_label", "render_quote"]
