import datetime

import factory
from stdnum import ean

from warranty.models import Brand, FaultType, Product, Sale, SoldSerial


def gtin(n):
    stem = f"590{n:09d}"
    return stem + ean.calc_check_digit(stem)


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Brand{n}")


class FaultTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaultType
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"F{n}")
    name = factory.Sequence(lambda n: f"Fault {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ["ean"]

    ean = factory.Sequence(lambda n: gtin(n + 100))
    name = factory.Sequence(lambda n: f"Product {n}")
    brand = factory.SubFactory(BrandFactory)
    warranty_months = 24


class SaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sale

    buyer_vat_id = "RO18547290"
    invoice_number = factory.Sequence(lambda n: f"FV-{n:06d}")
    invoice_date = datetime.date(2025, 3, 15)
    product = factory.SubFactory(ProductFactory)
    quantity = 1


class SoldSerialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SoldSerial

    serial = factory.Sequence(lambda n: f"SN{n:08d}")
    product = factory.SubFactory(ProductFactory)
    buyer_vat_id = "RO18547290"
    invoice_number = factory.Sequence(lambda n: f"FV-{n:06d}")
    invoice_date = datetime.date(2025, 3, 15)
