"""Texts built from constants, translated when they are shown rather than when the module loads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.utils.formats import number_format
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _format(template: StrOrPromise, params: dict[str, Any]) -> str:
    return str(template) % {key: str(value) if isinstance(value, Promise) else value for key, value in params.items()}


_format_lazy = lazy(_format, str)


def lazy_format(template: StrOrPromise, **params: Any) -> str:
    """``gettext_lazy(template) % params``, but still lazy: for help texts and labels built from limits."""
    return _format_lazy(template, params)


def _or_list(items: Sequence[StrOrPromise]) -> str:
    words = [str(item) for item in items]
    if len(words) < 2:
        return "".join(words)
    return gettext("%(items)s or %(last)s") % {"items": ", ".join(words[:-1]), "last": words[-1]}


or_list = lazy(_or_list, str)
"""'PDF, JPEG, PNG or WebP', in the reader's language, when shown."""


def _grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


grouped_number = lazy(_grouped, str)
"""5000 as '5,000' in English and '5.000' in Romanian, when shown."""
