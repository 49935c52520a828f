"""Uploaded files are checked by their content, never by their name or browser-sent type.

Accepted: the ``ALLOWED_TYPES``, PDF documents and JPEG, PNG or WebP images. An
image must decode in full, and its size (read from the header before any pixel
is decoded) may not exceed ``MAX_IMAGE_PIXELS``, so a small "decompression
bomb" cannot exhaust the server's memory. Whatever fails any check is refused
with a RuleViolation naming the file; no file, however malformed, makes the
check raise anything else. A file that passes becomes a ``CheckedUpload``.
"""

from __future__ import annotations

import logging
import re
import struct
import unicodedata
import warnings
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files import File
from django.forms.widgets import FILE_INPUT_CONTRADICTION
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdf import PdfReader

from core.errors import RuleViolation
from core.text import lazy_format, or_list

# The limits of attached files: help texts, ``accept`` attributes and messages are built from these.
MAX_FILE_SIZE = 10 * 1024 * 1024  # 10 MB a file
MAX_FILE_MB = MAX_FILE_SIZE // (1024 * 1024)
MAX_FILES_PER_CLAIM = 10
# Our own cap, far below Pillow's decompression-bomb warning (about 89 megapixels) and error (about 179),
# chosen so that a claim's worst accepted files decode within the budget of scripts/bench_uploads.py
# (2 s of CPU, 300 MB): 16 megapixels is a 4900×3260 photo, more than a phone camera's default.
MAX_IMAGE_PIXELS = 16_000_000
MAX_IMAGE_MEGAPIXELS = MAX_IMAGE_PIXELS // 1_000_000
# WebP cannot be decoded at a reduced scale (JPEG can) and costs about 40 ms a megapixel: a lower cap.
MAX_WEBP_PIXELS = 3_000_000
MAX_WEBP_MEGAPIXELS = MAX_WEBP_PIXELS // 1_000_000
# 8 bits a channel only: 16-bit images (and float or 32-bit integer modes) cost several times as much to decode.
IMAGE_MODES = frozenset({"1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr"})
# Files kept from failed claim forms, per person, until they are used or their hold time ends.
MAX_HELD_FILES_PER_USER = 20
MAX_HELD_BYTES_PER_USER = 30 * 1024 * 1024
MAX_HELD_MB = MAX_HELD_BYTES_PER_USER // (1024 * 1024)


@dataclass(frozen=True)
class FileType:
    """A kind of file we accept: its content type, the extension it is stored with, its name for people."""

    content_type: str
    extension: str
    label: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


PDF = FileType("application/pdf", ".pdf", "PDF")
JPEG = FileType("image/jpeg", ".jpg", "JPEG")
PNG = FileType("image/png", ".png", "PNG")
WEBP = FileType("image/webp", ".webp", "WebP")
ALLOWED_TYPES: tuple[FileType, ...] = (PDF, JPEG, PNG, WEBP)
TYPES_BY_CONTENT_TYPE: dict[str, FileType] = {t.content_type: t for t in ALLOWED_TYPES}
ALLOWED_CONTENT_TYPES: tuple[str, ...] = tuple(TYPES_BY_CONTENT_TYPE)
ACCEPT = ",".join(ALLOWED_CONTENT_TYPES)  # the ``accept`` attribute of every attachment input
# Pillow format name -> type. Only these plugins are ever asked to open an upload.
IMAGE_FORMATS: dict[str, FileType] = {"JPEG": JPEG, "PNG": PNG, "WEBP": WEBP}

TYPE_NAMES = or_list([t.label for t in ALLOWED_TYPES])  # "PDF, JPEG, PNG or WebP"
IMAGE_TYPE_NAMES = ", ".join(t.label for t in ALLOWED_TYPES if t.is_image)  # "JPEG, PNG, WebP"
FILES_HELP = lazy_format(_("%(types)s, up to %(mb)d MB a file."), types=TYPE_NAMES, mb=MAX_FILE_MB)
ONE_FILE_HELP = lazy_format(_("%(types)s, up to %(mb)d MB."), types=TYPE_NAMES, mb=MAX_FILE_MB)


def max_pixels_for(image_format: str) -> int:
    """The most pixels an image of this Pillow format may have."""
    return MAX_WEBP_PIXELS if image_format == "WEBP" else MAX_IMAGE_PIXELS


