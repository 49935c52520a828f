"""The demo catalogue: brands, products, fault types, sales and sold serials.

Loaded by ``manage.py demo_data`` (the first README command) and by the
browser tests. Idempotent: every row is written by its natural key, and
purchase dates are counted back from today so that "in warranty" stays in
warranty whenever the demo is loaded.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from stdnum import ean as ean_check

from .models import Brand, FaultType, Product, Sale, SoldSerial

DEMO_PARTNER_VAT = "RO18547290"
OTHER_COMPANY_VAT = "RO14399840"


def gtin(n):
    """A valid GTIN-13 of the demo range (594 is Romania's GS1 prefix)."""
    stem = f"5949{n:08d}"
    return stem + ean_check.calc_check_digit(stem)


# name, requires_serial, serials_tracked
BRANDS = [
    ("DJI", True, True),
    ("EcoFlow", True, True),
    ("Smartmi", True, True),
    ("Edifier", True, True),
    ("Viomi", True, True),
    ("Roidmi", True, True),
    ("Dreame", True, True),
    ("Amazfit", True, True),
    ("Deerma", True, True),
    ("Baseus", False, False),
    ("Ugreen", False, False),
    ("Tracer", False, False),
]

# code, English name, Romanian name
FAULT_TYPES = [
    ("no-power", "Does not power on", "Nu pornește"),
    ("no-charge", "Does not charge", "Nu se încarcă"),
    ("battery", "Battery drains quickly", "Bateria se descarcă repede"),
    ("noise", "Unusual noise", "Zgomot neobișnuit"),
    ("display", "Display fault", "Defect de afișaj"),
    ("suction", "Weak suction", "Putere de aspirare slabă"),
    ("navigation", "Navigation or sensor error", "Eroare de navigație sau de senzor"),
    ("water-leak", "Water leak", "Scurgere de apă"),
    ("connectivity", "Wi-Fi or Bluetooth connection lost", "Conexiunea Wi-Fi sau Bluetooth se pierde"),
    ("gimbal", "Gimbal or camera fault", "Defect de gimbal sau cameră"),
    ("physical", "Physical damage on delivery", "Deteriorare fizică la livrare"),
]

# number, brand, name, warranty months, quantity allowed, fault type codes
PRODUCTS = [
    (1, "DJI", "DJI Mini 4 Pro Fly More Combo", 24, False, ["no-power", "gimbal", "battery", "connectivity"]),
    (2, "DJI", "DJI Osmo Pocket 3", 24, False, ["gimbal", "no-charge", "display"]),
    (3, "DJI", "DJI Mic 2 (2 TX + 1 RX)", 24, False, []),
    (4, "DJI", "DJI Mini 4 Pro Intelligent Flight Battery", 12, True, []),
    (5, "EcoFlow", "EcoFlow RIVER 2 Pro portable power station", 24, False, ["no-power", "no-charge", "display"]),
    (6, "EcoFlow", "EcoFlow DELTA 2 portable power station", 24, False, ["no-power", "no-charge", "noise"]),
    (7, "Smartmi", "Smartmi Air Purifier P2", 24, False, ["noise", "connectivity"]),
    (8, "Smartmi", "Smartmi Evaporative Humidifier 3", 24, False, ["water-leak", "noise"]),
    (9, "Edifier", "Edifier W820NB Plus headphones", 24, False, []),
    (10, "Edifier", "Edifier R1280DB bookshelf speakers", 24, False, ["noise", "connectivity"]),
    (11, "Viomi", "Viomi V3 Max robot vacuum", 24, False, ["suction", "navigation", "no-charge"]),
    (12, "Roidmi", "Roidmi X30 Pro cordless vacuum", 24, False, ["suction", "battery"]),
    (
        13,
        "Dreame",
        "Dreame L10s Ultra robot vacuum",
        24,
        False,
        ["no-charge", "suction", "navigation", "water-leak", "physical"],
    ),
    (14, "Dreame", "Dreame H12 Pro wet and dry vacuum", 24, False, ["suction", "battery", "display"]),
    (15, "Amazfit", "Amazfit GTR 4 smartwatch", 24, False, ["display", "battery", "connectivity"]),
    (16, "Amazfit", "Amazfit Bip 5 smartwatch", 24, False, ["display", "no-charge"]),
    (17, "Deerma", "Deerma DX700 corded vacuum", 24, False, ["suction", "noise"]),
    (18, "Baseus", "Baseus USB-C cable 100 W, 1 m", 12, True, []),
    (19, "Baseus", "Baseus 65 W GaN charger", 24, True, ["no-power"]),
    (20, "Ugreen", "Ugreen USB-C hub 6-in-1", 24, True, []),
    (21, "Tracer", "Tracer GameZone wireless mouse", 24, False, []),
    (22, "Dreame", "Dreame L10s Ultra side brush (2 pcs)", 6, True, []),
]

DEMO_EAN_IN_WARRANTY = gtin(9)  # Edifier W820NB Plus: bought 4 months ago, 24 months
DEMO_EAN_EXPIRED = gtin(17)  # Deerma DX700: bought 30 months ago, 24 months
DEMO_EAN_NOT_BOUGHT = gtin(6)  # EcoFlow DELTA 2: only the other company bought it
DEMO_EAN_NEEDS_SERIAL_AND_FAULT = gtin(13)  # Dreame L10s Ultra: serial brand with fault types
DEMO_EAN_ACCESSORY_QTY = gtin(18)  # Baseus cable: a quantity on claims
DEMO_SERIAL_OWN = "3QDSL9X00A1234"  # DJI Mini 4 Pro sold to the demo partner
DEMO_SERIAL_OTHER = "R2P-ZK8-00457"  # EcoFlow RIVER 2 Pro sold to the other company


def _sales(today):
    """(buyer, invoice, date, product number, quantity): purchases for both companies."""
    days = datetime.timedelta
    return [
        (DEMO_PARTNER_VAT, "INN-2023-04410", today - days(days=915), 17, 2),  # expired Deerma
        (DEMO_PARTNER_VAT, "INN-2024-01207", today - days(days=700), 9, 5),  # an older Edifier purchase
        (DEMO_PARTNER_VAT, "INN-2026-03318", today - days(days=120), 9, 3),  # the latest Edifier purchase
        (DEMO_PARTNER_VAT, "INN-2026-03318", today - days(days=120), 13, 2),
        (DEMO_PARTNER_VAT, "INN-2026-03318", today - days(days=120), 18, 50),
        (DEMO_PARTNER_VAT, "INN-2026-02150", today - days(days=210), 1, 4),
        (DEMO_PARTNER_VAT, "INN-2026-02150", today - days(days=210), 4, 10),
        (DEMO_PARTNER_VAT, "INN-2025-05022", today - days(days=400), 15, 6),
        (DEMO_PARTNER_VAT, "INN-2025-05022", today - days(days=400), 11, 2),
        (DEMO_PARTNER_VAT, "INN-2024-00388", today - days(days=800), 19, 20),  # expired charger
        (DEMO_PARTNER_VAT, "INN-2026-04001", today - days(days=45), 22, 30),  # side brushes, 6 months
        (DEMO_PARTNER_VAT, "INN-2026-04001", today - days(days=45), 21, 10),
        (OTHER_COMPANY_VAT, "INN-2026-03900", today - days(days=60), 6, 1),
        (OTHER_COMPANY_VAT, "INN-2026-03900", today - days(days=60), 5, 3),
        (OTHER_COMPANY_VAT, "INN-2026-03900", today - days(days=60), 9, 8),
    ]


def _serials(today):
    """(serial, product number, buyer, invoice, date)."""
    days = datetime.timedelta
    return [
        (DEMO_SERIAL_OWN, 1, DEMO_PARTNER_VAT, "INN-2026-02150", today - days(days=210)),
        ("3QDSL9X00A1235", 1, DEMO_PARTNER_VAT, "INN-2026-02150", today - days(days=210)),
        ("DRL10SU2406A0077", 13, DEMO_PARTNER_VAT, "INN-2026-03318", today - days(days=120)),
        ("ED820NB24A03311", 9, DEMO_PARTNER_VAT, "INN-2026-03318", today - days(days=120)),
        ("AMZGTR4M22X0915", 15, DEMO_PARTNER_VAT, "INN-2025-05022", today - days(days=400)),
        ("DX700-2023-55120", 17, DEMO_PARTNER_VAT, "INN-2023-04410", today - days(days=915)),
        (DEMO_SERIAL_OTHER, 5, OTHER_COMPANY_VAT, "INN-2026-03900", today - days(days=60)),
        ("R2P-ZK8-00458", 5, OTHER_COMPANY_VAT, "INN-2026-03900", today - days(days=60)),
    ]


@transaction.atomic
def load(today=None):
    today = today or timezone.localdate()
    brands = {}
    for name, requires_serial, tracked in BRANDS:
        brands[name], _ = Brand.objects.update_or_create(
            name=name, defaults={"requires_serial": requires_serial, "serials_tracked": tracked}
        )
    faults = {}
    for code, name_en, name_ro in FAULT_TYPES:
        faults[code], _ = FaultType.objects.update_or_create(
            code=code, defaults={"name_en": name_en, "name_ro": name_ro}
        )
    products = {}
    for number, brand, name, months, quantity_allowed, fault_codes in PRODUCTS:
        product, _ = Product.objects.update_or_create(
            ean=gtin(number),
            defaults={
                "name": name,
                "brand": brands[brand],
                "warranty_months": months,
                "quantity_allowed": quantity_allowed,
            },
        )
        product.fault_types.set([faults[code] for code in fault_codes])
        products[number] = product
    for buyer, invoice, date, number, quantity in _sales(today):
        Sale.objects.update_or_create(
            invoice_number=invoice,
            product=products[number],
            defaults={"buyer_vat_id": buyer, "invoice_date": date, "quantity": quantity},
        )
    for serial, number, buyer, invoice, date in _serials(today):
        SoldSerial.objects.update_or_create(
            serial=serial,
            product=products[number],
            defaults={"buyer_vat_id": buyer, "invoice_number": invoice, "invoice_date": date},
        )
    return products
