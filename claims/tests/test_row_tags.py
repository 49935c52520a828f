"""The claim tables drawn in Python (claims/templatetags/claims.py) say what the template language said.

The reference below is the tags' earlier form: Django's format_html, dateformat and timesince, one call
per value. The rows carry markup in every text a partner or the service can type."""

import datetime

import pytest
from django.utils import dateformat, timezone, translation
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from claims.selectors import ClaimRow
from claims.templatetags import claims as tags

TYPES = [(1, 'Warranty <b>"x"</b>')]


def reference_lines(row, separator, with_serial):
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


def reference_list(claims):
    fmt = get_format("SHORT_DATE_FORMAT")
    url = tags._detail_url()
    types = dict(TYPES)
    rows = []
    for claim in claims:
        badge = tags.status_badge(claim.status, claim.get_status_display())
        opened = dateformat.format(timezone.localtime(claim.created_at), fmt) if claim.created_at else ""
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
                reference_lines(claim, "<br>", with_serial=True),
                types.get(claim.claim_type_id, ""),
                badge,
                opened,
                claim.owner_name,
                timesince(claim.status_changed_at) if claim.status_changed_at else "",
            )
        )
    return "\n".join(rows)


def reference_recent(claims):
    fmt = get_format("SHORT_DATE_FORMAT")
    url = tags._detail_url()
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
                reference_lines(claim, ", ", with_serial=False),
                tags.status_badge(claim.status, claim.get_status_display()),
                dateformat.format(timezone.localtime(claim.created_at), fmt) if claim.created_at else "",
            )
            for claim in claims
        ),
    )


def rows():
    now = timezone.now()
    return [
        ClaimRow(
            pk=index,
            rma_number=f"RMA/{index}/SR/2026",
            own_number=["", "PO \"7\" <x> & 'q'"][index % 2],
            status=["registered", "repair", "closed", "awaiting_documents"][index % 4],
            claim_type_id=[1, 99][index % 5 == 0],
            created_at=now - datetime.timedelta(days=index * 37, hours=index),
            status_changed_at=None if index == 3 else now - datetime.timedelta(days=index * 3, minutes=index * 7),
            owner_name=["Ana <b>", "Ion & Co"][index % 2],
            lines=(("Product <1>", "SN&1"), ("Product 2", "")) if index % 3 else (),
        )
        for index in range(1, 14)
    ]


@pytest.mark.parametrize("language", ["ro", "en"])
def test_the_rows_are_those_the_template_drew(language, monkeypatch):
    monkeypatch.setattr(tags, "claim_type_choices", lambda: TYPES)
    claims = rows()
    with translation.override(language):
        assert str(tags.claim_list_rows(claims)) == reference_list(claims)
        assert str(tags.recent_claim_rows(claims)) == reference_recent(claims)
    drawn = str(tags.claim_list_rows(claims))
    assert "<x>" not in drawn and "Ana <b>" not in drawn and "&lt;x&gt;" in drawn


def test_a_date_format_with_other_characters_goes_through_django():
    moment = timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 30))
    with translation.override("en"):
        assert tags._date_formatter("j M Y")(moment) == "4 Mar 2026"
        assert tags._date_formatter("D, j F Y")(moment) == dateformat.format(timezone.localtime(moment), "D, j F Y")
    assert tags._date_formatter("d.m.Y")(moment) == "04.03.2026"
    assert tags._date_formatter("d.m.Y")(None) == ""