def extension_for(content_type: str) -> str:
    """The extension a stored file of this content type gets ("" for a type we do not accept)."""
    file_type = TYPES_BY_CONTENT_TYPE.get(content_type)
    return file_type.extension if file_type else ""


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file that passed the content checks, with what they found.

    ``file`` is Django's uploaded file, untouched; ``name`` is its name made
    safe for display. Nothing is added to ``file`` itself.
    """

    file: File
    type: FileType
    name: str
    size: int

    @property
    def content_type(self) -> str:
        return self.type.content_type

    @property
    def extension(self) -> str:
        return self.type.extension

    @property
    def is_image(self) -> bool:
        return self.type.is_image


PDF_MAGIC = b"%PDF-"
PDF_MAGIC_WINDOW = 1024  # some producers put junk before the header; readers accept it within 1 KB
PDF_EOF = b"%%EOF"
PDF_EOF_WINDOW = 2048

# Everything a broken or hostile file can make Pillow raise while opening, verifying or decoding it.
PILLOW_ERRORS = (
    OSError,  # includes UnidentifiedImageError and "image file is truncated"
    SyntaxError,  # PNG chunk and CRC errors
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    EOFError,
    ZeroDivisionError,
    struct.error,
    MemoryError,
    Image.DecompressionBombError,
)


class ImageTooDeep(Exception):
    """A 16-bit or otherwise costly colour mode, seen in the header."""


class ImageTooLarge(Exception):
    def __init__(self, width: int | None = None, height: int | None = None, limit: int = MAX_IMAGE_PIXELS) -> None:
        super().__init__(width, height)
        self.width, self.height, self.limit = width, height, limit


def _display_name(uploaded: File) -> str:
    name = getattr(uploaded, "name", None) or gettext("file")
    return safe_download_name(name)


def _file_size(uploaded: IO[bytes]) -> int:
    size = getattr(uploaded, "size", None)
    if size is None:
        uploaded.seek(0, 2)
        size = uploaded.tell()
        uploaded.seek(0)
    return size


def _is_pdf(uploaded: IO[bytes], size: int) -> bool:
    """A PDF by its markers, and one that a PDF library parses, with at least one page.

    The markers alone let through HTML that carries ``%PDF-`` in a comment and ends in ``%%EOF``.
    """
    try:
        uploaded.seek(0)
        head = uploaded.read(PDF_MAGIC_WINDOW + len(PDF_MAGIC))
        if PDF_MAGIC not in head:
            return False
        uploaded.seek(max(size - PDF_EOF_WINDOW, 0))
        tail = uploaded.read(PDF_EOF_WINDOW)
        if PDF_EOF not in tail:
            return False
        uploaded.seek(0)
        logging.disable(logging.WARNING)  # pypdf reports every repaired oddity of a real-world PDF
        try:
            return len(PdfReader(uploaded, strict=False).pages) >= 1
        finally:
            logging.disable(logging.NOTSET)
    except Exception:  # noqa: BLE001 - whatever a hostile file makes the parser raise means "not a PDF"
        return False
    finally:
        uploaded.seek(0)


def _image_type(uploaded: IO[bytes]) -> FileType | None:
    """The image's type, or None if it is not a sound JPEG, PNG or WebP. Raises ImageTooLarge."""
    try:
        with warnings.catch_warnings():
            # Pillow warns (and, past twice its limit, raises) before decoding a huge image: make both errors.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            uploaded.seek(0)
            with Image.open(uploaded, formats=list(IMAGE_FORMATS)) as image:
                file_type = IMAGE_FORMATS.get(image.format or "")
                if file_type is None:
                    return None
                # Width and height come from the header: nothing is decoded yet.
                width, height = image.size
                if width <= 0 or height <= 0:
                    return None
                if width * height > max_pixels_for(image.format or ""):
                    raise ImageTooLarge(width, height, max_pixels_for(image.format or ""))
                # The mode and the raw sample layout come from the header too: a 16-bit PNG says "RGBA;16B".
                if image.mode not in IMAGE_MODES or any(";16" in str(tile.args) for tile in image.tile):
                    raise ImageTooDeep()
                image.verify()
            # verify() leaves the image unusable; decode every pixel of a fresh copy.
            uploaded.seek(0)
            with Image.open(uploaded, formats=list(IMAGE_FORMATS)) as image:
                if image.size != (width, height):
                    return None
                if image.format == "JPEG":
                    # Every coefficient is still read and checked, the pixels built at 1/8 scale: 60 times cheaper.
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
            return file_type
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge() from None
    except (ImageTooDeep, ImageTooLarge):
        raise
    except PILLOW_ERRORS:
        return None
    except Exception:  # noqa: BLE001 - a plugin bug on a hostile file must still mean "refused", never a 500
        return None
    finally:
        uploaded.seek(0)


