"""The claim's printable PDF: the parcel label, cut off and stuck on the box, and the handover document below it."""

import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from .styles import (
    BLUE,
    INK,
    MUTED,
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

# A table row cannot break across pages: the paper carries the start of a long text, the portal all of it.
CLIP_AT = 1500


def clip(text, limit=CLIP_AT):
    text = text or ""
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def qr_code(value, size=36 * mm):
    """A QR code drawing of ``value``, its 4-module quiet zone included in ``size``."""
    drawing = Drawing(size, size)
    drawing.add(QrCodeWidget(value, barWidth=size, barHeight=size, barLevel="M", barBorder=4))
    return drawing


class CutLine(Flowable):
    """A dashed line across the page with scissors and a short instruction in the middle."""

    def __init__(self, text, width=WIDTH):
        super().__init__()
        self.text, self.width, self.height = text, width, 5 * mm

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        f = fonts()
        canvas = self.canv
        y = self.height / 2
        text = f.text(self.text)
        text_width = pdfmetrics.stringWidth(text, f.regular, 7.5)
        gap_from, gap_to = (self.width - text_width) / 2 - 3 * mm, (self.width + text_width) / 2 + 3 * mm
        canvas.saveState()
        canvas.setStrokeColor(MUTED)
        canvas.setLineWidth(0.7)
        canvas.setDash(4, 3)
        canvas.line(7 * mm, y, gap_from, y)
        canvas.line(gap_to, y, self.width, y)
        canvas.setFillColor(MUTED)
        if "✂" in (f.charset or ()):
            canvas.setFont(f.regular, 13)
            canvas.drawString(0, y - 4.5, "✂")
        canvas.setFont(f.regular, 7.5)
        canvas.drawCentredString(self.width / 2, y - 2.5, text)
        canvas.restoreState()


def _parcel_label(claim, claim_url, styles, today):
    """The part cut off and stuck on the parcel: RMA number, barcode, QR code, addresses."""
    left, right = 120 * mm, WIDTH - 120 * mm
    pad = 4 * mm
    service = Paragraph(
        f"<font size='7' color='#5b6570'>{markup(TEXT['TO (RECIPIENT)']())}</font><br/>"
        + "<br/>".join(markup(line) for line in settings.SERVICE_ADDRESS),
        styles["to"],
    )
    sender = Paragraph(
        f"<font size='7' color='#5b6570' name='{fonts().bold}'>{markup(TEXT['FROM (SENDER)']())}</font><br/>"
        + "<br/>".join(markup(line) for line in claim.return_address_lines if str(line).strip()),
        styles["from"],
    )
    qr_cell = [qr_code(claim_url, 36 * mm), para(_("Scan to open the claim"), styles["center_tiny"])]
    rma_cell = [
        para(_("RMA number"), styles["caption"]),
        para(claim.rma_number, styles["rma"]),
        Spacer(1, 2 * mm),
        code128(claim.rma_number, max_width=left - 2 * pad),
    ]
    rows = [
        [para(_("PARCEL LABEL · INNPRO SERVICE"), styles["band"]), para(short_date(today), styles["band_right"])],
        [rma_cell, qr_cell],
        [service, sender],
        [para(_("Unmarked parcels will not be processed."), styles["warn"]), ""],
    ]
    table = Table(rows, colWidths=[left, right])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.6, INK),
                ("BACKGROUND", (0, 0), (-1, 0), INK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 1), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 3 * mm),
                ("ALIGN", (1, 1), (1, 1), "CENTER"),
                ("LEFTPADDING", (1, 1), (1, 1), 0),
                ("RIGHTPADDING", (1, 1), (1, 1), 0),
                ("LINEABOVE", (0, 2), (-1, 2), 0.8, RULE),
                ("LINEBEFORE", (1, 2), (1, 2), 0.8, RULE),
                ("SPAN", (0, 3), (1, 3)),
                ("BACKGROUND", (0, 3), (-1, 3), PALE_RED),
                ("LINEABOVE", (0, 3), (-1, 3), 1.2, RED),
                ("TOPPADDING", (0, 3), (-1, 3), 2.5 * mm),
                ("BOTTOMPADDING", (0, 3), (-1, 3), 2.5 * mm),
            ]
        )
    )
    return table


def _facts_table(claim, styles, today):
    owner, company = claim.owner, claim.company
    facts = [
        (_("Company"), company.legal_name),
        (_("Company VAT id"), company.vat_id or "—"),
        (_("Opened by"), owner.get_full_name() or owner.username),
        (_("Claim type"), str(claim.claim_type)),
        (_("Date"), short_date(today)),
        (_("Claim opened"), short_date(timezone.localtime(claim.created_at))),
    ]
    if claim.own_number:
        facts.append((_("Own claim number"), claim.own_number))
    if claim.waybill:
        facts.append((_("Own waybill / tracking number"), claim.waybill))
    if len(facts) % 2:
        facts.append(("", ""))
    rows = []
    for i in range(0, len(facts), 2):
        (k1, v1), (k2, v2) = facts[i], facts[i + 1]
        rows.append(
            [para(k1, styles["key"]), para(v1, styles["value"]), para(k2, styles["key"]), para(v2, styles["value"])]
        )
    table = Table(rows, colWidths=[33 * mm, 60 * mm, 33 * mm, WIDTH - 126 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 1.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
            ]
        )
    )
    return table


