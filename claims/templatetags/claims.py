"""Tags of the claim pages. The tables of claims are drawn here, in Python, row by row: through the
template language each row cost a dozen variable lookups, filters and a queryset per line list, which
made the list page the slowest of the portal (``run.py bench``)."""

from html import escape

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.dates import MONTHS_3
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import TIME_STRINGS, timesince

from claims.selectors import claim_type_choices

register = template.Library()


@register.simple_tag
def status_badge(status, label):
    """A claim's status as a coloured badge."""
    return format_html('<span class="badge badge-status status-{}">{}</span>', status, label)


def _detail_url():
    """claim_detail's URL with a hole for the id: one reverse() per table, not one per row."""
    marker = "2147483647"
    return reverse("claim_detail", args=[marker]).replace(marker, "{}")


# Django's date format characters that a row's date may use, drawn without dateformat's machinery.
_DATE_PARTS = {
    "d": lambda day: f"{day.day:02d}",
    "j": lambda day: str(day.day),
    "m": lambda day: f"{day.month:02d}",
    "n": lambda day: str(day.month),
    "Y": lambda day: f"{day.year:04d}",
    "y": lambda day: f"{day.year % 100:02d}",
    "M": lambda day: str(MONTHS_3[day.month]).title(),
}


def _date_formatter(fmt):
    """A function drawing a moment's local date in ``fmt`` (a SHORT_DATE_FORMAT), as the ``date`` filter does.

    Formats of day, month and year with separators (every language of the portal) are drawn directly;
    any other goes through django.utils.dateformat."""
    if any(char.isalpha() and char not in _DATE_PARTS or char == "\\" for char in fmt):
        return lambda moment: dateformat.format(timezone.localtime(moment), fmt) if moment else ""
    parts = [_DATE_PARTS.get(char, char) for char in fmt]

    def draw(moment):
        if not moment:
            return ""
        day = timezone.localtime(moment)
        return escape("".join(part(day) if callable(part) else part for part in parts))

    return draw


class _CachedPlural:
    """One of timesince's unit strings ("%(num)d days"), translated once per language and number."""

    def __init__(self, lazy):
        self.lazy = lazy
        self.cache = {}

    def __mod__(self, params):
        key = (translation.get_language(), params["num"])
        text = self.cache.get(key)
        if text is None:
            text = self.cache[key] = self.lazy % params
        return text


_TIME_STRINGS = {name: _CachedPlural(text) for name, text in TIME_STRINGS.items()}


def _since(moment, now):
    """``timesince(moment)``: Django's own, with its unit strings translated once, not once a row."""
    return timesince(moment, now=now, time_strings=_TIME_STRINGS) if moment else ""


def _lines(row, separator, with_serial):
    if with_serial:
        parts = [
            f'{escape(name)} <span class="text-muted text-break">({escape(serial)})</span>' if serial else escape(name)
            for name, serial in row.lines
        ]
    else:
        parts = [escape(name) for name, _serial in row.lines]
    return separator.join(parts)


@register.simple_tag
def claim_list_rows(claims):
    """The rows of the claim list (claims/claim_list.html), from selectors.claim_rows().

    Built with f-strings: every value from the database goes through ``escape`` (html.escape, what
    Django's own escape calls); the badges and type names are drawn once per table."""
    short_date = _date_formatter(get_format("SHORT_DATE_FORMAT"))
    url = _detail_url()
    types = {pk: escape(name) for pk, name in claim_type_choices()}
    now = timezone.now()
    badges = {}
    rows = []
    for claim in claims:
        badge = badges.get(claim.status)
        if badge is None:
            badge = badges[claim.status] = status_badge(claim.status, claim.get_status_display())
        opened = short_date(claim.created_at)
        own = f'<br><span class="small text-muted">{escape(claim.own_number)}</span>' if claim.own_number else ""
        rows.append(
            "<tr>"
            f'<td><a class="fw-semibold text-nowrap" href="{url.format(claim.pk)}">{escape(claim.rma_number)}</a>{own}'
            f'<div class="d-md-none mt-1">{badge}<br><span class="small text-muted">{opened}</span></div></td>'
            f'<td class="small">{_lines(claim, "<br>", with_serial=True)}</td>'
            f'<td class="small d-none d-md-table-cell">{types.get(claim.claim_type_id, "")}</td>'
            f'<td class="d-none d-md-table-cell">{badge}</td>'
            f'<td class="small d-none d-md-table-cell text-nowrap">{opened}<br>'
            f'<span class="text-muted">{escape(claim.owner_name)}</span></td>'
            f'<td class="small d-none d-lg-table-cell">{escape(_since(claim.status_changed_at, now))}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(rows))


@register.simple_tag
def recent_claim_rows(claims):
    """The rows of the dashboard's recent claims, from selectors.claim_rows()."""
    short_date = _date_formatter(get_format("SHORT_DATE_FORMAT"))
    url = _detail_url()
    rows = []
    for claim in claims:
        own = f'<br><span class="small text-muted">{escape(claim.own_number)}</span>' if claim.own_number else ""
        rows.append(
            "<tr>"
            f'<td><a href="{url.format(claim.pk)}" class="fw-semibold">{escape(claim.rma_number)}</a>{own}</td>'
            f'<td class="small d-none d-sm-table-cell">{_lines(claim, ", ", with_serial=False)}</td>'
            f"<td>{status_badge(claim.status, claim.get_status_display())}</td>"
            f'<td class="small d-none d-sm-table-cell">{short_date(claim.created_at)}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(rows))
