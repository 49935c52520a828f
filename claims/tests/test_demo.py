"""The demo catalogue says what the README and the start-up hints promise.

Here, not in warranty/tests: claims.demo loads the whole demo, and warranty may not import claims.
"""

import pytest

from claims import demo as claims_demo
from warranty import demo
from warranty.models import Brand, Product, Sale, SoldSerial
from warranty.selectors import Verdict, serial_check, warranty_for_ean

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Brand, Product, Sale, SoldSerial)]


def test_demo_is_idempotent_and_every_hint_answers_as_described():
    claims_demo.load()
    before = counts()
    claims_demo.load()
    assert counts() == before
    serial_brands = {"DJI", "EcoFlow", "Smartmi", "Edifier", "Viomi", "Roidmi", "Dreame", "Amazfit", "Deerma"}
    assert serial_brands <= set(Brand.objects.filter(requires_serial=True).values_list("name", flat=True))

    from django.contrib.auth import get_user_model

    partner = get_user_model().objects.get(username="partener")
    assert warranty_for_ean(user=partner, raw_ean=demo.DEMO_EAN_IN_WARRANTY).verdict == Verdict.IN_WARRANTY
    assert warranty_for_ean(user=partner, raw_ean=demo.DEMO_EAN_EXPIRED).verdict == Verdict.EXPIRED
    assert warranty_for_ean(user=partner, raw_ean=demo.DEMO_EAN_NOT_BOUGHT).verdict == Verdict.NOT_BOUGHT
    assert serial_check(user=partner, raw_serial=demo.DEMO_SERIAL_OWN).found
    assert not serial_check(user=partner, raw_serial=demo.DEMO_SERIAL_OTHER).found
    needs = Product.objects.get(ean=demo.DEMO_EAN_NEEDS_SERIAL_AND_FAULT)
    assert needs.brand.requires_serial and needs.fault_types.exists()
    assert Product.objects.get(ean=demo.DEMO_EAN_ACCESSORY_QTY).quantity_allowed
