"""Normalising and checking the codes partners type: EAN/GTIN-13 and serial numbers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from stdnum import ean as ean_check

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def normalise_serial(raw: str | None) -> str:
    return re.sub(r"\s+", "", raw or "").upper()


def normalise_ean(raw: str | None) -> str:
    return re.sub(r"[\s-]+", "", raw or "")


def ean_error(code: str) -> StrOrPromise | None:
    """A message for a malformed EAN/GTIN-13, or None when it is well-formed."""
    if not code:
        return _("Type the EAN/GTIN-13 code from the product's box.")
    if not (code.isascii() and code.isdigit()):
        return _("An EAN/GTIN-13 code has only digits; “%(code)s” has other characters.") % {"code": code}
    if len(code) != 13:
        return _("An EAN/GTIN-13 code has 13 digits; “%(code)s” has %(count)d.") % {"code": code, "count": len(code)}
    if not ean_check.is_valid(code):
        return _("The last digit of “%(code)s” does not match: check the code for a typing error.") % {"code": code}
    return None
