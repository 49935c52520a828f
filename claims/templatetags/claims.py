"""Tags of the claim pages. The tables of claims are drawn here, in Python, row by row: through the
template language each row cost a dozen variable lookups, filters and a queryset per line list, which
made the list page the slowest of the portal (``run.py bench``)."""

from django import template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

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


def _short_date(moment, fmt):
    return dateformat.format(timezone.localtime(moment), fmt) if moment else ""


def _lines(row, separator, with_serial):
    if with_serial:
        parts = [
            format_html('{} <span class="text-muted text-break">({})</span>', name, serial)
            if serial
            else format_html("{}", name)
            for name, serial in row.lines
        ]
    else:
        parts = [format_html("{}", name) for name, _serial in row.lines]
    return mark_safe(separator.join(parts))


@register.simple_tag
def claim_list_rows(claims):
    """The rows of the claim list (claims/claim_list.html), from selectors.claim_rows()."""
    fmt = get_format("SHORT_DATE_FORMAT")
    url = _detail_url()
    types = dict(claim_type_choices())
    badges = {}
    rows = []
    for claim in claims:
        badge = badges.get(claim.status)
        if badge is None:
            badge = badges[claim.status] = status_badge(claim.status, claim.get_status_display())
        opened = _short_date(claim.created_at, fmt)
        own = format_html('<br><span class="small text-muted">{}</span>', claim.own_number) if claim.own_number else ""
        rows.append(
            format_html(
                "<tr>"
                '<td><a class="fw-semibold text-nowrap" href="{}">{}</a>{}'
                '<div class="d-md-none mt-1">{}<br><span class="small text-muted">{}</span></div></td>'
                '<td class="small">{}</td>'
                '<td class="small d-none d-md-table-cell">{}</td>'
                '<td class="d-none d-md-table-cell">{}</td>'
                '<td class="small d-none d-md-table-cell text-nowrap">{}<br><span class="text-muted">{}</span></td>'
                '<td class="small d-none d-lg-table-cell">{}</td>'
                "</tr>",
                url.format(claim.pk),
                claim.rma_number,
                own,
                badge,
                opened,
                _lines(claim, "<br>", with_serial=True),
                types.get(claim.claim_type_id, ""),
                badge,
                opened,
                claim.owner_name,
                timesince(claim.status_changed_at) if claim.status_changed_at else "",
            )
        )
    return mark_safe("\n".join(rows))


@register.simple_tag
def recent_claim_rows(claims):
    """The rows of the dashboard's recent claims, from selectors.claim_rows()."""
    fmt = get_format("SHORT_DATE_FORMAT")
    url = _detail_url()
    return format_html_join(
        "\n",
        "<tr>"
        '<td><a href="{}" class="fw-semibold">{}</a>{}</td>'
        '<td class="small d-none d-sm-table-cell">{}</td>'
        "<td>{}</td>"
        '<td class="small d-none d-sm-table-cell">{}</td>'
        "</tr>",
        (
            (
                url.format(claim.pk),
                claim.rma_number,
                format_html('<br><span class="small text-muted">{}</span>', claim.own_number)
                if claim.own_number
                else "",
                _lines(claim, ", ", with_serial=False),
                status_badge(claim.status, claim.get_status_display()),
                _short_date(claim.created_at, fmt),
            )
            for claim in claims
        ),
    )
