"""Claims resolved before outcomes per line: their resolution becomes the outcome of each line."""

import datetime

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("claims", "0012_verdict_per_line")
AFTER = ("claims", "0013_outcome_per_line")


def test_resolutions_become_line_outcomes_and_rule_of_types_is_seeded(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    Company = old.apps.get_model("accounts", "Company")
    User = old.apps.get_model("accounts", "User")
    Brand = old.apps.get_model("warranty", "Brand")
    Product = old.apps.get_model("warranty", "Product")
    ClaimType = old.apps.get_model("claims", "ClaimType")
    Claim = old.apps.get_model("claims", "Claim")
    ClaimLine = old.apps.get_model("claims", "ClaimLine")

    # 0012 gave the seeded types their rule.
    assert ClaimType.objects.get(code="warranty").covered_by_warranty
    assert ClaimType.objects.get(code="doa").doa_days == 14
    assert not ClaimType.objects.get(code="paid-repair").covered_by_warranty
    assert ClaimType.objects.get(code="paid-repair").doa_days is None

    company = Company.objects.create(legal_name="Electro Demo SRL", vat_id="RO18547290")
    user = User.objects.create(username="ana", email="ana@example.com")
    product = Product.objects.create(ean="5901234123457", name="Drone", brand=Brand.objects.create(name="Acme"))
    claim_type = ClaimType.objects.get(code="warranty")

    def claim(seq, status, resolution, lines=2):
        made = Claim.objects.create(
            rma_year=2026,
            rma_seq=seq,
            rma_number=f"RMA/{seq}/SR/2026",
            company=company,
            owner=user,
            status=status,
            resolution=resolution,
            claim_type=claim_type,
            return_name="X",
            return_street="Y",
            return_postal_code="1",
            return_city="Z",
            return_country="RO",
        )
        for position in range(1, lines + 1):
            ClaimLine.objects.create(
                claim=made,
                position=position,
                product=product,
                document_date=datetime.date(2026, 1, 5),
                description="Broken",
            )
        return made.pk

    repaired = claim(1, "resolved", "repaired")
    rejected = claim(2, "closed", "rejected", lines=1)
    replaced = claim(3, "shipped_back", "replaced")
    open_claim = claim(4, "diagnosis", "")

    new = migrator.apply_tested_migration(AFTER)
    ClaimLine = new.apps.get_model("claims", "ClaimLine")
    Claim = new.apps.get_model("claims", "Claim")

    def outcomes(pk):
        return list(ClaimLine.objects.filter(claim_id=pk).order_by("position").values_list("outcome", "outcome_reason"))

    assert outcomes(repaired) == [("repaired", ""), ("repaired", "")]
    assert outcomes(rejected) == [("returned_unrepaired", "—")]
    assert outcomes(replaced) == [("replaced", ""), ("replaced", "")]
    assert outcomes(open_claim) == [("", ""), ("", "")]
    # The claim keeps what it said.
    assert Claim.objects.get(pk=rejected).resolution == "rejected"
    migrator.reset()
