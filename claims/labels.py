"""Printable PDFs: the parcel label + handover document of a claim, and the handover of a parcel of many claims.

reportlab draws the text, the Code128 barcode of the RMA number and the QR code
of the claim page. DejaVu Sans (shipped in claims/fonts, else the system's or
reportlab's copy) prints Romanian diacritics; without it the documents fall
back to Helvetica with the diacritics taken off the letters (ș -> s).
Every text goes through gettext: the caller activates the language.
"""

import io
import unicodedata
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

# A table row cannot break across pages: the paper carries the start of a long text, the portal all of it.
CLIP_AT = 1500


def _clip(text, limit=CLIP_AT):
    text = text or ""
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


# Labels used inside f-strings, where makemessages cannot see them.
TEXT = {
    "TO (RECIPIENT)": lambda: _("TO (RECIPIENT)"),
    "FROM (SENDER)": lambda: _("FROM (SENDER)"),
    "Defect:": lambda: _("Defect:"),
    "Expectations:": lambda: _("Expectations:"),
    "S/N": lambda: _("S/N"),
    "Own claim number": lambda: _("Own claim number"),
}


PAGE = A4
MARGIN = 12 * mm
WIDTH = PAGE[0] - 2 * MARGIN  # 186 mm of content

INK = colors.HexColor("#1b1f24")
MUTED = colors.HexColor("#5b6570")
BLUE = colors.HexColor("#0b3d6e")
PALE = colors.HexColor("#e8eef5")
RULE = colors.HexColor("#a7b1bc")
ZEBRA = colors.HexColor("#f6f8fa")
RED = colors.HexColor("#b02a37")
PALE_RED = colors.HexColor("#fbeaec")