def check_upload(uploaded: File) -> CheckedUpload:
    """The upload with the type found in its content, or RuleViolation naming the file.

    The type is one of ``ALLOWED_TYPES``; the file's name and the type the
    browser sent are ignored. The file is left at position 0.
    """
    name = _display_name(uploaded)
    size = _file_size(uploaded)
    if not size:
        raise RuleViolation(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    if size > MAX_FILE_SIZE:
        raise RuleViolation(
            _("“%(name)s” is larger than %(mb)d MB.") % {"name": name, "mb": MAX_FILE_MB}, code="too_big"
        )
    if _is_pdf(uploaded, size):
        return CheckedUpload(file=uploaded, type=PDF, name=name, size=size)
    try:
        file_type = _image_type(uploaded)
    except ImageTooLarge as too_large:
        if too_large.width and too_large.height:
            raise RuleViolation(
                _("“%(name)s” is %(width)d×%(height)d pixels; an image may have at most %(mp)d megapixels.")
                % {
                    "name": name,
                    "width": too_large.width,
                    "height": too_large.height,
                    "mp": too_large.limit // 1_000_000,
                },
                code="too_many_pixels",
            ) from None
        raise RuleViolation(
            _("“%(name)s” is too large an image; an image may have at most %(mp)d megapixels.")
            % {"name": name, "mp": MAX_IMAGE_MEGAPIXELS},
            code="too_many_pixels",
        ) from None
    except ImageTooDeep:
        raise RuleViolation(
            _(
                "“%(name)s” has 16 bits per colour or an unusual colour mode. "
                "Save it as an ordinary JPEG or PNG (8 bits per colour) and choose it again."
            )
            % {"name": name},
            code="too_deep",
        ) from None
    if file_type:
        return CheckedUpload(file=uploaded, type=file_type, name=name, size=size)
    raise RuleViolation(
        _("“%(name)s” is not a PDF or an image (%(images)s), or it is damaged.")
        % {"name": name, "images": IMAGE_TYPE_NAMES},
        code="bad_type",
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked by content with ``check_upload``.

    Cleans to a list of ``CheckedUpload``. When any file is bad, the field's
    error lists every bad file, each message naming its file. The input
    offers only the accepted types (``accept``).
    """

    default_error_messages = {
        "too_many": _("Choose at most %(max)d files here (you chose %(count)d)."),
    }

    def __init__(self, *args: Any, max_files: int = MAX_FILES_PER_CLAIM, **kwargs: Any) -> None:
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CheckedUpload]:
        if data is FILE_INPUT_CONTRADICTION:
            raise ValidationError(self.error_messages["contradiction"], code="contradiction")
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required and not initial:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": self.max_files, "count": len(files)}
            )
        errors: list[ValidationError] = []
        checked: list[CheckedUpload] = []
        for uploaded in files:
            try:
                # FileField's own checks (a real upload, name length); its messages do not name the file.
                super().clean(uploaded, initial)
            except ValidationError as error:
                name = _display_name(uploaded)
                errors.extend(
                    ValidationError(
                        _("“%(name)s”: %(error)s"), code=error.code or "invalid", params={"name": name, "error": m}
                    )
                    for m in error.messages
                )
                continue
            try:
                checked.append(check_upload(uploaded))
            except RuleViolation as error:
                errors.append(ValidationError(error.message, code=error.code))
        if errors:
            raise ValidationError(errors)
        return checked


# Other spellings of an accepted type's extension that may stay.
_EXTENSION_ALIASES = {".jpg": (".jpg", ".jpeg"), ".pdf": (".pdf",), ".png": (".png",), ".webp": (".webp",)}


def _with_extension(name: str, content_type: str) -> str:
    """``name`` ending in the extension of the type found in the content: "Factura.pdf.hta" -> "Factura.pdf"."""
    extension = extension_for(content_type) or ".bin"
    if name.lower().endswith(_EXTENSION_ALIASES.get(extension, (extension,))):
        return name
    stem, dot, last = name.rpartition(".")
    if dot and stem and re.fullmatch(r"[A-Za-z0-9]{1,5}", last):
        name = stem.rstrip(" .") or "file"
        if name.lower().endswith(_EXTENSION_ALIASES.get(extension, (extension,))):
            return name
    return name + extension


_UNSAFE_IN_NAME = re.compile(r'[<>:"/\\|?*;]')


def safe_download_name(name: str | None, *, content_type: str | None = None, max_length: int = 150) -> str:
    """A file name fit for Content-Disposition and for display: no path, control or direction characters.

    Keeps letters of any script (Django encodes non-ASCII names with RFC 5987),
    drops anything that could end the header or fake an extension
    (quotes, CR/LF, right-to-left overrides), and shortens long names
    keeping their extension.
    """
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    # Control (Cc), format (Cf: bidi overrides, zero-width), separators other than space, unassigned.
    name = "".join(
        ch
        for ch in name
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
        and (ch == " " or ch.isprintable())
    )
    name = _UNSAFE_IN_NAME.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if content_type is not None:
        name = _with_extension(name or "file", content_type)
    if not name:
        return "file"
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10 and stem:
            name = stem[: max_length - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:max_length]
    return name
