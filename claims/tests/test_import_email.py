"""Issue 11.7: a CSV import of many claims sends one summary e-mail, not one per claim."""

from claims.models import Claim
from claims.tests.test_csv_import import DAY, csv_file, do_import, render


def test_an_import_of_50_claims_sends_one_summary_email(
    owner_client, owner, colleague, catalogue, owner_address, django_capture_on_commit_callbacks, mailoutbox
):
    """Issue 11.7: one e-mail with the list, not one per claim (nor copies to the colleagues)."""
    fifty = [[f"PR-{n}", catalogue["vacuum"].ean, "", DAY, f"Fault {n}", ""] for n in range(50)]
    with django_capture_on_commit_callbacks(execute=True):
        response = do_import(owner_client, catalogue, owner_address, csv_file(render(fifty)))
    assert response.status_code == 302
    assert Claim.objects.count() == 50
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [owner.email]
    assert "50" in message.subject or "50" in message.body
    html = message.alternatives[0][0]
    for claim in Claim.objects.all():
        assert claim.rma_number in message.body and claim.rma_number in html
