"""Django admin strings that the Romanian admin shows in English, listed so our own catalogue translates them.

Django's Romanian catalogue leaves these empty; LOCALE_PATHS comes first, so
the lead's translation pass completes them here. Nothing imports this module;
makemessages reads it.
"""

from django.utils.translation import gettext_noop, ngettext

STRINGS = [
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
    gettext_noop("Model name"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Skip to main content"),
]


def _plurals() -> None:
    """Never called: makemessages reads the plural forms here."""
    ngettext("Please correct the error below.", "Please correct the errors below.", 1)