# Where DejaVu Sans may be found, first hit wins; reportlab's own Vera is the last TrueType resort.
FONT_CANDIDATES = [
    (Path(__file__).resolve().parent / "fonts", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    (Path("/usr/share/fonts/truetype/dejavu"), "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    (Path("/usr/share/fonts/dejavu"), "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    (Path(reportlab.__file__).resolve().parent / "fonts", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    (Path(reportlab.__file__).resolve().parent / "fonts", "Vera.ttf", "VeraBd.ttf"),
]
# Helvetica's WinAnsi encoding: Latin-1 and a few typographic signs.
_WINANSI = (
    frozenset(chr(c) for c in range(0x20, 0x7F)) | frozenset(chr(c) for c in range(0xA0, 0x100)) | set("—–·•’‘“”…€")
)


class _Fonts:
    def __init__(self, regular, bold, charset):
        self.regular, self.bold, self.charset = regular, bold, charset

    def text(self, value):
        """``value`` as a string the font can print: letters it lacks lose their accents, else become '?'."""
        value = str(value if value is not None else "")
        if self.charset is None or all(ch in self.charset or ch in "\n\t" for ch in value):
            return value
        out = []
        for ch in value:
            if ch in self.charset or ch in "\n\t":
                out.append(ch)
                continue
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            out.append(base if base and all(c in self.charset for c in base) else "?")
        return "".join(out)


@lru_cache(maxsize=1)
def fonts():
    """Register the document fonts once per process."""
    for folder, regular, bold in FONT_CANDIDATES:
        regular_path, bold_path = folder / regular, folder / bold
        if not (regular_path.is_file() and bold_path.is_file()):
            continue
        name = "Portal" + Path(regular).stem
        try:
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(regular_path)))
                pdfmetrics.registerFont(TTFont(name + "-Bold", str(bold_path)))
            face = pdfmetrics.getFont(name).face
        except Exception:  # noqa: BLE001 - a broken font file: try the next one
            continue
        charset = frozenset(chr(code) for code in face.charToGlyph)
        return _Fonts(name, name + "-Bold", charset)
    return _Fonts("Helvetica", "Helvetica-Bold", _WINANSI)


def _styles():
    f = fonts()

    def style(name, size, leading, *, bold=False, **options):
        options.setdefault("textColor", INK)
        return ParagraphStyle(name, fontName=f.bold if bold else f.regular, fontSize=size, leading=leading, **options)

    return {
        "small_muted": style("small_muted", 8, 10, textColor=MUTED),
        "body": style("body", 9.5, 12.5),
        "caption": style("caption", 7, 9, bold=True, textColor=MUTED),
        "th": style("th", 7.5, 9.5, bold=True, textColor=BLUE),
        "cell": style("cell", 8, 10),
        "cell_bold": style("cell_bold", 8, 10, bold=True),
        "key": style("key", 8, 11, bold=True, textColor=MUTED),
        "value": style("value", 9.5, 11.5),
        "h1": style("h1", 15, 19, bold=True, textColor=BLUE),
        "h1_right": style("h1_right", 15, 19, bold=True, alignment=TA_RIGHT),
        "h2": style("h2", 10.5, 13, bold=True, textColor=BLUE, spaceBefore=9, spaceAfter=4),
        "rma": style("rma", 30, 34, bold=True),
        "band": style("band", 8.5, 11, bold=True, textColor=colors.white),
        "band_right": style("band_right", 8.5, 11, textColor=colors.white, alignment=TA_RIGHT),
        "warn": style("warn", 11, 14, bold=True, alignment=TA_CENTER, textColor=RED),
        "to": style("to", 12.5, 16, bold=True),
        "from": style("from", 9.5, 12.5),
        "center_tiny": style("center_tiny", 7, 8.5, textColor=MUTED, alignment=TA_CENTER),
    }


def _markup(text):
    """Escaped, font-safe paragraph markup; newlines become line breaks."""
    return escape(fonts().text(text)).replace("\n", "<br/>")


def _p(text, style):
    return Paragraph(_markup(text), style)


def _date(value):
    return value.strftime("%d.%m.%Y") if value else "—"


def code128(value, *, max_width, bar_width=0.5 * mm, min_bar_width=0.3 * mm, height=16 * mm):
    """A Code128 barcode flowable (with quiet zones) as wide as ``bar_width`` allows within ``max_width``."""

    def build(width):
        barcode = Code128(value, barWidth=width, barHeight=height, quiet=True, humanReadable=False)
        barcode.wrap(max_width, height)
        return barcode

    barcode = build(bar_width)
    if barcode.width > max_width:
        barcode = build(max(min_bar_width, bar_width * max_width / barcode.width))
    return barcode


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


def _numbered_canvas(footer_left):
    """A canvas class that writes "footer_left · Page n of N" at the bottom of every page."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total):
            f = fonts()
            text = f.text(_("Page %(page)d of %(pages)d") % {"page": self._pageNumber, "pages": total})
            self.saveState()
            self.setFont(f.regular, 7)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, 7 * mm, f.text(footer_left))
            self.drawRightString(PAGE[0] - MARGIN, 7 * mm, text)
            self.restoreState()

    return NumberedCanvas


def _document(buffer, *, title):
    """An A4 portrait document whose single frame has no inner padding: tables and text share one left edge."""
    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 3 * mm,
        title=fonts().text(title),
        author="INNPRO Romania",
        creator="INNPRO RMA portal",
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    return doc


def _parcel_label(claim, claim_url, styles, today):
    """The part cut off and stuck on the parcel: RMA number, barcode, QR code, addresses."""
    left, right = 120 * mm, WIDTH - 120 * mm
    pad = 4 * mm
    service = Paragraph(
        f"<font size='7' color='#5b6570'>{_markup(TEXT['TO (RECIPIENT)']())}</font><br/>"
        + "<br/>".join(_markup(line) for line in settings.SERVICE_ADDRESS),
        styles["to"],
    )
    sender = Paragraph(
        f"<font size='7' color='#5b6570' name='{fonts().bold}'>{_markup(TEXT['FROM (SENDER)']())}</font><br/>"
        + "<br/>".join(_markup(line) for line in claim.return_address_lines if str(line).strip()),
        styles["from"],
    )
    qr_cell = [qr_code(claim_url, 36 * mm), _p(_("Scan to open the claim"), styles["center_tiny"])]
    rma_cell = [
        _p(_("RMA number"), styles["caption"]),
        _p(claim.rma_number, styles["rma"]),
        Spacer(1, 2 * mm),
        code128(claim.rma_number, max_width=left - 2 * pad),
    ]
    rows = [
        [_p(_("PARCEL LABEL · INNPRO SERVICE"), styles["band"]), _p(_date(today), styles["band_right"])],
        [rma_cell, qr_cell],
        [service, sender],
        [_p(_("Unmarked parcels will not be processed."), styles["warn"]), ""],
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
        (_("Date"), _date(today)),
        (_("Claim opened"), _date(timezone.localtime(claim.created_at))),
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
        rows.append([_p(k1, styles["key"]), _p(v1, styles["value"]), _p(k2, styles["key"]), _p(v2, styles["value"])])
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
    rows = [[_p(h, styles["th"]) for h in header]]
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
                _p(line.position, styles["cell_bold"]),
                _p(line.product.name, styles["cell_bold"]),
                _p(line.product.ean, styles["cell"]),
                _p(line.serial or "—", styles["cell"]),
                _p(line.quantity, styles["cell"]),
                _p(str(line.fault_type) if line.fault_type else "—", styles["cell"]),
                _p(_date(line.document_date), styles["cell"]),
            ]
        )
        detail = f"<font name='{fonts().bold}'>{_markup(TEXT['Defect:']())}</font> {_markup(_clip(line.description))}"
        if line.expectations:
            detail += f"<br/><font name='{fonts().bold}'>{_markup(TEXT['Expectations:']())}</font> {_markup(_clip(line.expectations))}"
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
    return_address = _p(
        ", ".join(str(line) for line in claim.return_address_lines if str(line).strip()), styles["body"]
    )
    cells = [[_p(_("Return address"), styles["h2"]), return_address]]
    if claim.package_contents:
        cells.insert(0, [_p(_("Package contents"), styles["h2"]), _p(claim.package_contents, styles["body"])])
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
                _p(_("Handed over by (name, signature, date)"), styles["small_muted"]),
                "",
                _p(_("Received by the service (name, signature, date)"), styles["small_muted"]),
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


def render_claim_label(*, claim, lines, claim_url):
    """The claim's printable PDF: a parcel label (cut off, stuck on the box) and the handover document.

    ``lines`` are the claim's ClaimLine objects with ``product`` and ``fault_type`` loaded.
    """
    styles = _styles()
    today = timezone.localdate()
    buffer = io.BytesIO()
    doc = _document(buffer, title=_("Parcel label and handover document %(rma)s") % {"rma": claim.rma_number})
    heading = Table(
        [[_p(_("Handover document"), styles["h1"]), _p(claim.rma_number, styles["h1_right"])]],
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
        _p(_("Products"), styles["h2"]),
        _lines_table(lines, styles),
    ]
    story += [Spacer(1, 5 * mm), _contents_and_return(claim, styles)]
    story += [Spacer(1, 9 * mm), KeepTogether([_signatures(styles)])]
    footer = f"INNPRO Romania · {claim.rma_number} · {claim_url}"
    doc.build(story, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()


def render_batch_handover(*, claims, base_url, owner, company):
    """One handover document for a parcel carrying many claims: every RMA number with its barcode.

    ``claims`` are Claim objects with ``lines`` (and their products) prefetched; any number, over many pages.
    """
    styles = _styles()
    today = timezone.localdate()
    buffer = io.BytesIO()
    doc = _document(buffer, title=_("Handover document"))

    person = owner.get_full_name() or owner.username
    facts = Table(
        [
            [_p(_("Company"), styles["key"]), _p(company.legal_name, styles["value"])],
            [_p(_("Company VAT id"), styles["key"]), _p(company.vat_id or "—", styles["value"])],
            [_p(_("Imported by"), styles["key"]), _p(person, styles["value"])],
            [_p(_("Date"), styles["key"]), _p(_date(today), styles["value"])],
            [_p(_("Claims in the parcel"), styles["key"]), _p(str(len(claims)), styles["value"])],
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
        f"<font size='7' color='#5b6570' name='{fonts().bold}'>{_markup(TEXT['TO (RECIPIENT)']())}</font><br/>"
        + "<br/>".join(_markup(line) for line in settings.SERVICE_ADDRESS),
        styles["from"],
    )
    title = Table([[_p(_("Handover document"), styles["h1"])]], colWidths=[WIDTH])
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
            [_p(_("Unmarked parcels will not be processed."), styles["warn"]), ""],
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
    rows = [[_p(h, styles["th"]) for h in (_("#"), _("RMA number"), _("Barcode"), _("Products and serial numbers"))]]
    for number, claim in enumerate(claims, start=1):
        products = []
        for line in claim.lines.all():
            entry = f"<font name='{fonts().bold}'>{_markup(line.product.name)}</font>"
            if line.quantity and line.quantity > 1:
                entry += f" × {line.quantity}"
            if line.serial:
                entry += f"<br/><font color='#5b6570'>{_markup(TEXT['S/N']())} {_markup(line.serial)}</font>"
            products.append(entry)
        if claim.own_number:
            products.append(
                f"<font color='#5b6570'>{_markup(TEXT['Own claim number']())}: {_markup(claim.own_number)}</font>"
            )
        rows.append(
            [
                _p(number, styles["cell"]),
                _p(claim.rma_number, styles["cell_bold"]),
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
    ]
    commands += [("BACKGROUND", (0, row), (-1, row), ZEBRA) for row in range(2, len(rows), 2)]
    table.setStyle(TableStyle(commands))
    footer = _("%(partner)s · handover of %(count)d claims · %(date)s") % {
        "partner": company.legal_name,
        "count": len(claims),
        "date": _date(today),
    }
    if base_url:
        footer += f" · {base_url}"
    doc.build([title, Spacer(1, 4 * mm), header, Spacer(1, 5 * mm), table], canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()