def _lines_table(lines, styles):
    widths = [9 * mm, 48 * mm, 27 * mm, 32 * mm, 12 * mm, 32 * mm]
    widths.append(WIDTH - sum(widths))
    header = [_("#"), _("Product"), _("EAN"), _("Serial number"), _("Qty"), _("Fault type"), _("Document date")]
    rows = [[para(h, styles["th"]) for h in header]]
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), PALE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLUE),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, BLUE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1.6 * mm),
        ("RIGHTPADDING", (0, 0), (-1, -1), 1.6 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6 * mm),
    ]
    for line in lines:
        first = len(rows)
        rows.append(
            [
                para(line.position, styles["cell_bold"]),
                para(line.product.name, styles["cell_bold"]),
                para(line.product.ean, styles["cell"]),
                para(line.serial or "—", styles["cell"]),
                para(line.quantity, styles["cell"]),
                para(str(line.fault_type) if line.fault_type else "—", styles["cell"]),
                para(short_date(line.document_date), styles["cell"]),
            ]
        )
        detail = f"<font name='{fonts().bold}'>{markup(TEXT['Defect:']())}</font> {markup(clip(line.description))}"
        if line.expectations:
            detail += f"<br/><font name='{fonts().bold}'>{markup(TEXT['Expectations:']())}</font> {markup(clip(line.expectations))}"
        rows.append(["", Paragraph(detail, styles["small_muted"]), "", "", "", "", ""])
        commands += [
            ("SPAN", (1, first + 1), (-1, first + 1)),
            ("TOPPADDING", (0, first + 1), (-1, first + 1), 0),
            ("LINEABOVE", (0, first), (-1, first), 0.4, RULE),
        ]
        if (first // 2) % 2 == 0:
            commands.append(("BACKGROUND", (0, first), (-1, first + 1), ZEBRA))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _contents_and_return(claim, styles):
    """Package contents (if given) and the return address side by side."""
    return_address = para(
        ", ".join(str(line) for line in claim.return_address_lines if str(line).strip()), styles["body"]
    )
    cells = [[para(_("Return address"), styles["h2"]), return_address]]
    if claim.package_contents:
        cells.insert(0, [para(_("Package contents"), styles["h2"]), para(claim.package_contents, styles["body"])])
    half = (WIDTH - 8 * mm) / 2
    if len(cells) == 1:
        table = Table([[cells[0]]], colWidths=[WIDTH])
    else:
        table = Table([[cells[0], "", cells[1]]], colWidths=[half, 8 * mm, half])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _signatures(styles):
    half = (WIDTH - 10 * mm) / 2
    table = Table(
        [
            ["", "", ""],
            [
                para(_("Handed over by (name, signature, date)"), styles["small_muted"]),
                "",
                para(_("Received by the service (name, signature, date)"), styles["small_muted"]),
            ],
        ],
        colWidths=[half, 10 * mm, half],
        rowHeights=[12 * mm, None],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (0, 0), 0.6, INK),
                ("LINEBELOW", (2, 0), (2, 0), 0.6, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, 1), 1.5),
            ]
        )
    )
    return table


def render_claim_label(*, claim, lines, claim_url, stamp=""):
    """The claim's printable PDF: a parcel label (cut off, stuck on the box) and the handover document.

    ``lines`` are the claim's ClaimLine objects with ``product`` and ``fault_type`` loaded.
    """
    styles = paragraph_styles()
    today = timezone.localdate()
    buffer = io.BytesIO()
    doc = document(buffer, title=_("Parcel label and handover document %(rma)s") % {"rma": claim.rma_number})
    heading = Table(
        [[para(_("Handover document"), styles["h1"]), para(claim.rma_number, styles["h1_right"])]],
        colWidths=[WIDTH * 0.55, WIDTH * 0.45],
    )
    heading.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, BLUE),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 2 * mm),
            ]
        )
    )
    story = [
        _parcel_label(claim, claim_url, styles, today),
        Spacer(1, 4 * mm),
        CutLine(_("Cut here: stick the label above on the parcel, put this document inside it")),
        Spacer(1, 5 * mm),
        heading,
        Spacer(1, 3 * mm),
        _facts_table(claim, styles, today),
        para(_("Products"), styles["h2"]),
        _lines_table(lines, styles),
    ]
    story += [Spacer(1, 5 * mm), _contents_and_return(claim, styles)]
    story += [Spacer(1, 9 * mm), KeepTogether([_signatures(styles)])]
    footer = f"INNPRO Romania · {claim.rma_number} · {claim_url}"
    doc.build(story, canvasmaker=numbered_canvas(footer, stamp=stamp))
    return buffer.getvalue()
