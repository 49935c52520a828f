"""What the parcel label and the batch handover share: page, colours, fonts, paragraph styles, text helpers,
the Code128 barcode, the numbered-page canvas and the document frame.

DejaVu Sans (shipped in claims/fonts, else the system's or reportlab's copy)
prints Romanian diacritics; without it the documents fall back to Helvetica
with the diacritics taken off the letters (ș -> s).
"""

import unicodedata
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

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
    (Path(__file__).resolve().parent.parent / "fonts", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
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


def paragraph_styles():
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


def markup(text):
    """Escaped, font-safe paragraph markup; newlines become line breaks."""
    return escape(fonts().text(text)).replace("\n", "<br/>")


def para(text, style):
    return Paragraph(markup(text), style)


def short_date(value):
    """The date in the active language's short format (rma_portal/formats/): 14.03.2026, 14 Mar 2026."""
    return date_format(value, "SHORT_DATE_FORMAT") if value else "—"


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


def numbered_canvas(footer_left, stamp=""):
    """A canvas class that writes "footer_left · Page n of N" at the bottom of every page.

    ``stamp`` ("CANCELLED", "CLOSED") is written large across every page: the document is no longer valid.
    """

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
            if stamp:
                self.saveState()
                self.setFont(f.bold, 72)
                self.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.35))
                self.translate(PAGE[0] / 2, PAGE[1] / 2)
                self.rotate(35)
                self.drawCentredString(0, 0, f.text(stamp))
                self.restoreState()

    return NumberedCanvas


def document(buffer, *, title):
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
