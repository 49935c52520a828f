"""Fixtures of the claims tests: a catalogue and a valid claim form post. Shared fixtures live in the root conftest.py."""

import datetime

import pytest

from accounts.tests.factories import AddressFactory
from claims.services import submit_token_issue
from claims.tests.factories import ClaimTypeFactory
from warranty.models import Brand
from warranty.tests.factories import BrandFactory, FaultTypeFactory, ProductFactory, SaleFactory, SoldSerialFactory


@pytest.fixture
def catalogue(db):
    dji = Brand.objects.filter(name="DJI").first() or BrandFactory(name="DJI")
    dji.requires_serial = True
    dji.serials_tracked = True
    dji.save()
    vacuum_brand = BrandFactory(name="Dreame", requires_serial=False)
    no_power = FaultTypeFactory(code="NO_POWER", name="No power")
    noise = FaultTypeFactory(code="NOISE", name="Noise")
    drone = ProductFactory(name="DJI Mini 4 Pro", brand=dji)
    vacuum = ProductFactory(name="Dreame L10s Ultra", brand=vacuum_brand)
    vacuum.fault_types.set([no_power, noise])
    cable = ProductFactory(name="USB-C cable", brand=vacuum_brand, quantity_allowed=True)
    return {
        "dji": dji,
        "drone": drone,
        "vacuum": vacuum,
        "cable": cable,
        "no_power": no_power,
        "warranty_type": ClaimTypeFactory(code="warranty", name="Warranty repair"),
        "dji_type": ClaimTypeFactory(code="dji-care-refresh", name="DJI Care Refresh", brand=dji),
    }


@pytest.fixture
def owner_address(owner):
    return AddressFactory(user=owner)


@pytest.fixture
def claim_post(catalogue, owner_address, owner):
    """A valid new-claim POST with two products: a DJI drone (serial) and a vacuum (fault type).

    The owner's company bought both a month ago: the warranty type fits them without a warning.
    """
    bought = datetime.date.today() - datetime.timedelta(days=30)
    SoldSerialFactory(serial="1SDJK7R0A10043", product=catalogue["drone"], invoice_date=bought)
    SaleFactory(product=catalogue["vacuum"], invoice_date=bought)
    SaleFactory(product=catalogue["cable"], invoice_date=bought)

    def build(**changes):
        day = (datetime.date.today() - datetime.timedelta(days=20)).isoformat()
        data = {
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "20",
            "lines-0-ean": catalogue["drone"].ean,
            "lines-0-serial": "1sdjk7r0a10043",
            "lines-0-document_date": day,
            "lines-0-description": "The gimbal does not move after a fall.",
            "lines-1-ean": catalogue["vacuum"].ean,
            "lines-1-serial": "",
            "lines-1-fault_type": str(catalogue["no_power"].pk),
            "lines-1-document_date": day,
            "lines-1-description": "Does not turn on.",
            "claim_type": str(catalogue["warranty_type"].pk),
            "own_number": "PR-77",
            "ars_data": "",
            "waybill": "FAN123",
            "package_contents": "Drone, 2 batteries, charger",
            "return_address": str(owner_address.pk),
            "submit_token": submit_token_issue(owner),
        }
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    return build
