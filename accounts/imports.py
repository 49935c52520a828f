"""CSV cells and imports of the accounts app: VAT ids, and the distributor's customer master."""

import functools

from django.utils.translation import gettext as _

from core.csvimport import CellError

from .vat import is_valid_vat


@functools.lru_cache(maxsize=65536)
def _vat_id(value):
    value = value.replace(" ", "").replace(".", "").replace("-", "").upper()
    prefix, number = value[:2], value[2:]
    return value, prefix.isalpha() and is_valid_vat(prefix, number)


def vat_id_cell(text):
    """A full VAT id with its country prefix (RO18547290), as sales and customers store it.

    A file repeats the same few hundred buyers: each distinct value is checked once.
    """
    value, valid = _vat_id(text)
    if not valid:
        raise CellError(
            _("“%(value)s” is not a valid VAT id with its country prefix (for example RO18547290).") % {"value": text}
        )
    return value
