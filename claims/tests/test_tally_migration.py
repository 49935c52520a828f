"""Claims 0016 counts the claims already there, and migrating back drops its triggers with the table."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("claims", "0015_created_index_stored_label")
AFTER = ("claims", "0016_claim_status_tally")


def _triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE '%%_tally_%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%%_tally_%%'")
        return {row[0] for row in cursor.fetchall()}


def test_existing_claims_are_counted_and_the_reverse_drops_the_triggers(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    assert _triggers() == set()
    Company = old.apps.get_model("accounts", "Company")
    User = old.apps.get_model("accounts", "User")
    Claim = old.apps.get_model("claims", "Claim")
    ClaimType = old.apps.get_model("claims", "ClaimType")
    user = User.objects.create(username="ana", email="ana@example.com")
    first = Company.objects.create(legal_name="Electro Demo SRL", vat_id="RO18547290")
    second = Company.objects.create(legal_name="Other SRL", vat_id="RO14399840")
    claim_type = ClaimType.objects.get(code="warranty")
    for seq, (company, status) in enumerate(
        [(first, "registered"), (first, "registered"), (first, "closed"), (second, "registered")], start=1
    ):
        Claim.objects.create(
            rma_year=2026,
            rma_seq=seq,
            rma_number=f"RMA/{seq}/SR/2026",
            company=company,
            owner=user,
            status=status,
            claim_type=claim_type,
            return_name="X",
            return_street="Y",
            return_postal_code="1",
            return_city="Z",
            return_country="RO",
        )

    new = migrator.apply_tested_migration(AFTER)
    Tally = new.apps.get_model("claims", "ClaimStatusTally")
    assert set(Tally.objects.values_list("company_id", "status", "delta")) == {
        (first.pk, "registered", 2),
        (first.pk, "closed", 1),
        (second.pk, "registered", 1),
    }
    assert len(_triggers()) == (3 if connection.vendor == "postgresql" else 4)

    migrator.apply_tested_migration(BEFORE)
    assert _triggers() == set()
    assert "claims_claimstatustally" not in connection.introspection.table_names()
