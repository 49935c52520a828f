"""What a technician tripped over in the admin: the claim list's columns, the new-message row, its strings."""

from pathlib import Path

from django.urls import reverse

from claims.models import Message
from claims.tests.factories import ClaimFactory
from tests.html import text


def test_claim_list_shows_company_and_vat_in_one_column_and_no_long_dates(technician_client, owner):
    claim = ClaimFactory(owner=owner)
    html = technician_client.get(reverse("admin:claims_claim_changelist")).content.decode()
    page = text(html)
    assert claim.company.vat_id in page and claim.rma_number in page
    header = html[html.index('id="result_list"') :]
    header = header[: header.index("</thead>")]
    assert header.count("<th ") == 7  # the checkbox and six columns
    assert "p.m." not in page and "a.m." not in page


def test_new_message_row_reads_as_one_to_write(technician_client, owner, staff):
    claim = ClaimFactory(owner=owner)
    Message.objects.create(claim=claim, author=staff, from_service=True, body="Earlier answer")
    page = text(technician_client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode())
    assert "New message written here, sent when you save" in page
    assert "Message: #2" not in page and "Earlier answer" in page


def test_admin_strings_are_offered_to_our_catalogue():
    source = (Path(__file__).resolve().parents[2] / "core" / "admin_strings.py").read_text()
    for msgid in ("Show counts", "Model name", "Please correct the error below."):
        assert f'"{msgid}"' in source
