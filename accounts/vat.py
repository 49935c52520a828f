"""VAT identification numbers: the EU prefixes and their validation.

python-stdnum does the country rules and check digits; this module only
cleans what people type (spaces, dots, a prefix inside the number) and knows
that Greece uses EL on VAT numbers while its ISO code is GR.
"""

from django.utils.translation import gettext_lazy as _
from stdnum.eu import vat as eu_vat
from stdnum.util import clean

# EU VAT prefixes, as printed on invoices (EL for Greece, XI for Northern Ireland).
VAT_PREFIXES = [
    ("AT", _("Austria")),
    ("BE", _("Belgium")),
    ("BG", _("Bulgaria")),
    ("CY", _("Cyprus")),
    ("CZ", _("Czechia")),
    ("DE", _("Germany")),
    ("DK", _("Denmark")),
    ("EE", _("Estonia")),
    ("EL", _("Greece")),
    ("ES", _("Spain")),
    ("FI", _("Finland")),
    ("FR", _("France")),
    ("HR", _("Croatia")),
    ("HU", _("Hungary")),
    ("IE", _("Ireland")),
    ("IT", _("Italy")),
    ("LT", _("Lithuania")),
    ("LU", _("Luxembourg")),
    ("LV", _("Latvia")),
    ("MT", _("Malta")),
    ("NL", _("Netherlands")),
    ("PL", _("Poland")),
    ("PT", _("Portugal")),
    ("RO", _("Romania")),
    ("SE", _("Sweden")),
    ("SI", _("Slovenia")),
    ("SK", _("Slovakia")),
    ("XI", _("Northern Ireland")),
]
PREFIX_CODES = {code for code, _label in VAT_PREFIXES}


def normalise_vat_number(prefix, number):
    """Return the number without spaces, punctuation or a typed prefix."""
    number = clean(number or "", " -./").upper()
    prefix = (prefix or "").upper()
    if prefix and number.startswith(prefix):
        number = number[len(prefix) :]
    elif prefix == "EL" and number.startswith("GR"):
        number = number[2:]
    return number


def is_valid_vat(prefix, number):
    return bool(prefix and number) and eu_vat.is_valid(prefix + number)


def split_vat_id(vat_id):
    """Split 'RO 18547290' or 'ro18547290' into ('RO', '18547290'); ('', '') if unknown."""
    vat_id = clean(vat_id or "", " -./").upper()
    prefix = vat_id[:2]
    if prefix == "GR":
        prefix = "EL"
    if prefix not in PREFIX_CODES:
        return "", ""
    return prefix, normalise_vat_number(prefix, vat_id[2:])
