"""Uploaded files are checked by their content, never by their name or browser-sent type.

Accepted: PDF documents and JPEG, PNG or WebP images. An image must decode in
full, and its size (read from the header before any pixel is decoded) may not
exceed ``MAX_IMAGE_PIXELS``, so a small "decompression bomb" cannot exhaust the
server's memory. Whatever fails any check is refused with a message naming the
file; no file, however malformed, makes the check raise anything else.
"""

import re
import struct
import unicodedata
import warnings

from django import forms
from django.core.exceptions import ValidationError
from django.forms.widgets import FILE_INPUT_CONTRADICTION
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image

MAX_FILE_SIZE = 10 * 1024 * 1024  # 10 MB a file
MAX_FILES_PER_CLAIM = 10
# Our own cap, far below Pillow's decompression-bomb warning (about 89 megapixels) and error (about 179).
MAX_IMAGE_PIXELS = 40_000_000

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
# Pillow format name -> content type. Only these plugins are ever asked to open an upload.
IMAGE_FORMATS = {"JPEG": JPEG, "PNG": PNG, "WEBP": WEBP}
ALLOWED_CONTENT_TYPES = (PDF, JPEG, PNG, WEBP)

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


class ImageTooLarge(Exception):
    def __init__(self, width=None, height=None):
        super().__init__(width, height)
        self.width, self.height = width, height


def _display_name(uploaded):
    name = getattr(uploaded, "name", None) or gettext("file")
    return safe_download_name(name)


def _file_size(uploaded):
    size = getattr(uploaded, "size", None)
    if size is None:
        uploaded.seek(0, 2)
        size = uploaded.tell()
        uploaded.seek(0)
    return size


def _is_pdf(uploaded, size):
    try:
        uploaded.seek(0)
        head = uploaded.read(PDF_MAGIC_WINDOW + len(PDF_MAGIC))
        if PDF_MAGIC not in head:
            return False
        uploaded.seek(max(size - PDF_EOF_WINDOW, 0))
        tail = uploaded.read(PDF_EOF_WINDOW)
        return PDF_EOF in tail
    finally:
        uploaded.seek(0)


def _image_type(uploaded):
    """The image's content type, or None if it is not a sound JPEG, PNG or WebP. Raises ImageTooLarge."""
    try:
        with warnings.catch_warnings():
            # Pillow warns (and, past twice its limit, raises) before decoding a huge image: make both errors.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            uploaded.seek(0)
            with Image.open(uploaded, formats=list(IMAGE_FORMATS)) as image:
                content_type = IMAGE_FORMATS.get(image.format)
                if content_type is None:
                    return None
                # Width and height come from the header: nothing is decoded yet.
                width, height = image.size
                if width <= 0 or height <= 0:
                    return None
                if width * height > MAX_IMAGE_PIXELS:
                    raise ImageTooLarge(width, height)
                image.verify()
            # verify() leaves the image unusable; decode every pixel of a fresh copy.
            uploaded.seek(0)
            with Image.open(uploaded, formats=list(IMAGE_FORMATS)) as image:
                if image.size != (width, height):
                    return None
                image.load()
            return content_type
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge() from None
    except PILLOW_ERRORS:
        return None
    except Exception:  # noqa: BLE001 - a plugin bug on a hostile file must still mean "refused", never a 500
        return None
    finally:
        uploaded.seek(0)


def validate_upload(uploaded):
    """Return the content type detected in ``uploaded`` or raise ValidationError naming the file.

    The detected type is one of ``ALLOWED_CONTENT_TYPES``; the file's name and
    the type the browser sent are ignored. The file is left at position 0.
    """
    name = _display_name(uploaded)
    size = _file_size(uploaded)
    if not size:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
    if size > MAX_FILE_SIZE:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)d MB."),
            code="too_big",
            params={"name": name, "mb": MAX_FILE_SIZE // (1024 * 1024)},
        )
    if _is_pdf(uploaded, size):
        return PDF
    try:
        content_type = _image_type(uploaded)
    except ImageTooLarge as too_large:
        if too_large.width:
            raise ValidationError(
                _("“%(name)s” is %(width)d×%(height)d pixels; an image may have at most %(mp)d megapixels."),
                code="too_many_pixels",
                params={
                    "name": name,
                    "width": too_large.width,
                    "height": too_large.height,
                    "mp": MAX_IMAGE_PIXELS // 1_000_000,
                },
            ) from None
        raise ValidationError(
            _("“%(name)s” is too large an image; an image may have at most %(mp)d megapixels."),
            code="too_many_pixels",
            params={"name": name, "mp": MAX_IMAGE_PIXELS // 1_000_000},
        ) from None
    if content_type:
        return content_type
    raise ValidationError(
        _("“%(name)s” is not a PDF or an image (JPEG, PNG, WebP), or it is damaged."),
        code="bad_type",
        params={"name": name},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked by content with ``validate_upload``. Cleans to a list.

    Every accepted file gets ``detected_content_type``. When any file is bad,
    the field's error lists every bad file, each message naming its file.
    """

    default_error_messages = {
        "too_many": _("Choose at most %(max)d files here (you chose %(count)d)."),
    }

    def __init__(self, *args, max_files=MAX_FILES_PER_CLAIM, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
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
        errors = []
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
                uploaded.detected_content_type = validate_upload(uploaded)
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return files


_UNSAFE_IN_NAME = re.compile(r'[<>:"/\\|?*;]')


def safe_download_name(name, *, max_length=150):
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
    if not name:
        return "file"
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10 and stem:
            name = stem[: max_length - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:max_length]
    return name
