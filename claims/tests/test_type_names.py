"""Claim types and fault types carry a name per language (django-modeltranslation)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from claims.models import ClaimType
from claims.tests.factories import ClaimFactory, ClaimLineFactory
from warranty.models import FaultType
from warranty.tests.factories import FaultTypeFactory


def client_in(language, user):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def test_the_seeded_types_have_both_names(db):
    # Seeded by 0002 with the English name, given both languages by 0007.
    warranty = ClaimType.objects.get(code="warranty")
    assert (warranty.name_ro, warranty.name_en) == ("Reparație în garanție", "Warranty repair")
    dji = ClaimType.objects.get(code="dji-warranty")
    assert (dji.name_ro, dji.name_en) == ("Reparație în garanție DJI", "DJI warranty repair")


def test_the_claim_form_shows_the_name_of_the_page_language(owner):
    ClaimType.objects.filter(code="warranty").update(name_ro="Garanție (RO)", name_en="Warranty (EN)")
    romanian = client_in("ro", owner).get(reverse("claim_new")).content.decode()
    english = client_in("en", owner).get(reverse("claim_new")).content.decode()
    assert ">Garanție (RO)</option>" in romanian and "Warranty (EN)" not in romanian
    assert ">Warranty (EN)</option>" in english and "Garanție (RO)" not in english


def test_the_claim_page_shows_the_names_of_the_page_language(owner):
    claim_type = ClaimType.objects.get(code="warranty")
    claim_type.name_ro, claim_type.name_en = "Garanție (RO)", "Warranty (EN)"
    claim_type.save()
    fault = FaultTypeFactory(code="no-power-test", name_ro="Nu pornește (RO)", name_en="No power (EN)")
    claim = ClaimFactory(owner=owner, claim_type=claim_type)
    ClaimLineFactory(claim=claim, position=1, fault_type=fault)
    url = reverse("claim_detail", args=[claim.pk])
    romanian = client_in("ro", owner).get(url).content.decode()
    english = client_in("en", owner).get(url).content.decode()
    assert "<dd>Garanție (RO)</dd>" in romanian and "Nu pornește (RO)" in romanian
    assert "Warranty (EN)" not in romanian and "No power (EN)" not in romanian
    assert "<dd>Warranty (EN)</dd>" in english and "No power (EN)" in english
    assert "Garanție (RO)" not in english and "Nu pornește (RO)" not in english


@pytest.fixture
def tech_client(client, staff):
    staff.groups.add(Group.objects.get(name="Service staff"))
    client.force_login(staff)
    return client


def test_renaming_the_romanian_name_in_the_admin_keeps_the_english(tech_client):
    claim_type = ClaimType.objects.get(code="doa")
    url = reverse("admin:claims_claimtype_change", args=[claim_type.pk])
    form = tech_client.get(url).content.decode()
    assert 'name="name_ro"' in form and 'name="name_en"' in form
    response = tech_client.post(
        url,
        {
            "code": "doa",
            "name_ro": "Defect la primire (DOA)",
            "name_en": claim_type.name_en,
            "brand": "",
            "active": "on",
            "position": "20",
        },
    )
    assert response.status_code == 302, response.content.decode()
    claim_type.refresh_from_db()
    assert (claim_type.name_ro, claim_type.name_en) == ("Defect la primire (DOA)", "Dead on arrival (DOA)")


def test_the_fault_type_admin_edits_both_names(tech_client):
    response = tech_client.post(
        reverse("admin:warranty_faulttype_add"), {"code": "smoke", "name_ro": "Scoate fum", "name_en": "Smokes"}
    )
    assert response.status_code == 302, response.content.decode()
    fault = FaultType.objects.get(code="smoke")
    assert (fault.name_ro, fault.name_en) == ("Scoate fum", "Smokes")


def test_the_demo_fault_types_have_both_names(db):
    from warranty import demo

    demo.load()
    fault = FaultType.objects.get(code="no-power")
    assert (fault.name_ro, fault.name_en) == ("Nu pornește", "Does not power on")
