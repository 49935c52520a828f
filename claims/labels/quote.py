"""A quote for a paid repair as a PDF the partner can file or forward (reportlab, like the parcel label)."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from .styles import WIDTH, document, numbered_canvas, para, paragraph_styles, short_date


def render_quote(*, claim, lines, claim_url):
    """The quote of ``claim``: amount, VAT, validity, what it covers and the products it is for."""
    styles = paragraph_styles()
    buffer = io.BytesIO()
    doc = document(buffer, title=_("Quote %(rma)s") % {"rma": claim.rma_number})
    vat = _("VAT included") if claim.quote_vat_included else _("VAT not included")
    valid = short_date(claim.quote_valid_until) if claim.quote_valid_until else "—"
    facts = [
        [para(_("Claim"), styles["key"]), para(claim.rma_number, styles["value"])],
        [para(_("Company"), styles["key"]), para(claim.company.legal_name, styles["value"])],
        [
            para(_("Amount"), styles["key"]),
            para(f"{claim.quote_amount} {claim.quote_currency} · {vat}", styles["value"]),
        ],
        [para(_("Valid until"), styles["key"]), para(valid, styles["value"])],
        [para(_("Decision"), styles["key"]), para(str(claim.get_quote_decision_display() or "—"), styles["value"])],
        [para(_("Issued"), styles["key"]), para(short_date(timezone.localdate()), styles["value"])],
    ]
    table = Table(facts, colWidths=[WIDTH * 0.3, WIDTH * 0.7])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    products = [
        para(f"{line.position}. {line.product.name}" + (f" · {line.serial}" if line.serial else ""), styles["body"])
        for line in lines
    ]
    story = [
        para(_("Quote for a paid repair"), styles["h1"]),
        Spacer(1, 4 * mm),
        table,
        para(_("What the quote covers"), styles["h2"]),
        para(claim.quote_text or "—", styles["body"]),
        para(_("Products"), styles["h2"]),
        *products,
        Spacer(1, 6 * mm),
        para(_("Accept or decline it on the claim page."), styles["small_muted"]),
    ]
    doc.build(story, canvasmaker=numbered_canvas(f"INNPRO Romania · {claim.rma_number} · {claim_url}"))
    return buffer.getvalue()
