"""The handover document of a parcel carrying many claims (the CSV import): every RMA number with its barcode."""

import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from .styles import (
    BLUE,
    PALE,
    PALE_RED,
    RED,
    RULE,
    TEXT,
    WIDTH,
    ZEBRA,
    code128,
    document,
    fonts,
    markup,
    numbered_canvas,
    para,
    paragraph_styles,
    short_date,
)


def render_batch_handover(*, claims, base_url, owner, company):
    """One handover document for a parcel carrying many claims: every RMA number with its barcode.

    ``claims`` are Claim objects with ``lines`` (and their products) prefetched; any number, over many pages.
    """
    styles = paragraph_styles()
    today = timezone.localdate()
    buffer = io.BytesIO()
    doc = document(buffer, title=_("Handover document"))

    person = owner.get_full_name() or owner.username
    facts = Table(
        [
            [para(_("Company"), styles["key"]), para(company.legal_name, styles["value"])],
            [para(_("Company VAT id"), styles["key"]), para(company.vat_id or "—", styles["value"])],
            [para(_("Imported by"), styles["key"]), para(person, styles["value"])],
            [para(_("Date"), styles["key"]), para(short_date(today), styles["value"])],
            [para(_("Claims in the parcel"), styles["key"]), para(str(len(claims)), styles["value"])],
        ],
        colWidths=[34 * mm, 70 * mm],
    )
    facts.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    service = Paragraph(
        f"<font size='7' color='#5b6570' name='{fonts().bold}'>{markup(TEXT['TO (RECIPIENT)']())}</font><br/>"
        + "<br/>".join(markup(line) for line in settings.SERVICE_ADDRESS),
        styles["from"],
    )
    title = Table([[para(_("Handover document"), styles["h1"])]], colWidths=[WIDTH])
    title.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, BLUE),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 2 * mm),
            ]
        )
    )
    header = Table(
        [
            [facts, service],
            [para(_("Unmarked parcels will not be processed."), styles["warn"]), ""],
        ],
        colWidths=[110 * mm, WIDTH - 110 * mm],
    )
    header.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 1), (1, 1)),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, 0), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 3 * mm),
                ("BOX", (1, 0), (1, 0), 0.8, RULE),
                ("LEFTPADDING", (1, 0), (1, 0), 3 * mm),
                ("RIGHTPADDING", (1, 0), (1, 0), 3 * mm),
                ("BACKGROUND", (0, 1), (-1, 1), PALE_RED),
                ("LINEABOVE", (0, 1), (-1, 1), 1.2, RED),
                ("TOPPADDING", (0, 1), (-1, 1), 2 * mm),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 2 * mm),
            ]
        )
    )

    widths = [9 * mm, 33 * mm, 80 * mm]
    widths.append(WIDTH - sum(widths))
    rows = [[para(h, styles["th"]) for h in (_("#"), _("RMA number"), _("Barcode"), _("Products and serial numbers"))]]
    for number, claim in enumerate(claims, start=1):
        products = []
        for line in claim.lines.all():
            entry = f"<font name='{fonts().bold}'>{markup(line.product.name)}</font>"
            if line.quantity and line.quantity > 1:
                entry += f" × {line.quantity}"
            if line.serial:
                entry += f"<br/><font color='#5b6570'>{markup(TEXT['S/N']())} {markup(line.serial)}</font>"
            products.append(entry)
        if claim.own_number:
            products.append(
                f"<font color='#5b6570'>{markup(TEXT['Own claim number']())}: {markup(claim.own_number)}</font>"
            )
        rows.append(
            [
                para(number, styles["cell"]),
                para(claim.rma_number, styles["cell_bold"]),
                code128(claim.rma_number, max_width=widths[2] - 2 * mm, bar_width=0.38 * mm, height=10 * mm),
                Paragraph("<br/>".join(products) or "—", styles["cell"]),
            ]
        )
    table = Table(rows, colWidths=widths, repeatRows=1)
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), PALE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLUE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, 1), (2, -1), "LEFT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1.6 * mm),
        ("RIGHTPADDING", (0, 0), (-1, -1), 1.6 * mm),
        ("TOPPADDING", (0, 1), (-1, -1), 2 * mm),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 2 * mm),
        ("LEFTPADDING", (2, 1), (2, -1), 0),
        # One command for the stripes: a command a row is copied at every page break (minutes for 5,000 claims).
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [None, ZEBRA]),
    ]
    table.setStyle(TableStyle(commands))
    footer = _("%(partner)s · handover of %(count)d claims · %(date)s") % {
        "partner": company.legal_name,
        "count": len(claims),
        "date": short_date(today),
    }
    if base_url:
        footer += f" · {base_url}"
    doc.build([title, Spacer(1, 4 * mm), header, Spacer(1, 5 * mm), table], canvasmaker=numbered_canvas(footer))
    return buffer.getvalue()
