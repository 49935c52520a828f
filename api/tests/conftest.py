import pytest
from django.test import Client

from api import services
from api.models import KeyScope


class KeyClient(Client):
    """A client of the partner API that sends ``Authorization: Api-Key <secret>``."""

    def __init__(self, secret, **defaults):
        super().__init__(HTTP_AUTHORIZATION=f"Api-Key {secret}", HTTP_ACCEPT_LANGUAGE="en", **defaults)
        self.secret = secret


def key_for(user, scope=KeyScope.READ_WRITE, **kwargs):
    return services.api_key_create(by=user, name=kwargs.pop("name", "ERP"), scope=scope, **kwargs)


@pytest.fixture
def owner_key(owner):
    return key_for(owner)


@pytest.fixture
def api(owner_key):
    """The owner's company's system, with a read-and-write key."""
    return KeyClient(owner_key[1])


@pytest.fixture
def read_api(owner):
    return KeyClient(key_for(owner, KeyScope.READ, name="reports")[1])


@pytest.fixture
def stranger_api(stranger):
    return KeyClient(key_for(stranger)[1])


@pytest.fixture
def claim_setup(owner):
    """A claim type, a product with a fault type (bought by the owner's company a month ago, so the
    warranty type fits without a warning), and the owner company's default return address."""
    import datetime

    from accounts.tests.factories import AddressFactory
    from claims.tests.factories import ClaimTypeFactory
    from warranty.tests.factories import FaultTypeFactory, ProductFactory, SaleFactory

    product = ProductFactory()
    SaleFactory(
        product=product, buyer_vat_id=owner.vat_id, invoice_date=datetime.date.today() - datetime.timedelta(days=30)
    )
    fault = FaultTypeFactory()
    product.fault_types.add(fault)
    return {
        "claim_type": ClaimTypeFactory(),
        "product": product,
        "fault_type": fault,
        "address": AddressFactory(user=owner, is_default=True),
    }


def claim_payload(setup, **overrides):
    line = {
        "ean": setup["product"].ean,
        "serial": "SN-API-1",
        "fault_type": setup["fault_type"].code,
        "document_date": "2026-10-01",
        "description": "Does not turn on.",
    }
    line.update(overrides.pop("line", {}))
    payload = {"claim_type": setup["claim_type"].code, "lines": [line], "own_number": "ERP-1"}
    payload.update(overrides)
    return payload


@pytest.fixture(autouse=True)
def _webhooks_local(settings):
    """Webhooks may reach 127.0.0.1 here; tries follow each other at once."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOK_RETRY_DELAYS = [0, 0, 0, 0]
    settings.WEBHOOK_TIMEOUT = 5
