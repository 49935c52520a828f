"""Django strings (admin, password help) that Romanian shows in English or badly, for our own catalogue.

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
    # The password help of Django's validators: its Romanian writes "sa" for "să".
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("This password is entirely numeric."),
]


def _plurals() -> None:
    """Never called: makemessages reads the plural forms here."""
    ngettext("Please correct the error below.", "Please correct the errors below.", 1)
